"""Notebook 04: la curvatura medida durante y después de entrenar.

λ_max al final de cada B con su tasa (:func:`final_sharpness`), a lo largo del descenso de
gradiente completo (:func:`sharpness_along_gd`) y la de un batch con y sin una fila extrema
(:func:`batch_sharpness`). Las piezas de cálculo (H·v exacto y Lanczos) están en
:mod:`batchlab.hessian`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .._checks import check_int
from ..hessian import sharpness_of, top_eigenvalue
from ..mlp import MLP
from .grid import run_grid, runs_for

__all__ = ["batch_sharpness", "final_sharpness", "sharpness_along_gd"]


def final_sharpness(
    model: MLP,
    X: np.ndarray,
    y: np.ndarray,
    rates: dict[int, float],
    *,
    epochs: int,
    seeds: Sequence[int],
    n_jobs: int = 1,
    tolerance: float = 1e-4,
) -> pd.DataFrame:
    """λ_max de la pérdida de entrenamiento al **final** de entrenar cada B con su tasa.

    Cada B de `rates` entrena `epochs` épocas desde `model` (que no cambia) con cada semilla
    de barajado (:func:`batchlab.experiments.grid.run_grid`, en `n_jobs` procesos, como los
    λ_max; un B ≥ N corre solo la primera semilla). Filas ``B``, ``lr``, ``seed``,
    ``diverged``, ``lambda_max`` (NaN si diverge).
    """
    epochs = check_int("epochs", epochs, 1)
    runs = runs_for({int(B): [float(rates[B])] for B in sorted(rates)}, list(seeds), n=len(X))
    grid = run_grid(runs, X, y, model=model, n_jobs=n_jobs, epochs=epochs)
    diverged = [h.diverged for h in grid.histories]
    lams = sharpness_of(grid.models, X, y, diverged, n_jobs=n_jobs, tolerance=tolerance)
    rows = [
        (r.batch_size, r.learning_rate, r.seed, d, lam)
        for r, d, lam in zip(runs, diverged, lams, strict=True)
    ]
    return pd.DataFrame(rows, columns=["B", "lr", "seed", "diverged", "lambda_max"])


def sharpness_along_gd(
    model: MLP,
    X: np.ndarray,
    y: np.ndarray,
    *,
    learning_rate: float,
    steps: list[int],
    seed: int = 0,
) -> list[dict]:
    """λ_max a lo largo del descenso de gradiente **completo** (entrena `model` en sitio).

    En cada paso de `steps` (ordenados, empezando por 0 si se quiere el inicial) mide la
    pérdida y λ_max, con Lanczos arrancado en el autovector del punto anterior.
    Devuelve filas ``step``, ``loss``, ``lambda_max``; para si la pérdida deja de ser finita.
    """
    rows, t, v = [], 0, None
    with np.errstate(over="ignore", invalid="ignore"):
        for target in sorted(steps):
            while t < target:
                model.train_step(X, y, learning_rate)
                t += 1
            loss = model.loss(X, y)
            if not np.isfinite(loss):
                break
            lam, v = top_eigenvalue(model, X, y, tolerance=1e-4, seed=seed, v0=v)
            rows.append({"step": t, "loss": loss, "lambda_max": lam})
    return rows


def batch_sharpness(
    model: MLP, X: np.ndarray, y: np.ndarray, row: int, batch_sizes: list[int], seed: int = 0
) -> list[dict]:
    """λ_max de la pérdida de **un batch** de B filas al azar, con y sin la fila `row` dentro.

    Filas ``B``, ``with_row`` (el batch incluye `row`) y ``without_row`` (el mismo batch
    con otra fila en su lugar).
    """
    rng = np.random.default_rng(seed)
    others = np.setdiff1d(np.arange(len(X)), [row])
    out = []
    for B in batch_sizes:
        idx = rng.choice(others, size=B, replace=False)
        with_row = np.r_[row, idx[1:]]
        lam_with, _ = top_eigenvalue(model, X[with_row], y[with_row], tolerance=1e-4, seed=seed)
        lam_without, _ = top_eigenvalue(model, X[idx], y[idx], tolerance=1e-4, seed=seed)
        out.append({"B": B, "with_row": lam_with, "without_row": lam_without})
    return out
