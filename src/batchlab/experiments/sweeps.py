"""Notebooks 03 y 04: barridos de la tasa de aprendizaje y lo que se lee en ellos.

Un barrido entrena cada (B, lr) con varias semillas de barajado (:func:`lr_sweep`) y
se resume por (B, lr) (:func:`summarize_sweep`). La regla de la mejor tasa del notebook 03
está en :func:`choose_lr`.

Columnas (claves de máquina): ``method`` (ver :func:`batchlab.methods.method_id`),
``B`` (tamaño del batch), ``lr``, ``seed``, ``val_loss``, ``train_loss``, ``diverged``;
en el resumen ``median``, ``worst`` (pérdidas de validación entre semillas),
``diverged_runs`` y ``runs``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..mlp import MLP
from ..stats import wilson_interval
from .grid import run_grid, runs_for

__all__ = [
    "choose_lr",
    "lr_sweep",
    "summarize_sweep",
]


def lr_sweep(
    model: MLP,
    X: np.ndarray,
    y: np.ndarray,
    X_val: np.ndarray,
    y_val: np.ndarray,
    grid: dict[int, Sequence[float]],
    *,
    epochs: int,
    seeds: Sequence[int] = (0,),
    n_jobs: int = 1,
    optimizer: str = "sgd",
    init_seeds: Sequence[int] | None = None,
) -> pd.DataFrame:
    """Barrido de tasas de aprendizaje: ``grid = {tamaño de batch: [tasas]}``.

    Cada combinación se entrena con cada semilla de barajado de `seeds`, partiendo
    siempre de los pesos de `model`; con `init_seeds` (una por semilla de barajado), la
    ejecución r parte de ``MLP(model.layer_sizes, rng=init_seeds[r])``: varían a la vez
    el orden y los pesos iniciales. Lo entrena :func:`batchlab.experiments.grid.run_grid`
    (con su regla de B ≥ N). Devuelve una fila por entrenamiento: ``method``, ``B``,
    ``lr``, ``seed``, ``val_loss``, ``train_loss``, ``diverged``, ``init_seed`` (<NA> con
    los pesos de `model`) e ``improved`` (acaba por debajo de la pérdida inicial).
    """
    paired = init_seeds is not None
    if paired and len(init_seeds) != len(seeds):
        raise ValueError("init_seeds debe tener una semilla por cada semilla de barajado.")
    inits = list(init_seeds) if paired else [None]
    runs = runs_for(grid, list(seeds), n=len(X), inits=inits, paired=paired)
    table = run_grid(
        runs, X, y, model=model, n_jobs=n_jobs, epochs=epochs, X_val=X_val, y_val=y_val,
        optimizer=optimizer,
    ).table()  # fmt: skip
    table = table.rename(columns={"init": "init_seed"})
    table["init_seed"] = table["init_seed"].astype("Int64")
    cols = ["method", "B", "lr", "seed", "val_loss", "train_loss", "diverged", "init_seed"]
    return table[[*cols, "improved"]]


def summarize_sweep(table: pd.DataFrame) -> pd.DataFrame:
    """Por (B, lr), en el orden del barrido: mediana y peor pérdida de validación entre
    semillas, divergencias y ejecuciones; y el intervalo de Wilson (95 %) de la
    proporción de divergencias (``div_low``, ``div_high``)."""
    grouped = table.groupby(["B", "lr"], sort=False)
    summary = pd.DataFrame(
        {
            "method": grouped["method"].first(),
            "median": grouped["val_loss"].median(),
            "worst": grouped["val_loss"].max(),
            "diverged_runs": grouped["diverged"].sum().astype(int),
            "runs": grouped["diverged"].size(),
        }
    ).reset_index()[["method", "lr", "B", "median", "worst", "diverged_runs", "runs"]]
    bounds = [
        wilson_interval(int(k), int(n))
        for k, n in zip(summary["diverged_runs"], summary["runs"], strict=True)
    ]
    summary["div_low"] = [lo for lo, _ in bounds]
    summary["div_high"] = [hi for _, hi in bounds]
    if "improved" in table:  # sin divergir, acaban peor que al empezar («no mejoran»)
        worse = (~table["diverged"].astype(bool)) & (~table["improved"].astype(bool))
        summary["worse_runs"] = (
            worse.groupby([table["B"], table["lr"]], sort=False).sum().to_numpy()
        )
    return summary


def choose_lr(summary: pd.DataFrame) -> pd.DataFrame:
    """**La regla de la tasa** (notebook 03): por método, la menor mediana de validación
    entre las tasas que no divergieron en ninguna de sus ejecuciones (empate: la mayor) y
    en las que ninguna acabó peor que al empezar (``worse_runs``, si el barrido lo trae).

    Si ninguna tasa de la rejilla entrena sin divergir, no se elige ninguna
    (``lr`` NaN, ``reliable`` False): nunca «la que menos diverge». Índice ``method``
    en el orden del barrido; columnas ``B``, ``lr``, ``median``, ``diverged_runs``,
    ``runs``, ``div_high`` y ``reliable``.
    """
    rows = []
    for method, grp in summary.groupby("method", sort=False):
        worse = grp["worse_runs"] if "worse_runs" in grp else 0
        ok = grp[(grp["diverged_runs"] == 0) & (worse == 0) & np.isfinite(grp["median"])]
        if ok.empty:
            rows.append(
                {
                    "method": method,
                    "B": int(grp["B"].iloc[0]),
                    "lr": math.nan,
                    "median": math.nan,
                    "diverged_runs": math.nan,
                    "runs": int(grp["runs"].iloc[0]),
                    "div_high": math.nan,
                    "reliable": False,
                }
            )
            continue
        best = ok.sort_values(["median", "lr"], ascending=[True, False], kind="stable").iloc[0]
        rows.append(
            {
                "method": method,
                "B": int(best["B"]),
                "lr": float(best["lr"]),
                "median": float(best["median"]),
                "diverged_runs": int(best["diverged_runs"]),
                "runs": int(best["runs"]),
                "div_high": wilson_interval(0, int(best["runs"]))[1],
                "reliable": True,
            }
        )
    return pd.DataFrame(rows).set_index("method")
