"""Figuras del notebook 03: el barrido de tasas de aprendizaje de cada método (pérdida
y proporción de ejecuciones que divergen frente a la tasa).

Estilo, colores y ayudas comunes en :mod:`batchlab.plots`. No importa ningún experimento.
"""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from .alt_text import describe
from .style import METHOD_COLORS, MIN_FONT, run_label

__all__ = [
    "divergence_vs_lr",
]


def divergence_vs_lr(
    table: pd.DataFrame, summary: pd.DataFrame, chosen: pd.DataFrame, labels: Mapping | None = None
) -> plt.Figure:
    """Barrido con muchas ejecuciones: arriba, la validación de **cada** ejecución (puntos)
    y su mediana; abajo, la proporción de ejecuciones que divergen con su IC de Wilson
    (95 %). Una estrella marca la tasa elegida de cada método."""
    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(8.5, 7.2), sharex=True)
    for (key, grp), color in zip(
        summary.groupby("method", sort=False), METHOD_COLORS, strict=False
    ):
        name = run_label(key, labels=labels)
        runs = table[(table["method"] == key) & ~table["diverged"]]
        jitter = np.exp(np.random.default_rng(0).uniform(-0.06, 0.06, len(runs)))
        ax1.plot(runs["lr"] * jitter, runs["val_loss"], ".", color=color, alpha=0.45, ms=5)
        ax1.plot(
            grp["lr"],
            grp["median"].where(grp["diverged_runs"] < grp["runs"]),
            "-",
            color=color,
            lw=1.6,
            label=name,
        )
        p = grp["diverged_runs"] / grp["runs"]
        ax2.errorbar(
            grp["lr"],
            p,
            yerr=[p - grp["div_low"], grp["div_high"] - p],
            fmt="o-",
            color=color,
            capsize=3,
            lw=1.4,
            label=name,
        )
        if key in chosen.index and np.isfinite(chosen.loc[key, "lr"]):
            ax1.plot(
                chosen.loc[key, "lr"],
                chosen.loc[key, "median"],
                "*",
                color=color,
                ms=17,
                mec="black",
            )
    ax1.plot([], [], "k*", ms=12, label="tasa elegida")
    ax1.set_yscale("log")
    ax1.set_ylabel("MSE de validación final")
    ax1.set_title("Cada ejecución (puntos; sin las divergidas) y su mediana")
    ax1.legend(fontsize=MIN_FONT)
    ax2.set_xscale("log")
    ax2.set_ylim(-0.03, 1.03)
    ax2.set_xlabel("tasa de aprendizaje")
    ax2.set_ylabel("P(divergencia)")
    ax2.set_title("Proporción de ejecuciones que divergen (IC 95 % de Wilson)")
    fig.tight_layout()
    return describe(
        fig,
        "Barrido de la tasa de aprendizaje por método: arriba, el MSE de validación final de "
        "cada ejecución y su mediana, con una estrella en la tasa elegida; abajo, la "
        "proporción de ejecuciones que divergen con su intervalo de Wilson.",
    )
