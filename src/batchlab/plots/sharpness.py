"""Notebook 04: figuras de la curvatura (λ_max a lo largo del batch completo y al final).

Lee las tablas de :mod:`batchlab.experiments.sharpness`; una figura sin datos finitos lo dice
en sus ejes en lugar de fallar.
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
    "final_sharpness_plot",
    "sharpness_plot",
]


def sharpness_plot(trace: pd.DataFrame, learning_rate: float) -> plt.Figure:
    """λ_max y la pérdida a lo largo del descenso de gradiente completo, con 2/η."""
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(12, 4.2))
    if trace.empty:
        empty(ax)
        empty(ax2)
    else:
        x = trace["step"].to_numpy(float) + 1
        ax.plot(x, trace["lambda_max"], "o-", color=METHOD_COLORS[0], label="λ_max")
        ax.axhline(
            2 / learning_rate, color="#d1495b", ls="--", label=f"2/η (η = {learning_rate:g})"
        )
        ax2.plot(x, trace["loss"], "o-", color=METHOD_COLORS[3])
        for a in (ax, ax2):
            a.set_xscale("log")
        ax2.set_yscale("log")
        legend(ax)
    ax.set_xlabel("paso + 1")
    ax.set_ylabel("λ_max de la hessiana")
    ax.set_title("Curvatura a lo largo del batch completo")
    ax2.set_xlabel("paso + 1")
    ax2.set_ylabel("MSE de ajuste")
    ax2.set_title("Pérdida en los mismos pasos")
    fig.tight_layout()
    return describe(
        fig,
        "Izquierda: mayor autovalor de la hessiana a lo largo del descenso de gradiente "
        "completo, con la línea 2/η. Derecha: la pérdida en los mismos pasos.",
    )


def final_sharpness_plot(runs: pd.DataFrame) -> plt.Figure:
    """λ_max al final de cada ejecución frente a B (log-log), con la mediana por B.

    Solo entran los λ_max finitos y positivos (la escala log no admite el resto).
    """
    fig, ax = plt.subplots(figsize=(6, 3.6))
    lam = runs["lambda_max"].astype(float)
    ok = runs[np.isfinite(lam) & (lam > 0)]
    if ok.empty:
        empty(ax)
    else:
        ax.scatter(ok["B"], ok["lambda_max"], alpha=0.6, label="ejecuciones")
        med = ok.groupby("B")["lambda_max"].median()
        ax.plot(med.index, med.to_numpy(), "k-o", label="mediana")
        ax.set(xscale="log", yscale="log")
        ax.legend()
    ax.set(xlabel="B", ylabel="λ_max al final", title="Agudeza al final (mismas actualizaciones)")
    return describe(
        fig,
        "λ_max de la hessiana de la pérdida de entrenamiento al final de cada ejecución "
        "con las mismas actualizaciones, frente al tamaño del batch, en escala log-log.",
    )
