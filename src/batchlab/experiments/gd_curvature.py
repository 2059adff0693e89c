"""Notebook 04, sección 6: la curvatura a lo largo del descenso de gradiente con el batch completo.

* la **traza** de λ_max durante el batch completo con su tasa óptima (:func:`trace`,
  :func:`trace_header`, :func:`trace_report`);
* ¿es 2/λ_max inicial el límite? Otras inicializaciones entrenadas con la menor tasa de la
  rejilla que lo supera (:func:`above_initial_bound`, :func:`bound_report`).

Claves de máquina: ``step``, ``loss``, ``lambda_max``; ``B``, ``lr`` de la rejilla.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..hessian import top_eigenvalue
from ..mlp import MLP
from ..training import train
from . import sharpness

__all__ = [
    "above_initial_bound",
    "bound_report",
    "full_batch_rate",
    "not_diverged",
    "trace",
    "trace_header",
    "trace_report",
]


def full_batch_rate(optima: pd.DataFrame, n: int) -> float:
    """La tasa óptima del batch completo (B = `n`), o NaN si no está o no es estable."""
    if n in optima.index and np.isfinite(optima.loc[n, "opt"]):
        return float(optima.loc[n, "opt"])
    return math.nan


def trace(model, X, y, learning_rate: float, steps, seed: int) -> pd.DataFrame:
    """Pérdida y λ_max en los pasos `steps` del batch completo (vacía si la tasa es NaN)."""
    if not np.isfinite(learning_rate):
        return pd.DataFrame()
    return pd.DataFrame(
        sharpness.sharpness_along_gd(
            model.copy(), X, y, learning_rate=learning_rate, steps=steps, seed=seed
        )
    )


def trace_header(learning_rate: float, lam0: float) -> str:
    """La tasa del batch completo frente a 2/λ_max inicial."""
    return (
        f"Batch completo con η = {learning_rate:g} (2/η = {2 / learning_rate:.3g}); "
        f"2/λ_max inicial = {2 / lam0:.3g}."
    )


def trace_report(table: pd.DataFrame, learning_rate: float) -> str:
    """Si la pérdida sube al principio y cómo cambia λ_max ("" con menos de dos puntos).

    `table` es la de :func:`trace` (columnas ``loss`` y ``lambda_max``).
    """
    if len(table) < 2:
        return ""
    rises = table["loss"].iloc[1] > table["loss"].iloc[0]
    lam = table["lambda_max"]
    return (
        f"La pérdida {'sube' if rises else 'no sube'} en el primer punto medido; λ_max pasa de "
        f"{lam.iloc[0]:.3g} a {lam.min():.3g} (mínimo) y termina en {lam.iloc[-1]:.3g} "
        f"(η·λ_max/2 = {learning_rate * lam.iloc[-1] / 2:.2f})."
    )


def above_initial_bound(
    grid: pd.DataFrame, X, y, lam0: float, n_inits: int, epochs: int, model_seed: int
) -> dict | None:
    """Entrena con B = N otras `n_inits` inicializaciones con la menor tasa sobre 2/λ_max.

    La tasa es la menor de la rejilla con B = N por encima de 2/`lam0`; con B = N el barajado
    no cambia nada, así que las repeticiones son otras inicializaciones (``model_seed + 1…``).
    Se entrenan solo las que tienen esa tasa por encima de **su** 2/λ_max inicial. Devuelve
    ``lr``, ``lambdas`` (de todas) y ``histories`` (de las entrenadas), o None si no hay tasa.
    """
    n = len(X)
    above = grid[(grid["B"] == n) & (grid["lr"] > 2 / lam0)]
    if not len(above):
        return None
    lr_above = above["lr"].min()
    inits = [MLP(rng=model_seed + 1 + k) for k in range(n_inits)]
    lambdas = [top_eigenvalue(m, X, y, tolerance=1e-4)[0] for m in inits]
    beyond = [m for m, lam in zip(inits, lambdas, strict=True) if lr_above > 2 / lam]
    histories = [
        train(m, X, y, batch_size=n, learning_rate=lr_above, epochs=epochs, seed=0) for m in beyond
    ]
    return {"lr": lr_above, "lambdas": lambdas, "histories": histories}


def bound_report(result: dict) -> str:
    """El rango de 2/λ_max inicial de las otras inicializaciones y cuántas supera la tasa.

    `result` es el de :func:`above_initial_bound`.
    """
    lambdas = result["lambdas"]
    return (
        f"Otras {len(lambdas)} inicializaciones: 2/λ_max inicial entre {2 / max(lambdas):.3g} y "
        f"{2 / min(lambdas):.3g}; lr = {result['lr']:g} la supera en {len(result['histories'])}."
    )


def not_diverged(result: dict) -> tuple[int, int]:
    """``(k, n)``: las inicializaciones entrenadas que no divergen y cuántas se entrenaron."""
    hist = result["histories"]
    return sum(not h.diverged for h in hist), len(hist)
