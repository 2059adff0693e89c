"""Figuras del notebook 03: batch completo, SGD y mini-batch comparados (muchas
ejecuciones, pérdida por actualización, presupuestos, tiempo, cosenos, caminos).

Estilo, colores y ayudas comunes en :mod:`batchlab.plots`; el barrido de tasas, en
:mod:`batchlab.sweep_plots`. No importa ningún experimento.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import MaxNLocator

if TYPE_CHECKING:
    from ..training.history import History
from .alt_text import describe
from .style import METHOD_COLORS, MIN_FONT, finish, legend_below, run_label

__all__ = [
    "budget_plot",
    "cosine_histograms",
    "parameter_paths",
    "runs_curves",
    "time_plot",
    "update_losses",
]


def runs_curves(
    runs: dict[str, list[History]],
    title: str,
    labels: Mapping | None = None,
) -> plt.Figure:
    """Muchas ejecuciones por método, época a época, **en el mismo momento**: validación y
    entrenamiento con los pesos del final de cada época (x = 0: los pesos iniciales).

    Cada ejecución es una línea fina; la mediana de validación, gruesa, y la de
    entrenamiento, discontinua. Una ✕ marca dónde se cortó una ejecución que divergió.
    """
    fig, ax = plt.subplots(figsize=(8.5, 7.2))
    for (key, hs), color in zip(runs.items(), METHOD_COLORS, strict=False):
        k = sum(h.diverged for h in hs)
        name = f"{run_label(key, hs[0], labels)} ({k} de {len(hs)} divergen)"
        full = [np.r_[h.initial_val_loss, h.val_loss] for h in hs]
        for h, v in zip(hs, full, strict=True):
            ax.plot(np.arange(len(v)), v, "-", color=color, lw=0.7, alpha=0.35)
            if h.diverged:
                ax.plot(len(v) - 1, v[-1], "x", color=color, ms=9, mew=2)
        ok = [v for h, v in zip(hs, full, strict=True) if not h.diverged]
        if ok:
            tr = [np.r_[h.initial_train_loss, h.train_loss_end] for h in hs if not h.diverged]
            for curves, style, lw, label in (
                (ok, "-", 2.4, f"{name}: validación (mediana)"),
                (tr, "--", 1.6, "entrenamiento, mismos pesos (mediana)"),
            ):
                median = np.median(curves, axis=0)
                ax.plot(np.arange(len(median)), median, style, color=color, lw=lw, label=label)
        else:
            ax.plot([], [], "x", color=color, ms=9, mew=2, label=f"{name}: todas divergieron")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    finish(
        fig,
        ax,
        xlabel="época (pérdidas con los pesos al final de cada una)",
        ylabel="MSE (objetivo estandarizado)",
        title=title,
        logy=True,
        legend_size=None,
    )
    legend_below(ax, ncol=1)
    fig.tight_layout()
    return describe(
        fig,
        "Pérdida de validación de cada ejecución por época en escala log, una línea fina por "
        "ejecución y la mediana gruesa por método (discontinua, la de entrenamiento); una ✕ "
        "marca dónde se cortó una ejecución que divergió.",
    )


def update_losses(
    histories: dict[str, History], window: float = 0.02, max_points: int = 4000
) -> plt.Figure:
    """Pérdida de cada actualización sobre un eje común: épocas vistas (= muestras / N).

    Izquierda, los valores tal cual (a lo sumo `max_points` por método, tomados a
    intervalos regulares, sin repetir ni estirar nada); derecha, su media móvil sobre
    `window` de época.
    """
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(13, 4.6), sharey=True)
    for (key, h), color in zip(histories.items(), METHOD_COLORS, strict=False):
        name = run_label(key, h) + (" (divergió)" if h.diverged else "")
        # cada pérdida donde se midió: antes de su paso; sin los valores no finitos
        x, loss = h.samples_before / h.n_samples, h.update_loss
        finite = np.isfinite(loss) & (loss < 1e6 * max(h.initial_train_loss, 1.0))
        x, loss = x[finite], loss[finite]
        step = max(1, len(loss) // max_points)
        marker = "o" if h.updates_per_epoch == 1 else None
        ax1.plot(
            x[::step], loss[::step], color=color, lw=0.6, alpha=0.6, marker=marker, ms=4, label=name
        )
        idx, smooth = moving_average(loss, window_in_updates(h, window))
        xs = x[idx]
        step = max(1, len(smooth) // max_points)
        ax2.plot(xs[::step], smooth[::step], color=color, lw=1.8, marker=marker, ms=4, label=name)
    for ax, title in (
        (ax1, "Pérdida de cada batch"),
        (ax2, f"Media móvil ({window:.0%} de época)"),
    ):
        ax.set_yscale("log")
        ax.set_xlabel("épocas vistas (muestras procesadas / N)")
        ax.set_title(title)
    ax1.set_ylabel("MSE del batch")
    ax2.legend(fontsize=MIN_FONT)
    fig.tight_layout()
    return describe(
        fig,
        "Pérdida de cada batch frente a las épocas vistas, en escala log, por método: a la "
        "izquierda los valores tal cual, a la derecha su media móvil.",
    )


def _median_band(ax, x, curves, color, label):
    """Mediana (línea) y banda del 10–90 % (sombra) de unas curvas, punto a punto; una
    ejecución divergida vale inf (la mediana sigue siendo finita mientras diverjan menos de
    la mitad). Sin nada que dibujar, deja solo la entrada de la leyenda «(divergen)»."""
    x, c = np.asarray(x, dtype=float), np.asarray(curves, dtype=float)
    with np.errstate(invalid="ignore"):
        median = np.median(c, axis=0) if c.size else np.array([])
        low, high = (np.quantile(c, q, axis=0) if c.size else np.array([]) for q in (0.1, 0.9))
    ok = np.isfinite(median)
    if not ok.any():
        ax.plot([], [], "x", color=color, label=f"{label} (divergen)")
        return False
    band = ok & np.isfinite(high)
    ax.fill_between(x[band], low[band], high[band], color=color, alpha=0.18, lw=0)
    ax.plot(x[ok], median[ok], color=color, lw=2, label=label)
    return True


def _log_axes_or_note(ax, drawn: bool, logx: bool) -> None:
    """Escalas logarítmicas si hay algo dibujado; si no, una nota en el centro del eje."""
    if drawn:
        ax.set_yscale("log")
        if logx:
            ax.set_xscale("log")
    else:
        ax.text(
            0.5,
            0.5,
            "todas las ejecuciones divergieron",
            ha="center",
            va="center",
            transform=ax.transAxes,
        )


def budget_plot(
    curves: dict[str, np.ndarray],
    every: int,
    batch_sizes: dict[str, int],
    n_updates: int,
    labels: Mapping | None = None,
) -> plt.Figure:
    """Pérdida de validación frente a actualizaciones (izquierda, hasta `n_updates`) y
    frente a muestras vistas (derecha): mediana y banda 10–90 % de las ejecuciones, cada
    punto donde se midió (tras la actualización t, con t·B muestras vistas)."""
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(13, 4.6), sharey=True)
    drawn = [False, False]
    for (key, c), color in zip(curves.items(), METHOD_COLORS, strict=False):
        t = np.arange(c.shape[1]) * every
        name = run_label(key, labels=labels)
        upto = t <= n_updates
        drawn[0] |= _median_band(ax1, t[upto], c[:, upto], color, name)
        # eje logarítmico: desde el primer punto de control tras t = 0
        drawn[1] |= _median_band(ax2, t[1:] * batch_sizes[key], c[:, 1:], color, name)
    ax1.set_xlabel("actualizaciones")
    ax2.set_xlabel("muestras vistas (actualizaciones × B)")
    ax1.set_ylabel("MSE de validación")
    ax1.set_title("Por paso: a igual número de actualizaciones")
    ax2.set_title("Por muestra: a igual número de muestras vistas")
    _log_axes_or_note(ax1, drawn[0], logx=False)
    _log_axes_or_note(ax2, drawn[1], logx=True)
    ax2.legend(fontsize=MIN_FONT)
    fig.tight_layout()
    return describe(
        fig,
        "Pérdida de validación de cada método, mediana y banda de las ejecuciones: a la "
        "izquierda frente al número de actualizaciones, a la derecha frente a las muestras vistas.",
    )


def time_plot(
    curves: dict[str, np.ndarray],
    every: int,
    us_per_update: dict[str, Mapping],
    labels: Mapping | None = None,
) -> plt.Figure:
    """Pérdida de validación frente al tiempo **estimado** con un modelo de coste
    (actualizaciones × µs por actualización): un panel por coste (``{título: {método:
    µs}}``), mediana y banda 10–90 % de las ejecuciones."""
    fig, axes = plt.subplots(1, len(us_per_update), figsize=(13, 4.6), sharey=True, squeeze=False)
    for ax, (title, cost) in zip(axes[0], us_per_update.items(), strict=True):
        drawn = False
        for (key, c), color in zip(curves.items(), METHOD_COLORS, strict=False):
            seconds = np.arange(1, c.shape[1]) * every * cost[key] * 1e-6  # sin t = 0 (log)
            drawn |= _median_band(ax, seconds, c[:, 1:], color, run_label(key, labels=labels))
        _log_axes_or_note(ax, drawn, logx=True)
        ax.set_xlabel("segundos estimados (actualizaciones × µs por actualización)")
        ax.set_title(title)
    axes[0][0].set_ylabel("MSE de validación")
    axes[0][-1].legend(fontsize=MIN_FONT)
    fig.tight_layout()
    return describe(
        fig,
        "Pérdida de validación de cada método frente a los segundos estimados (actualizaciones "
        "por microsegundos por actualización), un panel por modelo de coste, con mediana y banda.",
    )


def cosine_histograms(cosines: dict[int, np.ndarray]) -> plt.Figure:
    """Histograma del coseno entre el gradiente de un batch y el completo, por B."""
    fig, ax = plt.subplots(figsize=(8.5, 4.3))
    bins = np.linspace(-1, 1, 61)
    for (B, c), color in zip(cosines.items(), METHOD_COLORS[1:], strict=False):
        ax.hist(
            c,
            bins=bins,
            color=color,
            alpha=0.55,
            label=f"B = {B}: mediana {np.median(c):.2f}, {np.mean(c < 0):.1%} negativos",
        )
    ax.axvline(0, color="black", lw=1)
    finish(
        fig,
        ax,
        xlabel="coseno con el gradiente completo (1 = misma dirección)",
        ylabel="batches",
        title="¿Apunta el gradiente de un batch como el completo?",
    )
    return describe(
        fig,
        "Histogramas, uno por tamaño de batch, del coseno entre el gradiente de un batch y el "
        "gradiente completo, con una línea vertical en 0.",
    )


def parameter_paths(
    surface: np.ndarray,
    w: np.ndarray,
    b: np.ndarray,
    paths: dict[str, np.ndarray],
    optimum: tuple[float, float],
    labels: Mapping | None = None,
) -> plt.Figure:
    """Curvas de nivel de la pérdida en (w, b) y la trayectoria de cada método.

    `paths` = ``{clave del método: (w, b) por paso}``; `labels`, leyendas propias.
    """
    fig, ax = plt.subplots(figsize=(7.5, 6))
    levels = np.quantile(surface, np.linspace(0.005, 0.9, 14))
    ax.contour(w, b, surface, levels=levels, colors="0.6", linewidths=0.8)
    span = max(np.ptp(w), np.ptp(b))
    centre = np.array([np.mean(w), np.mean(b)])
    for (name, path), color in zip(paths.items(), METHOD_COLORS, strict=False):
        # una trayectoria que diverge se corta al salir de la figura (con una ✕)
        inside = np.isfinite(path).all(axis=1) & (np.abs(path - centre).max(axis=1) < 3 * span)
        stop = len(path) if inside.all() else int(np.argmin(inside))
        label = run_label(name, labels=labels)
        if stop < len(path):
            label += f" (divergió en el paso {stop})"
        ax.plot(path[:stop, 0], path[:stop, 1], "-", color=color, lw=1.0, alpha=0.85, label=label)
        ax.plot(
            path[stop - 1, 0],
            path[stop - 1, 1],
            "x" if stop < len(path) else "o",
            color=color,
            ms=7,
            mew=2,
        )
    ax.set_xlim(w.min(), w.max())
    ax.set_ylim(b.min(), b.max())
    ax.plot(*paths[next(iter(paths))][0], "ks", ms=7, label="inicio")
    ax.plot(*optimum, "k*", ms=14, label="mínimo (mínimos cuadrados)")
    finish(
        fig,
        ax,
        xlabel="w (pendiente)",
        ylabel="b (sesgo)",
        title="Trayectorias en el espacio de parámetros",
    )
    return describe(
        fig,
        "Curvas de nivel de la pérdida en el plano (w, b) con la trayectoria de cada método "
        "desde el inicio (cuadrado) hacia el mínimo (estrella); una ✕ marca una divergencia.",
    )


def window_in_updates(history: History, window: float) -> int:
    """Una fracción `window` de época expresada en actualizaciones (al menos 1)."""
    return max(1, round(window * history.updates_per_epoch))


def moving_average(values: np.ndarray, window: int) -> tuple[np.ndarray, np.ndarray]:
    """Media móvil centrada de `window` puntos (solo donde la ventana cabe entera).

    Devuelve ``(índices, media)``: ``media[k]`` promedia los vecinos de ``values[índices[k]]``.
    """
    if window > len(values):  # la ventana no cabe: no hay media que dar
        return np.arange(0), np.array([])
    trend = np.convolve(values, np.ones(window) / window, mode="valid")
    return np.arange(window // 2, window // 2 + len(trend)), trend
