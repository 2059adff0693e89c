"""Notebooks 03 (sección 6) y 04 (sección 9): una recta, el modelo de dos parámetros.

``ŷ = w·x + b`` es el mismo :class:`~batchlab.mlp.MLP` sin capas ocultas,
``MLP((1, 1))``, con θ = (w, b): se puede dibujar su pérdida (:func:`linear_loss_surface`),
el camino de cada método en el plano (w, b) (:func:`linear_paths`) y los fotogramas de
la recta ajustada batch a batch (:func:`line_fit_frames`). Los batches salen de
:mod:`batchlab.batching`, la misma regla que usa ``train()``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from itertools import islice

import numpy as np
import pandas as pd

from ..labels import method_id
from ..mlp import MLP
from ..training import train
from ..training.batching import batches_per_epoch, epoch_orders, minibatches

__all__ = [
    "bowl_curvatures",
    "line_batches",
    "line_fit_frames",
    "linear_loss_surface",
    "linear_paths",
    "noise_ball_radius",
    "noise_ball_table",
]


def linear_loss_surface(x: np.ndarray, y: np.ndarray, w: np.ndarray, b: np.ndarray) -> np.ndarray:
    """MSE de ``ŷ = w·x + b`` en una rejilla (w, b), exacto a partir de los momentos de x, y."""
    x, y = np.ravel(x), np.ravel(y)
    ex, ey, exx, eyy, exy = x.mean(), y.mean(), (x * x).mean(), (y * y).mean(), (x * y).mean()
    W, B = np.meshgrid(w, b)
    return W**2 * exx + B**2 + eyy + 2 * W * B * ex - 2 * W * exy - 2 * B * ey


def _line_trajectory(
    x,
    y,
    batch_size: int,
    learning_rate: float,
    n_updates: int,
    start: tuple[float, float],
    seed: int,
) -> np.ndarray:
    """θ = (w, b) de ``ŷ = w·x + b`` antes de empezar y tras cada actualización de SGD."""
    x = np.asarray(x, dtype=np.float64).reshape(-1, 1)
    y = np.asarray(y, dtype=np.float64).reshape(-1, 1)
    model = MLP((1, 1), rng=seed)
    model.theta[:] = start
    points = [model.theta.copy()]
    train(
        model,
        x,
        y,
        batch_size=batch_size,
        learning_rate=learning_rate,
        seed=seed,
        epochs=math.ceil(n_updates / batches_per_epoch(len(x), batch_size)),
        max_updates=n_updates,
        callback=lambda t, m: points.append(m.theta.copy()),
    )
    return np.array(points)


def linear_paths(
    x: np.ndarray,
    y: np.ndarray,
    batch_sizes: Sequence[int],
    learning_rate: float,
    n_updates: int,
    start: tuple[float, float],
    seed: int,
) -> dict[str, np.ndarray]:
    """Trayectoria (w, b) de SGD en ``ŷ = w·x + b`` para cada tamaño de batch.

    Devuelve ``{clave del método: array (n_updates + 1, 2)}`` empezando en `start`.
    """
    n = len(np.ravel(x))
    return {
        method_id(bs, n): _line_trajectory(x, y, bs, learning_rate, n_updates, start, seed)
        for bs in batch_sizes
    }


def line_batches(n: int, batch_size: int, n_updates: int, seed: int) -> list[np.ndarray]:
    """Las filas de cada una de las primeras `n_updates` actualizaciones de ``train()``.

    Las mismas épocas barajadas (:func:`~batchlab.batching.epoch_orders`) cortadas en
    los mismos batches (:func:`~batchlab.batching.minibatches`).
    """

    def every_batch():
        for order in epoch_orders(n, seed):
            for s in minibatches(n, batch_size):
                yield order[s]

    return list(islice(every_batch(), n_updates))


def line_fit_frames(
    x: np.ndarray,
    y: np.ndarray,
    settings: Sequence[tuple[int, float]],
    n_updates: int,
    seed: int,
    start: tuple[float, float] = (0.0, 0.0),
) -> list[dict[str, np.ndarray]]:
    """Lo que necesita la animación de una recta ajustada batch a batch.

    Para cada ``(B, lr)`` de `settings`, un diccionario con ``B``, ``lr``, ``theta``
    ((w, b) antes de empezar y tras cada actualización), ``loss`` (con todos los
    puntos) y ``batches`` (las filas de cada actualización).
    """
    x = np.asarray(x, float).reshape(-1, 1)
    y = np.asarray(y, float).reshape(-1, 1)
    out = []
    for B, lr in settings:
        theta = _line_trajectory(x, y, B, lr, n_updates, start, seed)
        loss = np.mean((theta[:, :1] * x.T + theta[:, 1:] - y.T) ** 2, axis=1)
        batches = line_batches(len(x), B, len(theta) - 1, seed)
        out.append({"B": B, "lr": lr, "theta": theta, "loss": loss, "batches": batches})
    return out


def bowl_curvatures(x: np.ndarray) -> tuple[float, float]:
    """Autovalores (menor, mayor) de la hessiana del MSE de ``w·x + b``:
    ``2·[[E x², E x], [E x, 1]]``. El batch completo es estable si ``lr < 2 / mayor``;
    su cociente es el número de condición (1 con x estandarizada: un cuenco redondo)."""
    x = np.ravel(np.asarray(x, dtype=np.float64))
    H = 2.0 * np.array([[np.mean(x * x), np.mean(x)], [np.mean(x), 1.0]])
    low, high = np.linalg.eigvalsh(H)
    return float(low), float(high)


def noise_ball_radius(
    x: np.ndarray,
    y: np.ndarray,
    learning_rate: float,
    *,
    batch_size: int = 1,
    n_updates: int = 20_000,
    burn_in: int = 2_000,
    seed: int = 0,
) -> float:
    """Radio de la «bola de ruido»: distancia cuadrática media de (w, b) al mínimo
    durante SGD empezando **en** el mínimo (se descartan las `burn_in` primeras)."""
    w_opt, b_opt = np.polyfit(np.ravel(x), np.ravel(y), 1)
    path = _line_trajectory(x, y, batch_size, learning_rate, n_updates, (w_opt, b_opt), seed)
    d = path[1 + burn_in :] - (w_opt, b_opt)
    return float(np.sqrt((d**2).sum(axis=1).mean()))


def noise_ball_table(
    x: np.ndarray, y: np.ndarray, learning_rates: Sequence[float], seeds: Sequence[int], **kw
) -> pd.DataFrame:
    """Radio de la bola de ruido por tasa y semilla de barajado, y la pendiente de
    log(radio) frente a log(lr) de cada semilla (½ si el radio crece como √lr, 1 si
    crece como lr). Columnas ``seed``, ``lr``, ``radius``, ``slope``."""
    rows = []
    for s in seeds:
        radii = [noise_ball_radius(x, y, lr, seed=s, **kw) for lr in learning_rates]
        slope = float(np.polyfit(np.log(learning_rates), np.log(radii), 1)[0])
        rows += [
            {"seed": s, "lr": lr, "radius": r, "slope": slope}
            for lr, r in zip(learning_rates, radii, strict=True)
        ]
    return pd.DataFrame(rows)
