"""Notebook 04: la brecha de generalización a igual pérdida de entrenamiento.

Lee las tablas de :mod:`batchlab.experiments.targets`; sin datos finitos, lo dice en los ejes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from .alt_text import describe
from .style import METHOD_COLORS, empty, legend

if TYPE_CHECKING:
    pass


__all__ = [
    "gap_plot",
]


def gap_plot(runs: pd.DataFrame) -> plt.Figure:
    """Brecha prueba − entrenamiento a igual pérdida de entrenamiento (ejecuciones y mediana)."""
    fig, ax = plt.subplots(figsize=(8, 4.3))
    ok = runs[np.isfinite(runs["gap"].astype(float))]
    if ok.empty:
        empty(ax)
    else:
        ax.plot(ok["B"], ok["gap"], "o", color=METHOD_COLORS[0], alpha=0.5, label="cada ejecución")
        med = ok.groupby("B")["gap"].median()
        ax.plot(med.index, med, "s-", color=METHOD_COLORS[1], label="mediana")
        ax.set_xscale("log")
        legend(ax)
    ax.set_xlabel("tamaño del batch B")
    ax.set_ylabel("MSE prueba − MSE entrenamiento")
    ax.set_title("Brecha de generalización a igual pérdida de entrenamiento")
    fig.tight_layout()
    return describe(
        fig,
        "Diferencia entre el error de prueba y el de entrenamiento, medida cuando cada "
        "ejecución alcanza la misma pérdida de entrenamiento, frente al tamaño del batch.",
    )
