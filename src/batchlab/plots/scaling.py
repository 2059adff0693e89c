"""Notebook 04: figuras de la tasa frente a B (rejilla con divergencias, ajuste, blog).

Lee las tablas de :mod:`batchlab.scaling` y :mod:`batchlab.schedules` por sus claves de
máquina y dibuja en español; cada figura lleva su texto alternativo
(:func:`batchlab.plots.alt_text.describe`). Una figura sin datos finitos lo dice en sus ejes en
lugar de fallar. Las figuras de la escala de ruido están en :mod:`batchlab.noise_plots`.
"""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from .alt_text import describe
from .style import METHOD_COLORS, empty, legend, legend_below

__all__ = [
    "grid_heatmap",
    "rate_fit_plot",
]


def _ink(median: float, diverged: int, mid: float) -> str:
    """Color del texto de una celda: claro sobre celdas oscuras, rojo si hubo divergencias."""
    dark = bool(np.isfinite(median) and np.log10(median) > mid)
    if diverged:
        return "#ffc2cc" if dark else "#b2182b"
    return "white" if dark else "black"


def _box_optima(ax, med: pd.DataFrame, opt: pd.DataFrame) -> None:
    """Recuadra la tasa óptima de cada B."""
    for j, B in enumerate(med.columns):
        lr = opt["opt"].get(B, math.nan)
        if np.isfinite(lr) and lr in med.index:
            i = list(med.index).index(lr)
            ax.add_patch(plt.Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, ec="white", lw=2.5))


def _rate_lines(ax, lines, columns: list, logs: np.ndarray) -> None:
    """Dibuja `lines` sobre el mapa de calor (filas: log10 de las tasas `logs`, de mayor a
    menor; columnas: los B de `columns`) a la altura interpolada en escala log de cada tasa.

    Un valor escalar es una línea horizontal; un ``{B: tasa}`` es un trazo por columna.
    """
    rows = np.arange(len(logs))

    def height(lr):
        ok = np.isfinite(lr) and lr > 0 and logs.min() <= np.log10(lr) <= logs.max()
        return np.interp(np.log10(lr), logs[::-1], rows[::-1]) if ok else None

    drawn = False
    for (label, value), style in zip((lines or {}).items(), ("--", ":"), strict=False):
        if isinstance(value, dict):
            pts = [(j, height(value.get(B, math.nan))) for j, B in enumerate(columns)]
            pts = [(j, h) for j, h in pts if h is not None]
            for k, (j, h) in enumerate(pts):
                ax.plot(
                    [j - 0.45, j + 0.45],
                    [h, h],
                    color="#d1495b",
                    ls=style,
                    lw=2.2,
                    label=label if k == 0 else None,
                )
            drawn |= bool(pts)
        elif (h := height(value)) is not None:
            ax.axhline(h, color="#d1495b", ls=style, lw=1.5, label=label)
            drawn = True
    if drawn:
        legend(ax, loc="lower left")


def grid_heatmap(cells: pd.DataFrame, opt: pd.DataFrame, title: str, lines=None) -> plt.Figure:
    """Mediana de la validación por (lr, B) con «k/n» divergidas; el óptimo recuadrado.

    `lines` = ``{etiqueta: tasa o {B: tasa}}`` (p. ej. 2/λ_max inicial, o al final de cada
    B) se dibuja como línea horizontal, o un trazo por columna, a la altura interpolada
    (escala log) de esa tasa.
    """
    med = cells.pivot(index="lr", columns="B", values="median").sort_index(ascending=False)
    k = cells.pivot(index="lr", columns="B", values="diverged_runs").reindex_like(med)
    n = cells.pivot(index="lr", columns="B", values="runs").reindex_like(med)
    fig, ax = plt.subplots(figsize=(9.5, 0.42 * len(med) + 2.2))
    finite = med.where(np.isfinite(med))
    vals = np.log10(finite.to_numpy(float))
    mid = math.nan
    if np.isfinite(vals).any():
        im = ax.imshow(vals, cmap="viridis_r", aspect="auto")
        fig.colorbar(im, ax=ax, label="log10(mediana del MSE de validación)")
        mid = float((np.nanmin(vals) + np.nanmax(vals)) / 2)
    else:
        ax.imshow(np.zeros(vals.shape), cmap="Greys", vmin=0, vmax=4, aspect="auto")
    for i, lr in enumerate(med.index):
        for j, B in enumerate(med.columns):
            if pd.isna(n.loc[lr, B]):
                continue
            m, kk, nn = med.loc[lr, B], int(k.loc[lr, B]), int(n.loc[lr, B])
            text = f"{m:.3f}" if np.isfinite(m) else "✕"
            if kk:
                text += f"\n{kk}/{nn} div."
            ax.text(j, i, text, ha="center", va="center", fontsize=7.5, color=_ink(m, kk, mid))
    _box_optima(ax, med, opt)
    logs = np.log10(med.index.to_numpy(float))
    _rate_lines(ax, lines, list(med.columns), logs)
    ax.set_xticks(range(len(med.columns)), [str(b) for b in med.columns])
    ax.set_yticks(range(len(med.index)), [f"{v:g}" for v in med.index])
    ax.set_xlabel("tamaño del batch B")
    ax.set_ylabel("tasa de aprendizaje")
    ax.set_title(title)
    fig.tight_layout()
    return describe(
        fig,
        "Mapa de calor de la mediana del error de validación para cada tamaño de batch "
        "(columnas) y tasa (filas); las celdas con ejecuciones divergidas indican cuántas, "
        "y la mejor tasa de cada B está recuadrada.",
    )


def rate_fit_plot(opt: pd.DataFrame, fit: tuple, band: np.ndarray, lines=None) -> plt.Figure:
    """Tasa óptima y máxima estable frente a B, el ajuste ε_max/(1 + B_ruido/B) con su banda
    bootstrap, las reglas lineal y √B desde el menor B, y las tasas de `lines`
    (``{etiqueta: tasa}``, línea horizontal, o ``{etiqueta: {B: tasa}}``, una curva)."""
    fig, ax = plt.subplots(figsize=(8.5, 6.4))
    ok = opt[np.isfinite(opt["opt"])]
    if ok.empty:
        empty(ax)
    else:
        B = ok.index.to_numpy(float)
        ax.plot(B, ok["opt"], "o", color=METHOD_COLORS[0], ms=8, label="tasa óptima medida")
        ax.plot(
            B,
            ok["stable"],
            "v",
            color=METHOD_COLORS[1],
            ms=7,
            label="máxima tasa estable (frontera)",
        )
        grid = np.geomspace(B.min(), B.max(), 60)
        if np.isfinite(fit[1]):
            ax.plot(
                grid,
                fit[0] / (1 + fit[1] / grid),
                "-",
                color=METHOD_COLORS[0],
                label=f"ajuste: ε_max={fit[0]:.3g}, B_ruido={fit[1]:.3g}",
            )
            curves = np.array([e / (1 + b / grid) for e, b in band if np.isfinite(b)])
            if len(curves):
                lo, hi = np.percentile(curves, [2.5, 97.5], axis=0)
                ax.fill_between(
                    grid, lo, hi, color=METHOD_COLORS[0], alpha=0.15, label="banda bootstrap 95 %"
                )
        b0, e0 = B[0], float(ok["opt"].iloc[0])
        ax.plot(grid, e0 * grid / b0, ":", color="0.4", label="regla lineal desde el menor B")
        ax.plot(grid, e0 * np.sqrt(grid / b0), "-.", color="0.6", label="regla √B")
        ax.set_xscale("log")
        ax.set_yscale("log")
        top = np.r_[ok["opt"].to_numpy(float), ok["stable"].to_numpy(float)]
        ax.set_ylim(0.3 * np.nanmin(ok["opt"]), 10 * np.nanmax(top))
    for (label, value), style in zip((lines or {}).items(), ("--", (0, (1, 3))), strict=False):
        if isinstance(value, dict):
            pts = sorted((B, r) for B, r in value.items() if np.isfinite(r) and r > 0)
            if pts:
                ax.plot(
                    *zip(*pts, strict=True),
                    marker="s",
                    ms=5,
                    color="#d1495b",
                    ls=style,
                    lw=1.2,
                    label=label,
                )
        elif np.isfinite(value):
            ax.axhline(value, color="#d1495b", ls=style, lw=1.2, label=label)
    ax.set_xlabel("tamaño del batch B")
    ax.set_ylabel("tasa de aprendizaje")
    ax.set_title("Tasa óptima frente a B, con el ajuste y las reglas de escalado")
    legend_below(ax)
    fig.tight_layout()
    return describe(
        fig,
        "Tasa óptima y máxima tasa estable frente al tamaño del batch en escala log-log, "
        "con la curva ajustada y su banda bootstrap, las reglas lineal y raíz de B y las "
        "tasas 2/λ_max (inicial, horizontal; al final de cada B, una curva) en rojo.",
    )
