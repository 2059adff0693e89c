"""Notebook 04: figuras de la escala de ruido (pasos hasta un objetivo, ruido, curvatura).

Los pasos hasta el objetivo frente a B con las estimaciones de B_ruido, la varianza del
gradiente de un batch, λ_max a lo largo del batch completo, los pasos por optimizador y la
brecha de generalización a igual pérdida de entrenamiento. Lee las tablas de
:mod:`batchlab.targets`, :mod:`batchlab.noise` y :mod:`batchlab.curvature` por sus claves
de máquina y dibuja en español; cada figura lleva su texto alternativo
(:func:`batchlab.display.describe`). Una figura sin datos finitos lo dice en sus ejes en
lugar de fallar.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from .display import describe
from .plots import METHOD_COLORS
from .scale_plots import _empty, _legend

__all__ = [
    "batch_scale_plot",
    "gap_plot",
    "optimizer_steps_plot",
    "sharpness_plot",
    "variance_plot",
]

_OPT_NAMES = {"sgd": "SGD", "nesterov": "SGD + Nesterov", "adam": "Adam"}


def batch_scale_plot(steps: pd.DataFrame, fit: tuple, band: np.ndarray, estimates: dict):
    """Izquierda: pasos hasta el objetivo frente a B con el ajuste S_min(1 + B_ruido/B), su
    banda y una franja vertical por estimación de la escala (``{etiqueta: (valor, bajo,
    alto)}``). Derecha: pasos frente a muestras procesadas (la curva de Pareto)."""
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(13, 4.8))
    ok = steps[np.isfinite(steps["steps"].astype(float))]
    if ok.empty:
        _empty(ax)
        _empty(ax2)
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
    _legend(ax, fontsize=7.5)
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
        ax.plot(
            g.mean().index,
            g.mean(),
            "s",
            color=METHOD_COLORS[1],
            ms=6,
            label="media de los batches al azar",
        )
        ax.plot(
            g.median().index,
            g.median(),
            "D",
            color=METHOD_COLORS[2],
            ms=6,
            label="mediana (el batch típico)",
        )
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("tamaño del batch B")
    ax.set_ylabel("‖g_B − G‖²")
    ax.set_title("Ruido del gradiente frente a B (pesos iniciales)")
    _legend(ax, fontsize=8)
    fig.tight_layout()
    return describe(
        fig,
        "Error cuadrático del gradiente de un batch frente a B en log-log: la predicción 1/B, "
        "el estimador exacto y la nube de batches al azar con su media y su mediana.",
    )


def sharpness_plot(trace: pd.DataFrame, learning_rate: float) -> plt.Figure:
    """λ_max y la pérdida a lo largo del descenso de gradiente completo, con 2/η."""
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(12, 4.2))
    if trace.empty:
        _empty(ax)
        _empty(ax2)
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
        _legend(ax, fontsize=8)
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
        name = _OPT_NAMES.get(key, key)
        ax.plot(ok.index, ok["steps"], "o", color=color, ms=7, label=name)
        if np.isfinite(b):
            g = np.geomspace(ok.index.min(), ok.index.max(), 50)
            ax.plot(g, s * (1 + b / g), "-", color=color, label=f"{name}: B_ruido {b:.3g}")
    if drawn:
        ax.set_xscale("log")
        ax.set_yscale("log")
        _legend(ax, fontsize=8)
    else:
        _empty(ax)
    ax.set_xlabel("tamaño del batch B")
    ax.set_ylabel("actualizaciones hasta el objetivo")
    ax.set_title("Pasos hasta el objetivo por optimizador (tasa ajustada por B)")
    fig.tight_layout()
    return describe(
        fig,
        "Actualizaciones hasta la pérdida objetivo frente al tamaño del batch para SGD, SGD "
        "con momento de Nesterov y Adam, con el ajuste de cada uno.",
    )


def gap_plot(runs: pd.DataFrame) -> plt.Figure:
    """Brecha prueba − entrenamiento a igual pérdida de entrenamiento (ejecuciones y mediana)."""
    fig, ax = plt.subplots(figsize=(8, 4.3))
    ok = runs[np.isfinite(runs["gap"].astype(float))]
    if ok.empty:
        _empty(ax)
    else:
        ax.plot(ok["B"], ok["gap"], "o", color=METHOD_COLORS[0], alpha=0.5, label="cada ejecución")
        med = ok.groupby("B")["gap"].median()
        ax.plot(med.index, med, "s-", color=METHOD_COLORS[1], label="mediana")
        ax.set_xscale("log")
        _legend(ax, fontsize=8)
    ax.set_xlabel("tamaño del batch B")
    ax.set_ylabel("MSE prueba − MSE entrenamiento")
    ax.set_title("Brecha de generalización a igual pérdida de entrenamiento")
    fig.tight_layout()
    return describe(
        fig,
        "Diferencia entre el error de prueba y el de entrenamiento, medida cuando cada "
        "ejecución alcanza la misma pérdida de entrenamiento, frente al tamaño del batch.",
    )


def final_sharpness_plot(runs: pd.DataFrame) -> plt.Figure:
    """λ_max al final de cada ejecución frente a B (log-log), con la mediana por B.

    Solo entran los λ_max finitos y positivos (la escala log no admite el resto).
    """
    fig, ax = plt.subplots(figsize=(6, 3.6))
    lam = runs["lambda_max"].astype(float)
    ok = runs[np.isfinite(lam) & (lam > 0)]
    if ok.empty:
        _empty(ax)
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
