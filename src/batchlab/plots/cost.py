"""Notebook 04: la figura del coste de un batch (tiempo, rendimiento y memoria frente a B).

Mismo estilo y colores que :mod:`batchlab.plots`; lee las tablas de :mod:`batchlab.cost`
por sus claves de máquina y muestra en español. No importa ningún experimento.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from ..labels import LABELS
from .alt_text import describe
from .style import METHOD_COLORS, MIN_FONT

__all__ = [
    "cost_plot",
]


def cost_plot(timing: pd.DataFrame, memory: pd.DataFrame) -> plt.Figure:
    """Tiempo por actualización, rendimiento y memoria frente a B."""
    fig, axes = plt.subplots(1, 3, figsize=(14, 4.2))
    axes[0].plot(timing["B"], timing["us_per_update"], "o-", color=METHOD_COLORS[0])
    axes[0].set_ylabel("µs por actualización")
    axes[0].set_title("Coste de una actualización")
    axes[1].plot(timing["B"], timing["samples_per_s"], "o-", color=METHOD_COLORS[3])
    axes[1].set_ylabel("muestras por segundo")
    axes[1].set_title("Rendimiento")
    for col, style in (
        ("forward_bytes", "s--"),
        ("forward_backward_bytes", "o-"),
        ("measured_peak_bytes", "x"),
    ):
        axes[2].plot(memory["B"], memory[col] / 2**20, style, label=LABELS[col], ms=8)
    axes[2].set_ylabel("MiB")
    axes[2].set_title("Memoria de un paso")
    axes[2].legend(fontsize=MIN_FONT)
    for ax in axes:
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("tamaño del batch B")
    fig.tight_layout()
    return describe(
        fig,
        "Tres paneles en escala log-log frente al tamaño del batch: microsegundos por "
        "actualización, muestras por segundo y memoria de un paso (hacia delante, con la "
        "retropropagación y el pico medido).",
    )
