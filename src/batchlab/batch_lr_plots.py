"""Notebook 04: las figuras de tamaño del batch × tasa de aprendizaje.

La rejilla (B, lr) con sus divergencias, la mejor tasa frente a B y sus rectas de
escalado, las curvas del experimento del blog, la ley 1/B del ruido, los pasos hasta un
objetivo, el coste de un batch, la generalización y la banda de tasas buenas. Mismo
estilo y mismos colores que :mod:`batchlab.plots`; lee las tablas por sus claves de
máquina y muestra en español. No importa ningún experimento.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from .labels import LABELS
from .plots import METHOD_COLORS, _finish, _run_label
from .training import History

__all__ = [
    "band_plot",
    "best_lr_plot",
    "cost_plot",
    "curves_grid",
    "generalization_plot",
    "lr_batch_heatmap",
    "steps_plot",
    "variance_plot",
]


def lr_batch_heatmap(summary: pd.DataFrame, title: str, value: str = "worst") -> plt.Figure:
    """Mapa de calor de la pérdida de validación: tasas (filas) × tamaños de batch.

    Las celdas en las que alguna semilla divergió salen en gris con una ✕; la mejor
    tasa de cada tamaño de batch, recuadrada.
    """
    table = summary.pivot(index="lr", columns="B", values=value).sort_index(ascending=False)
    diverged = summary.pivot(index="lr", columns="B", values="diverged_runs").loc[table.index] > 0
    shown = table.where(~diverged & np.isfinite(table))
    fig, ax = plt.subplots(figsize=(9, 6))
    vmin, vmax = np.nanmin(shown.to_numpy()), np.nanquantile(shown.to_numpy(), 0.9)
    sns.heatmap(
        shown,
        ax=ax,
        cmap="viridis_r",
        annot=True,
        fmt=".3f",
        annot_kws={"size": 8},
        norm=plt.matplotlib.colors.LogNorm(vmin=vmin, vmax=max(vmax, vmin * 1.01)),
        cbar_kws={"label": "MSE de validación (peor semilla)"},
        linewidths=0.5,
        linecolor="white",
    )
    ax.set_facecolor("#d9d9d9")
    for i, j in zip(*np.nonzero(diverged.to_numpy()), strict=True):
        ax.text(j + 0.5, i + 0.5, "✕", ha="center", va="center", color="#b2182b", fontsize=13)
    for j, B in enumerate(shown.columns):
        col = shown[B]
        if col.notna().any():
            i = list(shown.index).index(col.idxmin())
            ax.add_patch(plt.Rectangle((j, i), 1, 1, fill=False, ec="white", lw=2.5))
    ax.set_xlabel("tamaño del batch B")
    ax.set_ylabel("tasa de aprendizaje")
    ax.set_yticklabels([f"{v:g}" for v in shown.index], rotation=0)
    ax.set_title(title)
    fig.tight_layout()
    return fig


def best_lr_plot(
    best: dict[str, pd.DataFrame], segments: dict[str, list[tuple[int, int, float, float]]]
) -> plt.Figure:
    """Mejor tasa (refinada) frente a B en log-log, con las rectas ajustadas por tramos.

    `best` = ``{optimizador: best_lr_by_batch(...)}``; `segments[optimizador]` =
    ``[(B_min, B_max, pendiente, ordenada), ...]`` (``sweeps.scaling_segments``).
    """
    fig, ax = plt.subplots(figsize=(8.5, 4.8))
    for (key, table), color in zip(best.items(), METHOD_COLORS, strict=False):
        name = _run_label(key)
        ax.plot(table.index, table["lr_refined"], "o", color=color, ms=7, label=name)
        for b0, b1, slope, intercept in segments[key]:
            Bs = np.geomspace(b0, b1, 20)
            ax.plot(
                Bs,
                np.exp(intercept) * Bs**slope,
                "-",
                color=color,
                lw=1.5,
                label=f"{name}: pendiente {slope:.2f} (B de {b0} a {b1})",
            )
    first = next(iter(best.values()))
    B0, lr0 = first.index[0], first["lr_refined"].iloc[0]
    Bs = np.geomspace(first.index[0], first.index[-1], 20)
    ax.plot(Bs, lr0 * Bs / B0, ":", color="0.4", label="escalado lineal (pendiente 1)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_ylim(top=max(t["lr_refined"].max() for t in best.values()) * 10)
    return _finish(
        fig,
        ax,
        xlabel="tamaño del batch B",
        ylabel="mejor tasa de aprendizaje",
        title="Mejor tasa de aprendizaje frente al tamaño del batch",
        legend_size=8,
    )


def curves_grid(histories: dict[tuple[int, float], History], diagnoses: dict) -> plt.Figure:
    """Curvas de validación de una rejilla (B, lr) en pequeños múltiplos, con su diagnóstico.

    `diagnoses[(B, lr)]` es la clave de ``sweeps.classify_run`` (se muestra en español).
    """
    Bs = sorted({B for B, _ in histories}, reverse=True)
    lrs = sorted({lr for _, lr in histories}, reverse=True)
    fig, axes = plt.subplots(
        len(Bs), len(lrs), figsize=(3.6 * len(lrs), 2.6 * len(Bs)), sharex=True, squeeze=False
    )
    for i, B in enumerate(Bs):
        for j, lr in enumerate(lrs):
            ax, h = axes[i, j], histories[(B, lr)]
            if h.val_loss is not None and len(h.val_loss):
                ax.plot(
                    np.arange(1, len(h.val_loss) + 1),
                    h.val_loss,
                    "o-",
                    ms=3,
                    color=METHOD_COLORS[0],
                )
            else:
                ax.text(
                    0.5,
                    0.5,
                    "divergió",
                    transform=ax.transAxes,
                    ha="center",
                    color=METHOD_COLORS[1],
                    fontsize=12,
                )
            diagnosis = LABELS.get(diagnoses[(B, lr)], diagnoses[(B, lr)])
            ax.set_title(f"B={B}, lr={lr:g}: {diagnosis}", fontsize=9)
            if j == 0:
                ax.set_ylabel("MSE validación")
            if i == len(Bs) - 1:
                ax.set_xlabel("época")
    fig.suptitle("El experimento del blog (decaimiento 1e-3)", fontweight="bold")
    fig.tight_layout()
    return fig


def variance_plot(table: pd.DataFrame, slope: float) -> plt.Figure:
    """Varianza del gradiente de mini-batch frente a B (log-log): medida y predicha."""
    fig, ax = plt.subplots(figsize=(7.5, 4.6))
    ax.plot(
        table["B"],
        table["measured_variance"],
        "o",
        ms=8,
        color=METHOD_COLORS[0],
        label=f"medida (pendiente {slope:.3f})",
    )
    ax.plot(
        table["B"],
        table["predicted_variance"],
        "-",
        color=METHOD_COLORS[1],
        label="tr(Σ)/B · (N−B)/(N−1)",
    )
    return _finish(
        fig,
        ax,
        xlabel="tamaño del batch B",
        ylabel="E‖g_B − G‖²",
        title="El ruido del gradiente cae como 1/B",
        logx=True,
        logy=True,
    )


def steps_plot(
    table: pd.DataFrame, fit: dict[str, float], b_simple: Sequence[float], target: float
) -> plt.Figure:
    """Actualizaciones hasta el objetivo frente a B, con escalado perfecto y el ajuste."""
    ok = table[table["reached"].astype(bool)]
    fig, ax = plt.subplots(figsize=(8.5, 4.8))
    ax.plot(ok.index, ok["updates"], "o", ms=8, color=METHOD_COLORS[0], label="medido")
    Bs = np.geomspace(table.index.min(), table.index.max(), 50)
    if len(ok):
        ax.plot(
            Bs,
            ok["updates"].iloc[0] * ok.index[0] / Bs,
            ":",
            color="0.4",
            label="escalado perfecto (∝ 1/B)",
        )
    if np.isfinite(fit["s_min"]):
        ax.plot(
            Bs,
            fit["s_min"] * (1 + fit["b_noise"] / Bs),
            "-",
            color=METHOD_COLORS[1],
            label=f"S_min·(1 + B_ruido/B), B_ruido ≈ {fit['b_noise']:.0f}",
        )
        ax.axvline(fit["b_noise"], color=METHOD_COLORS[1], ls="--", lw=1)
    ax.axvspan(
        min(b_simple),
        max(b_simple),
        color=METHOD_COLORS[2],
        alpha=0.25,
        label="B_simple medido durante el entrenamiento",
    )
    missing = table[~table["reached"].astype(bool)]
    for B in missing.index:
        ax.annotate("no llega", (B, ax.get_ylim()[1]), ha="center", va="top", fontsize=8)
    return _finish(
        fig,
        ax,
        xlabel="tamaño del batch B (cada uno con su mejor tasa)",
        ylabel=f"actualizaciones hasta MSE val ≤ {target:g}",
        title="Pasos hasta el objetivo: escalado perfecto y rendimientos decrecientes",
        logx=True,
        logy=True,
        legend_size=8,
    )


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
    axes[2].legend(fontsize=8)
    for ax in axes:
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("tamaño del batch B")
    fig.tight_layout()
    return fig


def generalization_plot(table: pd.DataFrame) -> plt.Figure:
    """Pérdida final de entrenamiento y de prueba por B (media ± desviación entre semillas)."""
    fig, ax = plt.subplots(figsize=(8, 4.5))
    for col, color in (("train", METHOD_COLORS[0]), ("test", METHOD_COLORS[1])):
        ax.errorbar(
            table.index,
            table[(col, "mean")],
            yerr=table[(col, "std")],
            fmt="o-",
            color=color,
            capsize=4,
            label=LABELS[col],
        )
    return _finish(
        fig,
        ax,
        xlabel="tamaño del batch B (cada uno con su mejor tasa)",
        ylabel="MSE al final",
        title="Entrenamiento frente a prueba según el tamaño del batch",
        logx=True,
    )


def band_plot(bands: dict[str, pd.DataFrame]) -> plt.Figure:
    """Ancho (en décadas) de la banda de tasas buenas frente a B, por optimizador.

    `bands` = ``{optimizador: sweeps.good_lr_band(...)}``.
    """
    fig, ax = plt.subplots(figsize=(8, 4.2))
    for (key, table), color in zip(bands.items(), METHOD_COLORS, strict=False):
        ax.plot(table.index, table["width_decades"], "o-", color=color, label=_run_label(key))
    return _finish(
        fig,
        ax,
        xlabel="tamaño del batch B",
        ylabel="ancho de la banda de tasas buenas (décadas)",
        title="¿Cuánto margen hay al elegir la tasa?",
        logx=True,
    )
