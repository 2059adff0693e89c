"""Notebook 03: el material original, reproducido cifra a cifra.

El original llamaba a ``np.random.seed(42)`` en el constructor de cada red y barajaba las
filas con el mismo estado global: :func:`original_orders` rehace esos órdenes (la
preparación de los datos la rehace :func:`original_setup`) y
:func:`reproduce_original` compara sus 15 pérdidas publicadas con las de ``train()``.
Índice ``(method, epoch)``; columnas ``published``, ``batchlab`` y ``match``.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from ..data import FEATURES, TARGET
from ..mlp import MLP
from ..training import train

__all__ = [
    "ORIGINAL_PUBLISHED",
    "ORIGINAL_SHAPES",
    "original_orders",
    "original_setup",
    "reproduce_original",
]

#: Formas de las tres matrices de pesos que el original sacaba con ``randn``.
ORIGINAL_SHAPES = ((8, 64), (64, 32), (32, 1))
#: Pérdidas de entrenamiento que imprimió el original (épocas 2, 4, 6, 8 y 10), por método.
ORIGINAL_PUBLISHED = {
    "full_batch": (2.1975, 2.0170, 1.8635, 1.7325, 1.6202),
    "sgd": (0.4071, 0.3140, 0.2908, 0.2757, 0.2655),
    "mini_batch": (0.5006, 0.4386, 0.4167, 0.3805, 0.3922),
}


def original_orders(n: int, seed: int = 42) -> Iterator[np.ndarray]:
    """Los órdenes de las filas del material original, época a época.

    El original llamaba a ``np.random.seed(42)`` en el constructor de cada red, sacaba
    sus tres matrices de pesos con ``randn`` y después una ``np.random.permutation(n)``
    por época del mismo estado global. Se pasan a ``train(..., orders=...)`` (un
    iterador nuevo por entrenamiento).
    """
    legacy = np.random.RandomState(seed)
    for shape in ORIGINAL_SHAPES:
        legacy.randn(*shape)
    while True:
        yield legacy.permutation(n)


def reproduce_original(
    X: np.ndarray, y: np.ndarray, model: MLP, learning_rate: float = 0.001
) -> pd.DataFrame:
    """Las 15 cifras publicadas del original (3 métodos × épocas 2, 4, 6, 8, 10) frente a
    las nuestras, con sus órdenes (:func:`original_orders`). Índice ``(method, epoch)``;
    columnas ``published``, ``batchlab`` (4 decimales) y ``match``."""
    rows = []
    sizes = {"full_batch": len(X), "sgd": 1, "mini_batch": 32}
    for key, published in ORIGINAL_PUBLISHED.items():
        h = train(
            model.copy(),
            X,
            y,
            batch_size=sizes[key],
            learning_rate=learning_rate,
            epochs=10,
            orders=original_orders(len(X)),
        )
        ours = np.round(h.train_loss[1::2], 4) if not h.diverged else [math.nan] * 5
        for epoch, p, o in zip((2, 4, 6, 8, 10), published, ours, strict=True):
            rows.append(
                {
                    "method": key,
                    "epoch": epoch,
                    "published": p,
                    "batchlab": float(o),
                    "match": bool(p == o),
                }
            )
    return pd.DataFrame(rows).set_index(["method", "epoch"])


def original_setup(df: pd.DataFrame):
    """La preparación del notebook original, con su fuga incluida, para comprobar sus cifras.

    Escala X e y con **todas** las filas, divide con ``random_state=11`` y crea los pesos
    con ``np.random.seed(42)`` y ``randn`` (generador antiguo de NumPy), como el original.
    Devuelve ``X_train, y_train, X_test, y_test, model``.
    """
    X = StandardScaler().fit_transform(df[FEATURES].to_numpy())
    y = StandardScaler().fit_transform(df[[TARGET]].to_numpy())
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=11)
    legacy = np.random.RandomState(42)
    model = MLP((8, 64, 32, 1), rng=0)
    for W in model.weights:
        W[...] = legacy.randn(*W.shape) * np.sqrt(2.0 / W.shape[0])
    return X_train, y_train, X_test, y_test, model
