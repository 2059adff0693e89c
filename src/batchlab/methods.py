"""Notebook 03: batch completo, SGD y mini-batch, comparados con justicia.

Los tres métodos son el mismo ``train()`` con otro tamaño de batch B. Los resultados se
guardan por **clave de método** (:func:`method_id`: ``"full_batch"``, ``"sgd"``,
``"mini_batch"``), que no depende de N; el B de cada ejecución va en su ``History`` (o
en la columna ``B``). Las etiquetas en español salen de :mod:`batchlab.labels`.
Comparaciones: a igual número de épocas (:func:`compare_methods`,
:func:`epoch_table`), de actualizaciones (:func:`loss_at_updates`) y de tiempo
(:func:`race`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from .batching import batches_per_epoch
from .data import HousingSplit
from .labels import method_label
from .mlp import MLP
from .training import History, train

__all__ = [
    "compare_methods",
    "epoch_table",
    "loss_at_updates",
    "method_id",
    "method_labels",
    "race",
]


def method_id(batch_size: int, n: int) -> str:
    """La clave del método según B y las N filas: ``full_batch``, ``sgd`` o ``mini_batch``."""
    if batch_size >= n:
        return "full_batch"
    return "sgd" if batch_size == 1 else "mini_batch"


def method_labels(batch_sizes: Sequence[int], n: int) -> dict[str, str]:
    """``{clave del método: etiqueta en español}`` de unos tamaños de batch (para mostrar)."""
    return {
        key: method_label(key, b)
        for key, b in zip(_method_ids(batch_sizes, n), batch_sizes, strict=True)
    }


def _method_ids(batch_sizes: Sequence[int], n: int) -> list[str]:
    """Las claves de `batch_sizes`; cada método una sola vez (si no, se pisarían)."""
    ids = [method_id(b, n) for b in batch_sizes]
    if len(set(ids)) != len(ids):
        raise ValueError(f"Cada método una sola vez: los tamaños {list(batch_sizes)} dan {ids}.")
    return ids


def compare_methods(
    model: MLP,
    X: np.ndarray,
    y: np.ndarray,
    batch_sizes: Sequence[int],
    learning_rates: float | Sequence[float],
    *,
    epochs: int,
    seed: int,
    **train_kwargs,
) -> dict[str, History]:
    """Entrena una copia de `model` (mismos pesos iniciales) por tamaño de batch.

    `learning_rates` es una tasa común o una por método. Devuelve
    ``{clave del método: History}`` en el orden de `batch_sizes`.
    """
    lrs = (
        [learning_rates] * len(batch_sizes) if np.isscalar(learning_rates) else list(learning_rates)
    )
    if len(lrs) != len(batch_sizes):
        raise ValueError("Da una tasa de aprendizaje común o una por tamaño de batch.")
    ids = _method_ids(batch_sizes, len(X))
    return {
        key: train(
            model.copy(),
            X,
            y,
            batch_size=bs,
            learning_rate=lr,
            epochs=epochs,
            seed=seed,
            **train_kwargs,
        )
        for key, bs, lr in zip(ids, batch_sizes, lrs, strict=True)
    }


def epoch_table(histories: dict[str, History]) -> pd.DataFrame:
    """Pérdida por época de cada método.

    Columnas ``(clave, "train")`` y, si hubo validación/prueba, ``(clave, "test")``;
    índice ``epoch`` desde 1.
    """
    columns = {}
    for name, h in histories.items():
        columns[(name, "train")] = pd.Series(h.train_loss)
        if h.val_loss is not None:
            columns[(name, "test")] = pd.Series(h.val_loss)
    table = pd.DataFrame(columns)
    table.index = pd.RangeIndex(1, len(table) + 1, name="epoch")
    return table


def loss_at_updates(
    model: MLP,
    split: HousingSplit,
    batch_sizes: Sequence[int],
    learning_rate: float,
    n_updates: int,
    seed: int,
) -> pd.DataFrame:
    """Pérdida de prueba de cada método tras exactamente `n_updates` actualizaciones.

    Índice ``method``; columnas ``updates``, ``epochs_seen`` (muestras / N) y
    ``test_mse``.
    """
    rows = []
    n = len(split.X_train)
    for key, bs in zip(_method_ids(batch_sizes, n), batch_sizes, strict=True):
        m = model.copy()
        h = train(
            m,
            split.X_train,
            split.y_train,
            batch_size=bs,
            learning_rate=learning_rate,
            epochs=math.ceil(n_updates / batches_per_epoch(n, bs)),
            seed=seed,
            max_updates=n_updates,
        )
        rows.append(
            {
                "method": key,
                "updates": h.n_updates,
                "epochs_seen": h.samples_seen[-1] / n,
                "test_mse": m.loss(split.X_test, split.y_test),
            }
        )
    return pd.DataFrame(rows).set_index("method")


def race(
    model: MLP,
    split: HousingSplit,
    batch_sizes: Sequence[int],
    learning_rates: Sequence[float],
    time_budget: float,
    seed: int,
    checkpoints: int = 40,
) -> dict[str, History]:
    """Cada método entrena `time_budget` segundos, evaluando la prueba por el camino.

    Unos `checkpoints` puntos de control por época (uno por actualización con el batch
    completo). Los resultados dependen de la velocidad de la máquina. Devuelve
    ``{clave del método: History}``.
    """
    n = len(split.X_train)
    out = {}
    for key, bs, lr in zip(_method_ids(batch_sizes, n), batch_sizes, learning_rates, strict=True):
        out[key] = train(
            model.copy(),
            split.X_train,
            split.y_train,
            batch_size=bs,
            learning_rate=lr,
            epochs=10**6,
            seed=seed,
            X_val=split.X_test,
            y_val=split.y_test,
            eval_every=max(1, batches_per_epoch(n, bs) // checkpoints),
            time_budget=time_budget,
        )
    return out
