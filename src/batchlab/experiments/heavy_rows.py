"""Notebook 04, sección 5: las filas extremas y la frontera de los batches pequeños.

* cuánto aporta al ruido del gradiente la fila que más aporta (:func:`max_share`,
  :func:`share_report`);
* λ_max de un batch con y sin esa fila (:func:`batch_sharpness_table`);
* la **ablación** de la preparación de las variables: la primera tasa con divergencias de
  B pequeño con cada preparación (:func:`ablation`) y cuántas décadas se mueve
  (:func:`frontier_shift`).

Claves de máquina: ``B``, ``lr``, ``diverged``, ``with_row``, ``without_row``,
``bound_with_row``; en la ablación, ``features``, ``max_abs_z``, ``first_diverging_lr``,
``diverged_runs`` y ``runs``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ..data import holdout, load_housing, split_and_scale
from . import noise, scaling, sharpness

__all__ = [
    "ABLATION_HEADERS",
    "SHARPNESS_HEADERS",
    "ablation",
    "ablation_table",
    "batch_sharpness_table",
    "fit_split",
    "frontier_shift",
    "max_share",
    "share_report",
]

#: Cabeceras en español de la tabla de :func:`batch_sharpness_table`.
SHARPNESS_HEADERS = {
    "features": "preparación",
    "with_row": "λ_max con la fila",
    "without_row": "λ_max sin ella",
    "bound_with_row": "2/λ con la fila",
}
#: Cabeceras en español de la tabla de :func:`ablation_table`.
ABLATION_HEADERS = {
    "features": "preparación",
    "max_abs_z": "max |z|",
    "first_diverging_lr": "primera tasa con divergencias",
    "diverged_of_runs": "divergidas (todas las tasas)",
}


def max_share(model, X: np.ndarray, y: np.ndarray) -> tuple[float, int]:
    """Fracción de Σ‖g_i − G‖² que aporta la fila que más aporta, y esa fila."""
    G = noise.gradient(model, X, y)
    d = np.array(
        [
            np.sum((noise.gradient(model, X[i : i + 1], y[i : i + 1]) - G) ** 2)
            for i in range(len(X))
        ]
    )
    return float(d.max() / d.sum()), int(d.argmax())


def fit_split(features: str, seed: int, model_seed: int) -> tuple:
    """``(X_ajuste, X_val, y_ajuste, y_val)`` con otra preparación de las variables."""
    sp = split_and_scale(load_housing(), seed=seed, features=features)
    return holdout(sp, fraction=0.2, seed=model_seed)


def share_report(shares: Mapping[str, tuple[float, int]], z_extreme: float) -> str:
    """La cuota de la fila extrema con cada preparación y su |z| al solo estandarizar."""
    lines = [
        f"{name}: la fila {i} aporta el {100 * c:.1f} % de N·tr(Σ) con los pesos iniciales."
        for name, (c, i) in shares.items()
    ]
    lines.append(
        f"(Sin más preparación que estandarizar, esa fila tiene una variable a {z_extreme:.0f}σ.)"
    )
    return "\n".join(lines)


def batch_sharpness_table(model, datasets: Mapping, row: int, sizes: Sequence[int], seed: int):
    """λ_max de batches con y sin la fila `row`, por preparación (``{nombre: (X, y)}``) y B.

    Índice ``features``, ``B``; cabeceras para mostrar en :data:`SHARPNESS_HEADERS`.
    """
    rows = []
    for name, (Xc, yc) in datasets.items():
        for r in sharpness.batch_sharpness(model, Xc, yc, row, sizes, seed=seed):
            rows.append({"features": name, **r})
    table = pd.DataFrame(rows).set_index(["features", "B"])
    table["bound_with_row"] = 2 / table["with_row"]
    return table


def ablation(
    model,
    preparations: Sequence[str],
    lrs: Sequence[float],
    batch_size: int,
    *,
    seed: int,
    model_seed: int,
    seeds: Sequence[int],
    n_jobs: int = 1,
) -> pd.DataFrame:
    """Por preparación: max |z|, la primera tasa con divergencias y cuántas ejecuciones divergen.

    Dos épocas de B = `batch_size` con cada tasa de `lrs`; `seed` y `model_seed` fijan la
    división y los pesos, `seeds` y `n_jobs` pasan a :func:`scaling.grid_runs`. Índice
    ``features``; columnas ``max_abs_z``, ``first_diverging_lr``, ``diverged_runs``, ``runs``.
    """
    rows = []
    for name in list(dict.fromkeys(preparations)):
        Xa, Xva, ya, yva = fit_split(name, seed, model_seed)
        r = scaling.grid_runs(
            model, Xa, ya, Xva, yva, {batch_size: lrs}, epochs=2, seeds=seeds, n_jobs=n_jobs
        )
        k = r.groupby("lr")["diverged"].sum()
        first = k[k > 0].index.min() if (k > 0).any() else math.nan
        rows.append(
            {
                "features": name,
                "max_abs_z": float(np.abs(Xa).max()),
                "first_diverging_lr": first,
                "diverged_runs": int(k.sum()),
                "runs": len(r),
            }
        )
    return pd.DataFrame(rows).set_index("features")


def ablation_table(table: pd.DataFrame) -> pd.DataFrame:
    """La tabla de :func:`ablation` para mostrar: divergidas «k de n» y cabeceras en español."""
    shown = table[["max_abs_z", "first_diverging_lr"]].assign(
        diverged_of_runs=[
            f"{k} de {n}" for k, n in zip(table.diverged_runs, table.runs, strict=True)
        ]
    )
    shown.index.name = ABLATION_HEADERS[table.index.name]
    return shown.rename(columns=ABLATION_HEADERS)


def frontier_shift(
    ablation: pd.DataFrame, features: str, lrs: Sequence[float], batch_size: int
) -> tuple[float, bool, str]:
    """Décadas que sube la frontera al pasar de estandarizar a `features`, si es cota, y el texto.

    `ablation` es la tabla de :func:`ablation`. Si `features` no diverge con ninguna tasa, su
    frontera está por encima de la mayor probada: el cociente es entonces una cota inferior.
    """
    f_raw = ablation.loc["standard", "first_diverging_lr"]
    f_adopted = ablation.loc[features, "first_diverging_lr"]
    if features == "standard" or not np.isfinite(f_raw):
        text = (
            f"B={batch_size}: no hay frontera que comparar (sin divergencias con la "
            "estandarización en estas tasas, o la preparación de este notebook ya es la "
            "estandarización)."
        )
        return math.nan, False, text
    is_bound = not np.isfinite(f_adopted)
    f_value = max(lrs) if is_bound else f_adopted
    decades = math.log10(f_value / f_raw)
    text = (
        f"B={batch_size}: la primera tasa con divergencias pasa de {f_raw:g} (estandarizar) a "
        f"{'más de ' if is_bound else ''}{f_value:g} ({features}): "
        f"{'al menos ' if is_bound else ''}{decades:+.2f} décadas."
    )
    return decades, is_bound, text
