"""Notebook 03, sección 8: la recta ŷ = w·x + b en el plano de parámetros (el cuenco).

Sobre :mod:`batchlab.experiments.linear` (trayectorias, superficie de pérdida, bola de
ruido), lo que el notebook lee de ellas:

* los caminos de cada método desde el mismo inicio (:func:`method_paths`) y la rejilla de
  la pérdida donde se dibujan (:func:`loss_grid`);
* cómo es cada camino: distancia final al mínimo, longitud y zig-zag (:func:`path_table`,
  :func:`w_reversals`), y si un camino acaba cerca del mínimo (:func:`ends_near`);
* la bola de ruido: el radio mediano por tasa, dividido entre η y entre √η
  (:func:`radius_table`), y la pendiente log-log de cada semilla (:func:`slopes`).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from .linear import linear_loss_surface, linear_paths

__all__ = [
    "SLOW_FACTOR",
    "ends_near",
    "loss_grid",
    "method_paths",
    "path_table",
    "radius_table",
    "slopes",
    "w_reversals",
]

#: SGD y el mini-batch se dibujan con la tasa del batch completo dividida entre esto
SLOW_FACTOR = 5


def method_paths(
    x: np.ndarray,
    y: np.ndarray,
    learning_rate: float,
    n_updates: int,
    *,
    mini_batch: int,
    start: tuple[float, float],
    seed: int,
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Los caminos (w, b) desde `start`: el batch completo con `learning_rate`, el
    mini-batch y SGD con ``learning_rate / SLOW_FACTOR`` (en ese orden), y aparte el de SGD
    con la misma tasa que el batch completo. Devuelve ``({método: camino}, camino_sgd)``."""
    common = {"start": start, "seed": seed}
    paths = linear_paths(x, y, [len(x)], learning_rate, n_updates, **common)
    slow = learning_rate / SLOW_FACTOR
    paths.update(linear_paths(x, y, [mini_batch, 1], slow, n_updates, **common))
    same_rate = linear_paths(x, y, [1], learning_rate, n_updates, **common)["sgd"]
    return paths, same_rate


def loss_grid(
    x: np.ndarray, y: np.ndarray, optimum: tuple[float, float], n: int = 160
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """La rejilla (w, b) alrededor del mínimo donde se dibujan los caminos y la pérdida en
    cada punto: ``(w_grid, b_grid, superficie)``."""
    w_opt, b_opt = optimum
    w_grid = np.linspace(w_opt - 0.45, w_opt + 0.3, n)
    b_grid = np.linspace(b_opt - 0.8, b_opt + 1.8, n)
    return w_grid, b_grid, linear_loss_surface(x, y, w_grid, b_grid)


def w_reversals(path: np.ndarray) -> float:
    """Fracción de pasos en los que w cambia de sentido (el zig-zag); 0 con menos de 3 puntos."""
    d = np.sign(np.diff(path[:, 0]))
    return float(np.mean(d[1:] * d[:-1] < 0)) if len(d) > 1 else 0.0


def path_table(paths: Mapping[str, np.ndarray], optimum: tuple[float, float]) -> pd.DataFrame:
    """Por método (índice, en el orden de `paths`): ``final_distance`` (del último punto al
    mínimo), ``path_length`` (suma de los pasos) y ``w_reversals``; inf o NaN si divergió."""
    with np.errstate(over="ignore", invalid="ignore"):
        rows = {
            key: {
                "final_distance": float(np.hypot(*(p[-1] - optimum))),
                "path_length": float(np.hypot(*np.diff(p, axis=0).T).sum()),
                "w_reversals": w_reversals(p),
            }
            for key, p in paths.items()
        }
    return pd.DataFrame.from_dict(rows, orient="index")


def ends_near(path: np.ndarray, optimum: tuple[float, float], radius: float = 10.0) -> bool:
    """Si el camino acaba con números finitos a menos de `radius` del mínimo (no divergió)."""
    end = path[-1]
    return bool(np.isfinite(end).all() and np.hypot(*(end - optimum)) < radius)


def radius_table(ball: pd.DataFrame) -> pd.DataFrame:
    """El radio mediano de la bola de ruido por tasa (índice ``lr``, de mayor a menor) y ese
    radio entre √η (``radius_sqrt_lr``) y entre η (``radius_lr``): es constante la columna
    de la ley que sigue. `ball` es :func:`batchlab.experiments.linear.noise_ball_table`."""
    radius = ball.groupby("lr")["radius"].median().sort_index(ascending=False)
    return pd.DataFrame(
        {
            "radius": radius,
            "radius_sqrt_lr": radius / np.sqrt(radius.index),
            "radius_lr": radius / radius.index,
        }
    )


def slopes(ball: pd.DataFrame) -> np.ndarray:
    """La pendiente de log(radio) frente a log(η) de cada semilla (una por semilla)."""
    return ball.groupby("seed")["slope"].first().to_numpy()
