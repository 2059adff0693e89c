"""Notebook 03: muchas ejecuciones por configuración (issue 11).

Una conclusión sobre un método no puede descansar en una sola semilla: cada
configuración se entrena con `n_runs` pesos iniciales y órdenes de barajado
(:func:`run_seeds`), todas a la vez (:func:`many_runs`), y se resume por su mediana y
su «k de n» divergidas (:func:`runs_table`); las curvas se leen en puntos de control
comunes (:func:`checkpoint_matrix`, :func:`updates_to_target`). :func:`lottery` repite
SGD con las mismas semillas sobre varios subconjuntos de filas. Los resultados van por
clave de método (:func:`batchlab.methods.method_id`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..mlp import MLP
from ..training.divergence import final_loss_or_inf
from ..training.history import History
from .grid import Run, run_grid

__all__ = [
    "checkpoint_matrix",
    "final_losses",
    "lottery",
    "many_runs",
    "run_seeds",
    "runs_table",
    "updates_to_target",
]


def run_seeds(n_runs: int, model_seed: int, offset: int = 0) -> tuple[list[int], list[int]]:
    """Semillas de las `n_runs` ejecuciones de una configuración: la r parte de los pesos
    ``MLP(rng=model_seed + offset + r)`` y baraja con ``1000 + model_seed + offset + r``
    (varían a la vez la inicialización y el orden). Devuelve ``(iniciales, barajado)``."""
    base = model_seed + offset
    return [base + r for r in range(n_runs)], [1000 + base + r for r in range(n_runs)]


def many_runs(
    X: np.ndarray,
    y: np.ndarray,
    batch_sizes: dict[str, int],
    learning_rates: dict[str, float],
    *,
    init_seeds: Sequence[int],
    shuffle_seeds: Sequence[int],
    n_jobs: int = 1,
    overrides: dict[str, dict] | None = None,
    **train_kwargs,
) -> tuple[dict[str, list[History]], dict[str, list[MLP]]]:
    """Las mismas ejecuciones (pesos y barajado) para cada método, cada uno con su tasa.

    ``batch_sizes`` y ``learning_rates`` (una tasa, o una por ejecución) van por clave de
    método; la ejecución r parte de ``MLP(rng=init_seeds[r])`` y baraja con
    ``shuffle_seeds[r]`` (:func:`batchlab.experiments.grid.run_grid`, ``n_jobs`` procesos;
    los números no dependen de ``n_jobs``). ``overrides[método]`` cambia argumentos de
    ``train_many`` solo para ese método (p. ej. ``max_updates``). Devuelve
    ``({método: [History]}, {método: [MLP entrenado]})``, una entrada por ejecución.
    """
    runs = []
    for key, B in batch_sizes.items():
        rates = learning_rates[key]
        rates = list(rates) if np.ndim(rates) else [rates] * len(init_seeds)
        options = (overrides or {}).get(key, {})
        runs += [
            Run(int(B), float(lr), int(s), int(i), options, {"key": key})
            for lr, i, s in zip(rates, init_seeds, shuffle_seeds, strict=True)
        ]
    grid = run_grid(runs, X, y, n_jobs=n_jobs, **train_kwargs)
    histories = {key: [] for key in batch_sizes}
    models = {key: [] for key in batch_sizes}
    for r, h, m in zip(grid.runs, grid.histories, grid.models, strict=True):
        histories[r.tags["key"]].append(h)
        models[r.tags["key"]].append(m)
    return histories, models


def final_losses(histories: list[History], models: list[MLP], X, y) -> np.ndarray:
    """Pérdida de cada ejecución en (X, y) con sus pesos finales; inf si divergió.

    «Divergió» es la regla del curso, :func:`batchlab.training.divergence.final_loss_or_inf`:
    ``History.diverged`` o una pérdida final que explota (también en la última época).
    """
    return np.array([final_loss_or_inf(h, m, X, y) for h, m in zip(histories, models, strict=True)])


def runs_table(histories: dict[str, list[History]], losses: dict[str, np.ndarray]) -> pd.DataFrame:
    """Resumen por método de unas ejecuciones: B, lr, «k de n» divergidas y la mediana,
    el mínimo y el máximo de `losses` entre las que no divergieron. Índice ``method``."""
    rows = []
    for key, hs in histories.items():
        ok = np.asarray(losses[key])[[not h.diverged for h in hs]]
        k = sum(h.diverged for h in hs)
        rows.append(
            {
                "method": key,
                "B": hs[0].batch_size,
                "lr": hs[0].learning_rate,
                "diverged": f"{k} de {len(hs)}",
                "median": float(np.median(ok)) if len(ok) else math.nan,
                "min": float(ok.min()) if len(ok) else math.nan,
                "max": float(ok.max()) if len(ok) else math.nan,
            }
        )
    return pd.DataFrame(rows).set_index("method")


def checkpoint_matrix(histories: list[History], n_updates: int, every: int) -> np.ndarray:
    """Pérdida en los puntos de control 0, every, 2·every… ≤ n_updates, una fila por
    ejecución; inf desde que una ejecución divergió (nunca su último valor finito)."""
    n_points = n_updates // every + 1
    out = np.full((len(histories), n_points), math.inf)
    for i, h in enumerate(histories):
        losses = np.asarray(h.checkpoint_loss[:n_points], dtype=float)
        out[i, : len(losses)] = losses
        if h.diverged and len(losses):
            out[i, len(losses) - 1 :] = math.inf  # el punto de la divergencia, inclusive
    return np.where(np.isfinite(out), out, math.inf)


def updates_to_target(curves: np.ndarray, every: int, target: float) -> np.ndarray:
    """Primera actualización (múltiplo de `every`) con pérdida ≤ `target`, por ejecución;
    inf si no la alcanza."""
    hit = curves <= target
    first = np.where(hit.any(axis=1), hit.argmax(axis=1) * every, math.inf)
    return first.astype(float)


def lottery(
    X: np.ndarray,
    y: np.ndarray,
    subsets: dict[str, np.ndarray],
    *,
    learning_rate: float,
    init_seeds: Sequence[int],
    shuffle_seeds: Sequence[int],
    epochs: int = 3,
) -> dict[str, list[bool]]:
    """SGD (B = 1) con las mismas semillas sobre varios subconjuntos de filas
    (``{nombre: máscara booleana}``): qué ejecuciones divergen en cada uno."""
    out = {}
    runs = [
        Run(1, learning_rate, int(s), int(i))
        for i, s in zip(init_seeds, shuffle_seeds, strict=True)
    ]
    for name, keep in subsets.items():
        grid = run_grid(runs, X[keep], y[keep], epochs=epochs)
        out[name] = [h.diverged for h in grid.histories]
    return out
