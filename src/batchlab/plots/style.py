"""Estilo de las figuras del curso, sus ayudas comunes y las figuras del notebook 02.

Cada función dibuja lo que devuelve un experimento y devuelve la figura; el notebook
decide cuándo mostrarla. Lee las tablas por sus claves de máquina (inglés) y pone en
español solo lo que se ve, con :mod:`batchlab.labels`. No importa ningún experimento.
Las figuras de los otros notebooks importan de aquí los colores y las ayudas:
:mod:`batchlab.data_plots` (01), :mod:`batchlab.method_plots` y
:mod:`batchlab.sweep_plots` (03), :mod:`batchlab.batch_lr_plots` y los demás (04).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

from ..labels import METHOD_NAMES, OPTIMIZER_NAMES, method_label
from .alt_text import enable_alt_text

if TYPE_CHECKING:
    from ..training.history import History

__all__ = [
    "COLORS",
    "FIGURE_DPI",
    "METHOD_COLORS",
    "MIN_FONT",
    "color",
    "empty",
    "finish",
    "legend",
    "legend_below",
    "run_label",
    "setup_style",
]

#: El color de cada método y optimizador (clave de máquina): el mismo en todas las figuras.
COLORS = {
    "full_batch": "#30638e",  # batch completo: azul
    "sgd": "#d1495b",  # SGD (B = 1): rojo
    "mini_batch": "#edae49",  # mini-batch: ámbar
    "nesterov": "#00798c",  # SGD + Nesterov: verde azulado
    "adam": "#66a182",  # Adam: verde
    "reference": "#8d96a3",  # referencias, predicciones, teoría: gris
}
#: Los mismos colores en orden, para figuras sin métodos (series 0, 1, 2…).
METHOD_COLORS = tuple(COLORS.values())
#: Resolución de las figuras guardadas en los notebooks (≥ 110 ppp: legibles y ligeras).
FIGURE_DPI = 110
#: Tamaño mínimo de leyendas y marcas de los ejes, en puntos.
MIN_FONT = 10


def color(key: str) -> str:
    """El color de un método u optimizador (``"sgd"``, ``"mini_batch"``, ``"adam"``…)."""
    return COLORS.get(key, COLORS["reference"])


def setup_style() -> None:
    """Estilo común del curso: fondo claro, rejilla suave, PNG a resolución moderada, y tablas
    que muestran cada celda entera (pandas corta por defecto a 50 caracteres, con «…», y así
    no se leían las afirmaciones ni las reglas de las conclusiones).

    En un notebook, además, cada figura se guarda con su texto alternativo
    (:func:`batchlab.plots.alt_text.enable_alt_text`; la descripción la pone :func:`describe`).
    """
    pd.set_option("display.max_colwidth", None)
    sns.set_theme(style="whitegrid", context="notebook")
    plt.rcParams.update(
        {
            "figure.dpi": FIGURE_DPI,
            "savefig.dpi": FIGURE_DPI,
            "axes.titleweight": "bold",
            "legend.fontsize": MIN_FONT,
            "xtick.labelsize": MIN_FONT,
            "ytick.labelsize": MIN_FONT,
            "axes.labelsize": MIN_FONT + 1,
            "axes.titlesize": MIN_FONT + 2,
        }
    )
    enable_alt_text()


def run_label(key, history: History | None = None, labels: Mapping | None = None) -> str:
    """La leyenda de una clave: la de `labels`, la de un método con su B o la propia clave."""
    if labels and key in labels:
        return labels[key]
    if key in METHOD_NAMES:
        return method_label(key, history.batch_size) if history else METHOD_NAMES[key]
    return OPTIMIZER_NAMES.get(key, str(key))


def finish(
    fig: plt.Figure,
    ax: plt.Axes,
    *,
    xlabel: str,
    ylabel: str,
    title: str,
    logx: bool = False,
    logy: bool = False,
    legend_size: float | None = MIN_FONT,
) -> plt.Figure:
    """Escalas, etiquetas, título y leyenda de una figura de un solo eje; la devuelve."""
    if logx:
        ax.set_xscale("log")
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    if legend_size:
        ax.legend(fontsize=legend_size)
    fig.tight_layout()
    return fig


def legend(ax, **kwargs) -> None:
    """Leyenda a :data:`MIN_FONT` puntos, solo si hay algo con etiqueta (matplotlib avisa si no)."""
    if ax.get_legend_handles_labels()[0]:
        ax.legend(**{"fontsize": MIN_FONT, **kwargs})


def legend_below(ax, ncol: int = 2) -> None:
    """Leyenda debajo de los ejes (fuera de los datos), a :data:`MIN_FONT` puntos.

    Para figuras con muchas series, donde una leyenda dentro taparía curvas; después hace
    falta ``fig.tight_layout()`` para dejarle sitio.
    """
    if ax.get_legend_handles_labels()[0]:
        ax.legend(
            fontsize=MIN_FONT, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=ncol,
            frameon=False,
        )  # fmt: skip


def empty(ax, text: str = "sin datos finitos que dibujar") -> None:
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes, color="0.4")
