"""Notebooks 03 y 04: barridos de la tasa de aprendizaje y lo que se lee en ellos.

Un barrido entrena cada (B, lr) con varias semillas de barajado (:func:`lr_sweep`) y
se resume por (B, lr) (:func:`summarize_sweep`). La **regla de la mejor tasa** está
escrita una vez (:func:`safe_worst` y :func:`best_learning_rates`): se prefieren las
tasas que no divergen con ninguna semilla y, entre ellas, la de mejor peor pérdida.
De ahí salen la tasa refinada (:func:`best_lr_by_batch`), las rectas de escalado
(:func:`scaling_segments`) y la banda de tasas buenas (:func:`good_lr_band`).

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

from .claims import wilson_interval
from .methods import method_id
from .mlp import MLP
from .training import History

__all__ = [
    "best_learning_rates",
    "choose_lr",
    "lr_sweep",
    "safe_worst",
    "summarize_sweep",
]


def _row(h: History, lr: float, seed: int, init_seed) -> dict:
    """La fila de un entrenamiento del barrido: pérdidas finales (inf si diverge)."""
    return {
        "B": h.batch_size,
        "lr": lr,
        "seed": seed,
        "val_loss": h.final_val_loss,
        "train_loss": h.final_train_loss,
        "diverged": h.diverged,
        "init_seed": init_seed,
        "improved": h.improved,
    }


def _chunks(items: list, parts: int) -> list[list]:
    """`items` en `parts` trozos contiguos (sin trozos vacíos)."""
    bounds = np.linspace(0, len(items), min(parts, len(items)) + 1).astype(int)
    return [items[a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True)]


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
    progress: bool = False,
    init_seeds: Sequence[int] | None = None,
) -> pd.DataFrame:
    """Barrido de tasas de aprendizaje: ``grid = {tamaño de batch: [tasas]}``.

    Cada combinación se entrena con cada semilla de barajado de `seeds`, partiendo
    siempre de los pesos de `model`; con `init_seeds` (una por semilla de barajado), la
    ejecución r parte de ``MLP(model.layer_sizes, rng=init_seeds[r])``: varían a la vez
    el orden y los pesos iniciales. Los entrenamientos de un mismo B avanzan juntos
    (:func:`batchlab.lockstep.train_groups`); con ``n_jobs > 1`` los grupos se reparten
    en procesos, con los mismos números que en serie. Devuelve una fila por
    entrenamiento: ``method``, ``B``, ``lr``, ``seed``, ``val_loss``, ``train_loss``,
    ``diverged``, ``init_seed`` (<NA> con los pesos de `model`) e ``improved`` (acaba
    por debajo de la pérdida inicial).
    """
    from tqdm import tqdm

    from .lockstep import train_groups

    seeds = list(seeds)
    if init_seeds is not None and len(init_seeds) != len(seeds):
        raise ValueError("init_seeds debe tener una semilla por cada semilla de barajado.")
    inits = list(init_seeds) if init_seeds is not None else [None] * len(seeds)

    def start(init):
        return model.copy() if init is None else MLP(model.layer_sizes, rng=init)

    groups, jobs = [], []
    for bs, lrs in grid.items():
        cells = [(lr, sd, init) for lr in lrs for sd, init in zip(seeds, inits, strict=True)]
        for part in _chunks(cells, max(1, n_jobs)):
            jobs.append([(bs, *cell) for cell in part])
            groups.append(
                dict(
                    models=[start(init) for _, _, init in part],
                    learning_rates=[lr for lr, _, _ in part],
                    seeds=[sd for _, sd, _ in part],
                    batch_size=bs,
                )
            )
    rows = []
    # disable solo si no se pide barra: un disable=False explícito ignoraría TQDM_DISABLE
    bar_options = {} if progress else {"disable": True}
    with tqdm(total=len(groups), desc=f"barrido {optimizer}", **bar_options) as bar:
        step = max(1, n_jobs)
        for a in range(0, len(groups), step):
            parts = train_groups(
                groups[a : a + step],
                X,
                y,
                n_jobs=n_jobs,
                epochs=epochs,
                X_val=X_val,
                y_val=y_val,
                optimizer=optimizer,
            )
            for job, histories in zip(jobs[a : a + step], parts, strict=True):
                for (_, lr, sd, init), h in zip(job, histories, strict=True):
                    rows.append(_row(h, lr, sd, init))
            bar.update(len(parts))
    table = pd.DataFrame(rows)
    table["init_seed"] = table["init_seed"].astype("Int64")
    table.insert(0, "method", [method_id(b, len(X)) for b in table["B"]])
    return table


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


def safe_worst(summary: pd.DataFrame) -> pd.Series:
    """La peor pérdida de cada fila, o inf si alguna semilla divergió: lo que se minimiza."""
    ok = (summary["diverged_runs"] == 0) & np.isfinite(summary["worst"])
    return summary["worst"].where(ok, np.inf)


def best_learning_rates(summary: pd.DataFrame) -> pd.DataFrame:
    """La mejor tasa de cada B, en el orden del barrido (índice ``B``).

    Se prefiere la que no diverge con ninguna semilla y, entre ellas, la de mejor **peor**
    pérdida (:func:`safe_worst`); si todas divergen alguna vez, la de menos divergencias
    (``reliable`` = False).
    """
    ranked = summary.assign(
        _worst=summary["worst"].where(np.isfinite(summary["worst"]), np.inf),
        _median=summary["median"].where(np.isfinite(summary["median"]), np.inf),
    ).sort_values(["diverged_runs", "_worst", "_median"], kind="stable")
    best = ranked.groupby("B", sort=False).head(1).set_index("B")
    best = best.loc[list(dict.fromkeys(summary["B"]))]  # orden del barrido
    best["reliable"] = best["diverged_runs"] == 0
    return best.drop(columns=["_worst", "_median"])
