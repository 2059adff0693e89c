"""Notebook 04: la varianza del gradiente de un batch frente a B (la ley 1/B).

Lee las tablas de :mod:`batchlab.experiments.noise`; cada figura lleva su texto alternativo.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from .alt_text import describe
from .style import METHOD_COLORS, legend

if TYPE_CHECKING:
    pass


__all__ = [
    "variance_plot",
]


def variance_plot(exact: pd.DataFrame, subsets: pd.DataFrame) -> plt.Figure:
    """Varianza del gradiente de un batch: estimador exacto, predicción tr(Σ)/B y los
    batches al azar (cada uno un punto, su media y su mediana)."""
    fig, ax = plt.subplots(figsize=(8.5, 4.8))
    ax.plot(
        exact["B"],
        exact["predicted_variance"],
        "-",
        color="0.4",
        label="predicción tr(Σ)/B·(N−B)/(N−1)",
    )
    ax.plot(
        exact["B"],
        exact["measured_variance"],
        "o",
        color=METHOD_COLORS[0],
        ms=8,
        label="estimador exacto (barajados completos)",
    )
    if len(subsets):
        jitter = np.exp(np.random.default_rng(0).uniform(-0.08, 0.08, len(subsets)))
        ax.plot(
            subsets["B"] * jitter,
            subsets["sq_error"],
            ".",
            color=METHOD_COLORS[3],
            alpha=0.15,
            ms=3,
            label="cada batch al azar",
        )
        g = subsets.groupby("B")["sq_error"]
        for stat, marker, k, label in (
            (g.mean(), "s", 1, "media de los batches al azar"),
            (g.median(), "D", 2, "mediana (el batch típico)"),
        ):
            ax.plot(stat.index, stat, marker, color=METHOD_COLORS[k], ms=6, label=label)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("tamaño del batch B")
    ax.set_ylabel("‖g_B − G‖²")
    ax.set_title("Ruido del gradiente frente a B (pesos iniciales)")
    legend(ax)
    fig.tight_layout()
    return describe(
        fig,
        "Error cuadrático del gradiente de un batch frente a B en log-log: la predicción 1/B, "
        "el estimador exacto y la nube de batches al azar con su media y su mediana.",
    )
