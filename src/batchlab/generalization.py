"""Notebook 04: generalización entre tamaños de batch, comparada con intervalos.

* :func:`median_difference`: diferencia de medianas (b − a) entre dos grupos de
  ejecuciones y sus réplicas bootstrap (cada grupo se remuestrea por separado);
* :func:`equal_updates_epochs`: las épocas y actualizaciones de cada B para que todos den
  las actualizaciones del menor B (Hoffer et al., 2017, «entrena más»), con un tope de épocas;
* :func:`train_longer`: cada B con su tasa entrenado (a) las mismas épocas y (b) las mismas
  actualizaciones; pérdida de entrenamiento y de prueba, brecha y λ_max al final.

Claves de máquina: ``regime`` (``"epochs"`` / ``"updates"``), ``B``, ``lr``, ``seed``,
``epochs``, ``updates``, ``train``, ``test``, ``gap``, ``diverged``, ``lambda_max``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from ._checks import check_int
from .curvature import sharpness_of
from .lockstep import train_groups
from .mlp import MLP

__all__ = ["LONGER_COLUMNS", "equal_updates_epochs", "median_difference", "train_longer"]

#: columnas de :func:`train_longer`
LONGER_COLUMNS = [
    "regime",
    "B",
    "lr",
    "seed",
    "epochs",
    "updates",
    "train",
    "test",
    "gap",
    "diverged",
    "lambda_max",
]


def median_difference(
    a: Sequence[float], b: Sequence[float], n_rep: int = 2000, seed: int = 0
) -> tuple[float, np.ndarray]:
    """median(b) − median(a) sobre los valores finitos, y `n_rep` réplicas bootstrap.

    Cada grupo se remuestrea con reemplazo por separado (ejecuciones independientes). Con
    menos de dos valores finitos en un grupo devuelve ``(nan, array vacío)``.
    """
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    a, b = a[np.isfinite(a)], b[np.isfinite(b)]
    if len(a) < 2 or len(b) < 2:
        return math.nan, np.array([])
    rng = np.random.default_rng(seed)
    ia = rng.integers(0, len(a), size=(check_int("n_rep", n_rep, 1), len(a)))
    ib = rng.integers(0, len(b), size=(n_rep, len(b)))
    reps = np.median(b[ib], axis=1) - np.median(a[ia], axis=1)
    return float(np.median(b) - np.median(a)), reps


def equal_updates_epochs(
    n: int, batch_sizes: Sequence[int], epochs: int, max_epochs: int
) -> dict[int, tuple[int, int]]:
    """Por B, ``(épocas, actualizaciones)`` para dar las actualizaciones que hace el menor B
    en `epochs` épocas (``epochs · ⌈n/B_min⌉``), con como mucho `max_epochs` épocas: un B
    que no cabe en el tope da ``max_epochs · ⌈n/B⌉`` actualizaciones (menos que el resto).
    """
    epochs = check_int("epochs", epochs, 1)
    max_epochs = check_int("max_epochs", max_epochs, 1)
    sizes = sorted({int(B) for B in batch_sizes})
    if not sizes:
        return {}
    budget = epochs * -(-n // sizes[0])
    out = {}
    for B in sizes:
        per_epoch = -(-n // B)
        ep = min(-(-budget // per_epoch), max_epochs)
        out[B] = (ep, min(budget, ep * per_epoch))
    return out


def train_longer(
    model: MLP,
    X: np.ndarray,
    y: np.ndarray,
    X_test: np.ndarray,
    y_test: np.ndarray,
    tuned: dict[int, float],
    *,
    seeds: Sequence[int],
    epochs: int,
    max_epochs: int,
    n_jobs: int = 1,
    sharpness_tolerance: float = 1e-4,
) -> pd.DataFrame:
    """Cada B de `tuned` (con su tasa) y cada semilla, entrenado en dos regímenes:

    * ``"epochs"``: `epochs` épocas para todos (los B grandes dan menos actualizaciones);
    * ``"updates"``: las actualizaciones del menor B (:func:`equal_updates_epochs`, tope
      `max_epochs` épocas).

    Las semillas de un B avanzan a la vez (:func:`batchlab.lockstep.train_groups`, un grupo
    por B y régimen, repartidos en `n_jobs` procesos); un régimen idéntico al otro (el menor
    B) se entrena una vez. Al final: MSE de entrenamiento y de prueba, brecha prueba −
    entrenamiento y, solo en ``"updates"``, λ_max de la pérdida de entrenamiento (NaN si
    diverge).
    """
    n = len(X)
    plan_updates = equal_updates_epochs(n, list(tuned), epochs, max_epochs)
    plans = {}
    for B in sorted(tuned):
        plans[("epochs", B)] = (epochs, epochs * -(-n // B))
        plans[("updates", B)] = plan_updates[B]
    unique = list(dict.fromkeys((B, ep, up) for (_, B), (ep, up) in plans.items()))
    groups = [
        dict(
            models=[model.copy() for _ in seeds],
            batch_size=B,
            learning_rates=float(tuned[B]),
            seeds=list(seeds),
            epochs=ep,
            max_updates=up,
        )
        for B, ep, up in unique
    ]
    histories = train_groups(groups, X, y, n_jobs=n_jobs, epochs=1) if groups else []
    sharp = {(B, ep, up) for (r, B), (ep, up) in plans.items() if r == "updates"}
    lams = {
        key: sharpness_of(
            g["models"],
            X,
            y,
            [h.diverged for h in hs],
            n_jobs=n_jobs,
            tolerance=sharpness_tolerance,
        )
        if key in sharp
        else [math.nan] * len(hs)
        for key, g, hs in zip(unique, groups, histories, strict=True)
    }
    results = {}
    for key, g, hs in zip(unique, groups, histories, strict=True):
        rows = []
        for m, h, lam in zip(g["models"], hs, lams[key], strict=True):
            ok = not h.diverged
            tr = m.loss(X, y) if ok else math.nan
            te = m.loss(X_test, y_test) if ok else math.nan
            rows.append((h.n_updates, tr, te, h.diverged, lam))
        results[key] = rows
    out = []
    for (regime, B), (ep, up) in plans.items():
        for s, (nu, tr, te, div, lam) in zip(seeds, results[(B, ep, up)], strict=True):
            out.append(
                {
                    "regime": regime,
                    "B": B,
                    "lr": float(tuned[B]),
                    "seed": int(s),
                    "epochs": ep,
                    "updates": nu,
                    "train": tr,
                    "test": te,
                    "gap": te - tr,
                    "diverged": bool(div),
                    "lambda_max": lam,
                }
            )
    return pd.DataFrame(out, columns=LONGER_COLUMNS)
