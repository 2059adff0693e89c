"""Notebook 04, sección 5: las filas extremas y la frontera de los batches pequeños.

* cuánto aporta al ruido del gradiente la fila que más aporta (:func:`max_share`,
  :func:`share_report`);
* λ_max de un batch con y sin esa fila (:func:`batch_sharpness_table`);
* la **ablación** de la preparación de las variables: la primera tasa con divergencias de
  B pequeño con cada preparación (:func:`ablation`) y cuántas décadas se mueve
  (:func:`frontier_shift`).

Claves de máquina: ``B``, ``lr``, ``diverged``, ``with_row``, ``without_row``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ..data import holdout, load_housing, split_and_scale
from . import noise, scaling, sharpness


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


def share_report(cuotas: Mapping[str, tuple[float, int]], z_extrema: float) -> str:
    """La cuota de la fila extrema con cada preparación y su |z| al solo estandarizar."""
    lines = [
        f"{nombre}: la fila {i} aporta el {100 * c:.1f} % de N·tr(Σ) con los pesos iniciales."
        for nombre, (c, i) in cuotas.items()
    ]
    lines.append(
        f"(Sin más preparación que estandarizar, esa fila tiene una variable a {z_extrema:.0f}σ.)"
    )
    return "\n".join(lines)


def batch_sharpness_table(model, datasets: Mapping, fila: int, sizes: Sequence[int], seed: int):
    """λ_max de batches con y sin la fila `fila`, por preparación (``{nombre: (X, y)}``) y B."""
    filas_lote = []
    for nombre, (Xc, yc) in datasets.items():
        for r in sharpness.batch_sharpness(model, Xc, yc, fila, sizes, seed=seed):
            filas_lote.append({"preparación": nombre, **r})
    lote = pd.DataFrame(filas_lote).set_index(["preparación", "B"])
    lote["2/λ con la fila"] = 2 / lote["with_row"]
    return lote


def ablation(
    model, preparations: Sequence[str], lrs: Sequence[float], batch_size: int, **kw
) -> pd.DataFrame:
    """Por preparación: max |z|, la primera tasa con divergencias y cuántas ejecuciones divergen.

    Dos épocas de B = `batch_size` con cada tasa de `lrs`; `kw` da ``seed``, ``model_seed``
    (división y pesos) y ``seeds``, ``n_jobs`` (para :func:`scaling.grid_runs`).
    """
    seed, model_seed = kw.pop("seed"), kw.pop("model_seed")
    filas_abl = []
    for nombre in list(dict.fromkeys(preparations)):
        Xa, Xva, ya, yva = fit_split(nombre, seed, model_seed)
        r = scaling.grid_runs(model, Xa, ya, Xva, yva, {batch_size: lrs}, epochs=2, **kw)
        k = r.groupby("lr")["diverged"].sum()
        primera = k[k > 0].index.min() if (k > 0).any() else math.nan
        filas_abl.append(
            {
                "preparación": nombre,
                "max |z|": float(np.abs(Xa).max()),
                "primera tasa con divergencias": primera,
                "divergidas (todas las tasas)": f"{int(k.sum())} de {len(r)}",
            }
        )
    return pd.DataFrame(filas_abl).set_index("preparación")


def frontier_shift(
    ablacion: pd.DataFrame, features: str, lrs: Sequence[float], batch_size: int
) -> tuple[float, bool, str]:
    """Décadas que sube la frontera al pasar de estandarizar a `features`, si es cota, y el texto.

    Si `features` no diverge con ninguna tasa, su frontera está por encima de la mayor
    probada: el cociente es entonces una cota inferior (``cota``).
    """
    f_raw = ablacion.loc["standard", "primera tasa con divergencias"]
    f_ado = ablacion.loc[features, "primera tasa con divergencias"]
    if features == "standard" or not np.isfinite(f_raw):
        text = (
            f"B={batch_size}: no hay frontera que comparar (sin divergencias con la "
            "estandarización en estas tasas, o la preparación de este notebook ya es la "
            "estandarización)."
        )
        return math.nan, False, text
    cota = not np.isfinite(f_ado)
    f_ado_v = max(lrs) if cota else f_ado
    decadas = math.log10(f_ado_v / f_raw)
    text = (
        f"B={batch_size}: la primera tasa con divergencias pasa de {f_raw:g} (estandarizar) a "
        f"{'más de ' if cota else ''}{f_ado_v:g} ({features}): "
        f"{'al menos ' if cota else ''}{decadas:+.2f} décadas."
    )
    return decadas, cota, text
