"""Notebook 04: la tasa óptima frente a B, medida con muchas ejecuciones (issue 12).

Reglas escritas una vez y usadas por el notebook y sus tests:

* la **rejilla** B × lr con varias semillas por celda (:func:`grid_runs`, una fila por
  ejecución, las columnas de :func:`batchlab.sweeps.lr_sweep`) y su lectura por B
  (:func:`optimal_and_stable`): la tasa **óptima** (mejor mediana entre las tasas sin
  ninguna divergencia), la **máxima estable** (frontera) y las banderas «borde inferior»,
  «borde superior» y «en la frontera»;
* el **ajuste** ε_opt(B) = ε_max / (1 + B_ruido/B) (:func:`fit_optimal_rate`) con su
  bootstrap sobre ejecuciones (:func:`bootstrap_rates`).

Los pasos hasta un objetivo están en :mod:`batchlab.experiments.targets`; el diagnóstico de
las curvas del experimento del blog, en :mod:`batchlab.experiments.schedules`; las
conclusiones sobre cantidades ajustadas, en :mod:`batchlab.claims`.

Claves de máquina: ``B``, ``lr``, ``seed``, ``val_loss``, ``diverged``; ``opt``,
``stable``, ``flags``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..mlp import MLP
from .sweeps import lr_sweep

__all__ = [
    "bootstrap_rates",
    "fit_optimal_rate",
    "grid_cells",
    "grid_runs",
    "optimal_and_stable",
    "optimal_rates",
    "quarter_decades",
    "round_rate",
]


# -- la rejilla ---------------------------------------------------------------------


def grid_runs(model: MLP, X, y, X_val, y_val, grid: dict, *, seeds, **kw) -> pd.DataFrame:
    """La rejilla ``{B: [tasas]}`` con cada semilla de barajado, desde los pesos de `model`.

    Es :func:`batchlab.experiments.sweeps.lr_sweep` (``seeds`` obligatorio; además ``epochs``,
    ``n_jobs``, ``optimizer``) con las columnas que lee la rejilla: ``method``,
    ``B``, ``lr``, ``seed``, ``val_loss``, ``train_loss`` y ``diverged``.
    """
    table = lr_sweep(model, X, y, X_val, y_val, grid, seeds=seeds, **kw)
    return table[["method", "B", "lr", "seed", "val_loss", "train_loss", "diverged"]]


def grid_cells(runs: pd.DataFrame) -> pd.DataFrame:
    """Por (B, lr): mediana de la validación (inf si divergen la mitad o más), k y n."""
    val = runs["val_loss"].where(~runs["diverged"].astype(bool), np.inf)
    g = runs.assign(val=val).groupby(["B", "lr"])
    return pd.DataFrame(
        {
            "median": g["val"].median(),
            "diverged_runs": g["diverged"].sum().astype(int),
            "runs": g["val"].size(),
        }
    ).reset_index()


def optimal_and_stable(cell: pd.DataFrame) -> dict:
    """Lectura de las ejecuciones de **un** B (columnas ``lr``, ``val_loss``, ``diverged``).

    * ``opt``: la tasa con menor mediana entre las que no divergen en ninguna ejecución;
    * ``stable``: la mayor tasa tal que ella y todas las menores no divergen nunca;
    * ``flags``: «borde inferior» / «borde superior» (el óptimo en un extremo de la
      rejilla: el verdadero puede estar fuera) y «en la frontera» (la tasa siguiente ya
      diverge alguna vez: el óptimo mide la frontera de divergencia, no un mínimo interior).

    Sin ninguna tasa sin divergencias: ``opt`` y ``stable`` son NaN y ``flags`` lo dice.
    """
    div = cell["diverged"].astype(bool)
    val = cell["val_loss"].where(~div, np.inf)
    g = (
        pd.DataFrame({"lr": cell["lr"], "val": val, "div": div})
        .groupby("lr")
        .agg(med=("val", "median"), k=("div", "sum"))
        .sort_index()
    )
    ok = g[g["k"] == 0]
    if ok.empty:
        return {"opt": math.nan, "stable": math.nan, "flags": "todas divergen"}
    opt = float(ok["med"].idxmin())
    unstable = g.index[g["k"] > 0]
    first_bad = float(unstable.min()) if len(unstable) else math.inf
    below = g.index[g.index < first_bad]
    stable = float(below.max()) if len(below) else math.nan
    flags = []
    if opt == g.index.min() and len(g) > 1:
        flags.append("borde inferior")
    if opt == g.index.max() and len(g) > 1:
        flags.append("borde superior")
    if opt == stable and math.isfinite(first_bad):
        flags.append("en la frontera")
    return {"opt": opt, "stable": stable, "flags": ", ".join(flags)}


def optimal_rates(runs: pd.DataFrame) -> pd.DataFrame:
    """:func:`optimal_and_stable` para cada B, con la mediana y «k de n» en el óptimo."""
    rows = []
    for B, cell in runs.groupby("B"):
        r = optimal_and_stable(cell)
        at = cell[cell["lr"] == r["opt"]]
        rows.append(
            {
                "B": int(B),
                **r,
                "median": float(at["val_loss"].median()) if len(at) else math.nan,
                "runs": int(len(at)),
            }
        )
    cols = ["B", "opt", "stable", "flags", "median", "runs"]
    return pd.DataFrame(rows, columns=cols).set_index("B")


def quarter_decades(lr: float) -> list[float]:
    """Los dos vecinos a un cuarto de década de `lr` (la rejilla fina alrededor del óptimo)."""
    return [round_rate(lr * 10**-0.25), round_rate(lr * 10**0.25)]


def round_rate(lr: float) -> float:
    """Una tasa con 4 cifras significativas (0.1·10^0.25 y 10^-0.75 son la misma tasa)."""
    return float(f"{lr:.4g}")


# -- el ajuste ε_opt(B) = ε_max / (1 + B_ruido/B) --------------------------------------
def fit_optimal_rate(batch_sizes: Sequence[float], rates: Sequence[float]) -> tuple[float, float]:
    """(ε_max, B_ruido) de ε_opt(B) = ε_max / (1 + B_ruido/B) por mínimos cuadrados en log ε.

    Cada B pesa igual; NaN si hay menos de 3 puntos válidos. Para cada B_ruido, el mejor
    log ε_max es una media (forma cerrada); B_ruido se busca en una rejilla logarítmica de
    [0.01, 1e7] que se afina dos veces alrededor del mejor valor (los extremos significan
    «no identificado» por los datos).
    """
    B, eps = np.asarray(batch_sizes, float), np.asarray(rates, float)
    ok = np.isfinite(eps) & (eps > 0)
    if ok.sum() < 3:
        return math.nan, math.nan
    B, le = B[ok], np.log(eps[ok])
    lo, hi = math.log(0.01), math.log(1e7)
    for _ in range(3):
        c = np.linspace(lo, hi, 801)
        shift = np.log1p(np.exp(c)[:, None] / B[None, :])  # log(1 + B_ruido/B)
        a = (le[None, :] + shift).mean(axis=1)  # mejor log ε_max para cada B_ruido
        sse = ((a[:, None] - shift - le[None, :]) ** 2).sum(axis=1)
        k = int(np.argmin(sse))
        step = c[1] - c[0]
        lo, hi = c[max(k - 1, 0)], c[min(k + 1, len(c) - 1)]
        best = (float(np.exp(a[k])), float(np.exp(c[k])))
        if step < 1e-7:
            break
    return best


def bootstrap_rates(runs: pd.DataFrame, n_boot: int = 200, seed: int = 0) -> dict:
    """Réplicas bootstrap de la tasa óptima y la máxima estable de cada B.

    Se remuestrean los barajados (semillas) dentro de cada B, cada uno con todas sus tasas
    (un barajado es un orden de las filas), y se aplica la regla de
    :func:`optimal_and_stable`. Devuelve ``{"B": [...], "opt": (n_boot, nB),
    "stable": (n_boot, nB)}`` (NaN donde la réplica no tiene tasa).
    """
    rng = np.random.default_rng(seed)
    Bs = sorted(int(b) for b in runs["B"].unique())
    opt = np.full((n_boot, len(Bs)), np.nan)
    stable = np.full((n_boot, len(Bs)), np.nan)
    for j, B in enumerate(Bs):
        d = runs[runs["B"] == B]
        div = d["diverged"].astype(bool)
        val = d.assign(v=d["val_loss"].where(~div, np.inf), k=div.astype(int))
        V = val.pivot_table(index="seed", columns="lr", values="v", aggfunc="first")
        K = val.pivot_table(index="seed", columns="lr", values="k", aggfunc="first")
        lrs = V.columns.to_numpy(float)
        V, K = V.to_numpy(float), K.to_numpy(float)
        if np.isnan(V).any():  # una semilla sin alguna tasa: no se puede remuestrear en bloque
            raise ValueError(f"B={B}: todas las semillas deben tener las mismas tasas")
        for i in range(n_boot):
            pick = rng.integers(0, len(V), len(V))
            med = np.median(V[pick], axis=0)
            k = K[pick].sum(axis=0)
            opt[i, j], stable[i, j] = _opt_stable(lrs, med, k)
    return {"B": Bs, "opt": opt, "stable": stable}


def _opt_stable(lrs: np.ndarray, med: np.ndarray, k: np.ndarray) -> tuple[float, float]:
    """La regla de :func:`optimal_and_stable` sobre arrays ordenados por tasa."""
    ok = k == 0
    opt = float(lrs[ok][np.argmin(med[ok])]) if ok.any() else math.nan
    bad = np.flatnonzero(k > 0)
    below = lrs[: bad[0]] if len(bad) else lrs
    return opt, float(below.max()) if len(below) else math.nan
