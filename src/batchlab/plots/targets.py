"""Notebook 04: figuras de la escala de ruido (pasos hasta un objetivo, ruido, curvatura).

Los pasos hasta el objetivo frente a B con las estimaciones de B_ruido, la varianza del
gradiente de un batch, λ_max a lo largo del batch completo, los pasos por optimizador y la
brecha de generalización a igual pérdida de entrenamiento. Lee las tablas de
:mod:`batchlab.experiments.targets`, :mod:`batchlab.experiments.noise` y
:mod:`batchlab.hessian` por sus claves de máquina y dibuja en español; cada figura lleva su
texto alternativo (:func:`batchlab.plots.alt_text.describe`). Una figura sin datos finitos lo
dice en sus ejes en lugar de fallar.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from ..labels import OPTIMIZER_NAMES
from .alt_text import describe
from .style import METHOD_COLORS, empty, legend

__all__ = [
    "batch_scale_plot",
    "optimizer_steps_plot",
]


def batch_scale_plot(steps: pd.DataFrame, fit: tuple, band: np.ndarray, estimates: dict):
    """Izquierda: pasos hasta el objetivo frente a B con el ajuste S_min(1 + B_ruido/B), su
    banda y una franja vertical por estimación de la escala (``{etiqueta: (valor, bajo,
    alto)}``). Derecha: pasos frente a muestras procesadas (la curva de Pareto)."""
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(13, 4.8))
    ok = steps[np.isfinite(steps["steps"].astype(float))]
    if ok.empty:
        empty(ax)
        empty(ax2)
    else:
        B = ok.index.to_numpy(float)
        ax.plot(B, ok["steps"], "o", color="black", ms=7, label="pasos medidos (mediana)")
        grid = np.geomspace(B.min() / 2, B.max() * 2, 80)
        if np.isfinite(fit[1]):
            ax.plot(grid, fit[0] * (1 + fit[1] / grid), "-", color="black", label="ajuste")
            curves = np.array([s * (1 + b / grid) for s, b in band if np.isfinite(b)])
            if len(curves):
                lo, hi = np.percentile(curves, [2.5, 97.5], axis=0)
                ax.fill_between(grid, lo, hi, color="0.5", alpha=0.2)
        for (label, (v, lo, hi)), color in zip(estimates.items(), METHOD_COLORS, strict=False):
            if np.isfinite(v):
                ax.axvline(v, color=color, lw=2, label=f"{label}: {v:.3g}")
                if np.isfinite(lo) and np.isfinite(hi):
                    ax.axvspan(max(lo, 1e-2), hi, color=color, alpha=0.15)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax2.plot(ok["samples"], ok["steps"], "o-", color=METHOD_COLORS[0])
        for b, row in ok.iterrows():
            ax2.annotate(
                f"B={b}",
                (row["samples"], row["steps"]),
                fontsize=8,
                xytext=(4, 4),
                textcoords="offset points",
            )
        ax2.set_xscale("log")
        ax2.set_yscale("log")
    ax.set_xlabel("tamaño del batch B")
    ax.set_ylabel("actualizaciones hasta el objetivo")
    ax.set_title("La escala del batch, tres estimaciones")
    legend(ax)
    ax2.set_xlabel("muestras procesadas hasta el objetivo")
    ax2.set_ylabel("actualizaciones hasta el objetivo")
    ax2.set_title("Pasos frente a datos (Pareto)")
    fig.tight_layout()
    return describe(
        fig,
        "Izquierda: actualizaciones hasta la pérdida objetivo frente al tamaño del batch, con "
        "la curva ajustada y franjas verticales para las tres estimaciones de la escala de "
        "ruido. Derecha: actualizaciones frente a muestras procesadas para cada B.",
    )


def optimizer_steps_plot(tables: dict, fits: dict) -> plt.Figure:
    """Pasos hasta el objetivo frente a B por optimizador, con su ajuste."""
    fig, ax = plt.subplots(figsize=(8.5, 4.8))
    drawn = False
    for (key, t), color in zip(tables.items(), METHOD_COLORS, strict=False):
        ok = t[np.isfinite(t["steps"].astype(float))]
        if ok.empty:
            continue
        drawn = True
        s, b = fits[key]
        name = OPTIMIZER_NAMES.get(key, key)
        ax.plot(ok.index, ok["steps"], "o", color=color, ms=7, label=name)
        if np.isfinite(b):
            g = np.geomspace(ok.index.min(), ok.index.max(), 50)
            ax.plot(g, s * (1 + b / g), "-", color=color, label=f"{name}: B_ruido {b:.3g}")
    if drawn:
        ax.set_xscale("log")
        ax.set_yscale("log")
        legend(ax)
    else:
        empty(ax)
    ax.set_xlabel("tamaño del batch B")
    ax.set_ylabel("actualizaciones hasta el objetivo")
    ax.set_title("Pasos hasta el objetivo por optimizador (tasa ajustada por B)")
    fig.tight_layout()
    return describe(
        fig,
        "Actualizaciones hasta la pérdida objetivo frente al tamaño del batch para SGD, SGD "
        "con momento de Nesterov y Adam, con el ajuste de cada uno.",
    )
