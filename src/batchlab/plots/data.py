"""Figuras del notebook 01: los datos (correlaciones, distribuciones, mapa) y las
ejecuciones por preparación de las variables.

Estilo, colores y ayudas comunes en :mod:`batchlab.plots`. No importa ningún experimento.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from ..data import TARGET
from .alt_text import describe
from .style import METHOD_COLORS, finish

__all__ = [
    "correlation_heatmap",
    "geographic_scatter",
    "histograms",
    "pipeline_runs_plot",
]


def correlation_heatmap(df: pd.DataFrame) -> plt.Figure:
    """Matriz de correlación de Pearson, anotada, con el triángulo superior oculto."""
    corr = df.corr()
    mask = np.triu(np.ones_like(corr, dtype=bool), k=1)
    fig, ax = plt.subplots(figsize=(8.5, 7))
    sns.heatmap(
        corr,
        mask=mask,
        annot=True,
        fmt=".2f",
        cmap="RdBu_r",
        center=0,
        vmin=-1,
        vmax=1,
        square=True,
        linewidths=0.5,
        cbar_kws={"shrink": 0.8},
        ax=ax,
    )
    ax.set_title("Correlación de Pearson entre variables")
    fig.tight_layout()
    return describe(
        fig,
        "Matriz de correlación de Pearson entre las variables y el precio, anotada con "
        "cada coeficiente; azul negativo, rojo positivo.",
    )


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
    for ax in axes.flat[len(cols) :]:
        ax.set_visible(False)
    fig.suptitle("Distribución de cada variable", fontweight="bold")
    fig.tight_layout()
    heavy = [c for c in cols if abs(df[c].skew()) > log_skew]
    return describe(
        fig,
        f"Histogramas de las {len(cols)} columnas con {bins} barras; eje vertical "
        f"logarítmico en las muy asimétricas ({', '.join(heavy) or 'ninguna'}).",
    )


def geographic_scatter(df: pd.DataFrame, n_points: int | None = None, seed: int = 0) -> plt.Figure:
    """Mapa de los grupos de manzanas: color = valor de la vivienda, tamaño = población.

    `n_points` dibuja una muestra aleatoria (reproducible con `seed`) para aligerar.
    """
    if n_points is not None and n_points < len(df):
        df = df.sample(n=n_points, random_state=seed)
    fig, ax = plt.subplots(figsize=(8, 7))
    sizes = df["Population"] / df["Population"].quantile(0.99) * 40
    points = ax.scatter(
        df["Longitude"],
        df["Latitude"],
        c=df[TARGET],
        s=sizes.clip(1, 60),
        cmap="viridis",
        alpha=0.5,
        linewidths=0,
    )
    fig.colorbar(points, ax=ax, label="MedHouseVal (cientos de miles de $)")
    ax.set_xlabel("Longitud (grados)")
    ax.set_ylabel("Latitud (grados)")
    ax.set_title("California: valor de la vivienda (color) y población (tamaño)")
    ax.set_aspect(1 / np.cos(np.deg2rad(df["Latitude"].mean())))  # grados ≈ km en ambos ejes
    fig.tight_layout()
    return describe(
        fig,
        f"Mapa de California con {len(df)} grupos de manzanas: el color es el valor de la "
        "vivienda y el tamaño del punto, la población.",
    )


def pipeline_runs_plot(runs: pd.DataFrame, labels: Mapping | None = None) -> plt.Figure:
    """MSE de prueba de cada ejecución por preparación (notebook 01), eje logarítmico.

    `runs` es la tabla por ejecución de :func:`batchlab.features.compare_pipelines`
    (índice ``pipeline``, ``shuffle_seed``; columnas ``test_mse``, ``diverged``). Cada
    punto es una semilla de barajado; la raya, la mediana de las que no divergieron; las
    divergidas se dibujan como ✕ encima de todo, con su «k de n».
    """
    fig, ax = plt.subplots(figsize=(8.5, 4.5))
    names = list(dict.fromkeys(runs.index.get_level_values("pipeline")))
    finite = runs.loc[~runs["diverged"], "test_mse"]
    top = float(finite.max()) * 2 if finite.size else 1.0
    for i, name in enumerate(names):
        r = runs.loc[name]
        ok = r.loc[~r["diverged"], "test_mse"].to_numpy()
        jitter = np.linspace(-0.15, 0.15, max(len(r), 1))[: ok.size]
        ax.plot(i + jitter, ok, "o", color=METHOD_COLORS[i % len(METHOD_COLORS)], alpha=0.7)
        if ok.size:
            ax.plot([i - 0.25, i + 0.25], [np.median(ok)] * 2, color="black", lw=2)
        k = int(r["diverged"].sum())
        if k:
            ax.plot([i], [top], "x", color=METHOD_COLORS[1], ms=12, mew=3)
        ax.annotate(
            f"divergen {k} de {len(r)}",
            (i, top),
            textcoords="offset points",
            xytext=(0, 10),
            ha="center",
            fontsize=10,
        )
    ticks = [textwrap.fill((labels or {}).get(n, n), 20) for n in names]
    ax.set_xticks(range(len(names)), ticks, fontsize=10)
    # logarítmico antes de fijar los límites: si no, matplotlib elige un mínimo lineal (negativo
    # con un MSE muy grande entre los finitos) y el eje logarítmico se rompe
    ax.set_yscale("log")
    bottom = float(finite[finite > 0].min()) / 2 if (finite > 0).any() else top / 100
    ax.set_ylim(bottom, top * 2.5)
    fig = finish(
        fig,
        ax,
        xlabel="preparación de las variables",
        ylabel="MSE de prueba (objetivo estandarizado)",
        title="Cada ejecución con SGD (B = 1): MSE de prueba",
        logy=True,
        legend_size=None,
    )
    return describe(
        fig,
        "MSE de prueba de cada semilla de barajado por preparación de las "
        "variables (eje logarítmico), con la mediana como raya; las "
        "ejecuciones que divergen se cuentan arriba y se marcan con una ✕.",
    )
