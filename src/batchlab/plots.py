"""Figuras que comparten los notebooks (matplotlib + seaborn, textos en español).

Cada función dibuja y devuelve la figura; el notebook decide cuándo mostrarla.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from .data import TARGET

__all__ = ["correlation_heatmap", "geographic_scatter", "histograms", "setup_style"]

#: Resolución de las figuras guardadas en los notebooks: nítidas y ligeras.
FIGURE_DPI = 90


def setup_style() -> None:
    """Estilo común del curso: fondo claro, rejilla suave, PNG a resolución moderada."""
    sns.set_theme(style="whitegrid", context="notebook")
    plt.rcParams.update({"figure.dpi": FIGURE_DPI, "savefig.dpi": FIGURE_DPI,
                         "axes.titleweight": "bold"})


def correlation_heatmap(df: pd.DataFrame) -> plt.Figure:
    """Matriz de correlación de Pearson, anotada, con el triángulo superior oculto."""
    corr = df.corr()
    mask = np.triu(np.ones_like(corr, dtype=bool), k=1)
    fig, ax = plt.subplots(figsize=(8.5, 7))
    sns.heatmap(corr, mask=mask, annot=True, fmt=".2f", cmap="RdBu_r", center=0,
                vmin=-1, vmax=1, square=True, linewidths=0.5, cbar_kws={"shrink": 0.8}, ax=ax)
    ax.set_title("Correlación de Pearson entre variables")
    fig.tight_layout()
    return fig


def histograms(df: pd.DataFrame, bins: int = 50, log_skew: float = 3.0) -> plt.Figure:
    """Histograma de cada columna; el objetivo en otro color.

    Las columnas con asimetría mayor que `log_skew` usan eje vertical logarítmico:
    con eje lineal su cola (cientos de filas repartidas hasta el máximo) no se ve.
    """
    cols = list(df.columns)
    n_cols = 3
    n_rows = -(-len(cols) // n_cols)
    fig, axes = plt.subplots(n_rows, n_cols, figsize=(13, 3.2 * n_rows))
    for ax, col in zip(axes.flat, cols, strict=False):
        color = "#d1495b" if col == TARGET else "#30638e"
        ax.hist(df[col], bins=bins, color=color, alpha=0.85, edgecolor="white", linewidth=0.3)
        heavy = abs(df[col].skew()) > log_skew
        if heavy:
            ax.set_yscale("log")
        ax.set_title(f"{col} (eje y log.)" if heavy else col)
        ax.set_ylabel("filas")
    for ax in axes.flat[len(cols):]:
        ax.set_visible(False)
    fig.suptitle("Distribución de cada variable", fontweight="bold")
    fig.tight_layout()
    return fig


def geographic_scatter(df: pd.DataFrame, n_points: int | None = None, seed: int = 0) -> plt.Figure:
    """Mapa de los grupos de manzanas: color = valor de la vivienda, tamaño = población.

    `n_points` dibuja una muestra aleatoria (reproducible con `seed`) para aligerar.
    """
    if n_points is not None and n_points < len(df):
        df = df.sample(n=n_points, random_state=seed)
    fig, ax = plt.subplots(figsize=(8, 7))
    sizes = df["Population"] / df["Population"].quantile(0.99) * 40
    points = ax.scatter(df["Longitude"], df["Latitude"], c=df[TARGET], s=sizes.clip(1, 60),
                        cmap="viridis", alpha=0.5, linewidths=0)
    fig.colorbar(points, ax=ax, label="MedHouseVal (cientos de miles de $)")
    ax.set_xlabel("Longitud (grados)")
    ax.set_ylabel("Latitud (grados)")
    ax.set_title("California: valor de la vivienda (color) y población (tamaño)")
    ax.set_aspect(1 / np.cos(np.deg2rad(df["Latitude"].mean())))  # grados ≈ km en ambos ejes
    fig.tight_layout()
    return fig
