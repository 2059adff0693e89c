"""Figuras estáticas que comparten los notebooks 01–04 (matplotlib + seaborn, en español).

Cada función dibuja lo que devuelve un experimento y devuelve la figura; el notebook
decide cuándo mostrarla. Lee las tablas por sus claves de máquina (inglés) y pone en
español solo lo que se ve, con :mod:`batchlab.labels`. No importa ningún experimento.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.ticker import MaxNLocator

from .data import TARGET, TARGET_CAP
from .display import describe, enable_alt_text
from .labels import LABELS, METHOD_NAMES, OPTIMIZER_NAMES, method_label
from .smoothing import moving_average, window_in_updates
from .training import History

__all__ = [
    "activation_spread_plot",
    "budget_plot",
    "cosine_histograms",
    "divergence_vs_lr",
    "runs_curves",
    "time_plot",
    "correlation_heatmap",
    "first_training_plot",
    "geographic_scatter",
    "histograms",
    "learning_curves",
    "loss_vs_time",
    "lr_sweep_plot",
    "parameter_paths",
    "pipeline_runs_plot",
    "predictions_plot",
    "setup_style",
    "update_losses",
]

#: Un color fijo por método, el mismo en todas las figuras del curso.
METHOD_COLORS = ("#30638e", "#d1495b", "#edae49", "#00798c", "#66a182", "#8d96a3")

#: Resolución de las figuras guardadas en los notebooks: nítidas y ligeras.
FIGURE_DPI = 90


def setup_style() -> None:
    """Estilo común del curso: fondo claro, rejilla suave, PNG a resolución moderada.

    En un notebook, además, cada figura se guarda con su texto alternativo
    (:func:`batchlab.display.enable_alt_text`; la descripción la pone :func:`describe`).
    """
    sns.set_theme(style="whitegrid", context="notebook")
    plt.rcParams.update(
        {"figure.dpi": FIGURE_DPI, "savefig.dpi": FIGURE_DPI, "axes.titleweight": "bold"}
    )
    enable_alt_text()


def _run_label(key, history: History | None = None, labels: Mapping | None = None) -> str:
    """La leyenda de una clave: la de `labels`, la de un método con su B o la propia clave."""
    if labels and key in labels:
        return labels[key]
    if key in METHOD_NAMES:
        return method_label(key, history.batch_size) if history else METHOD_NAMES[key]
    return OPTIMIZER_NAMES.get(key, str(key))


def _finish(
    fig: plt.Figure,
    ax: plt.Axes,
    *,
    xlabel: str,
    ylabel: str,
    title: str,
    logx: bool = False,
    logy: bool = False,
    legend_size: float | None = 9,
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


def activation_spread_plot(df: pd.DataFrame) -> plt.Figure:
    """Desviación de las activaciones por capa para cada inicialización (eje y log.)."""
    fig, ax = plt.subplots(figsize=(8, 4.5))
    for (name, grp), color in zip(df.groupby("init", sort=False), METHOD_COLORS, strict=False):
        ax.plot(
            grp["layer"],
            grp["activation_std"],
            "o-",
            color=color,
            label=LABELS.get(name, name),
            ms=4,
        )
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    fig = _finish(
        fig,
        ax,
        xlabel="capa ReLU",
        ylabel="desviación típica de las activaciones",
        title="Cómo se propaga la señal según la inicialización",
        logy=True,
    )
    n_layers = int(df["layer"].max())
    return describe(
        fig,
        f"Desviación típica de las activaciones en cada una de {n_layers} capas ReLU (eje "
        "logarítmico) con tres inicializaciones: He, normal estándar y pesos pequeños.",
    )


def learning_curves(histories: dict[str, History], title: str, log: bool = False) -> plt.Figure:
    """Pérdida por época: entrenamiento (discontinua) y validación/prueba (continua)."""
    fig, ax = plt.subplots(figsize=(8.5, 4.5))
    for (key, h), color in zip(histories.items(), METHOD_COLORS, strict=False):
        name = _run_label(key, h)
        epochs = np.arange(h.epochs_completed + 1)
        ax.plot(
            epochs,
            np.r_[h.initial_train_loss, h.train_loss],
            "--",
            color=color,
            label=f"{name}: entrenamiento",
        )
        if h.val_loss is not None:
            ax.plot(
                epochs,
                np.r_[h.initial_val_loss, h.val_loss],
                "-",
                color=color,
                label=f"{name}: prueba",
            )
    return _finish(
        fig, ax, xlabel="época", ylabel="MSE (objetivo estandarizado)", title=title, logy=log
    )


def first_training_plot(history: History, title: str) -> plt.Figure:
    """Curvas del primer entrenamiento (notebook 02), en eje logarítmico.

    Entrenamiento: media de las pérdidas de los batches de cada época (antes de cada
    actualización); validación: al final de cada época; el punto 0 es la pérdida inicial.
    Si el entrenamiento divergió se dibuja la pérdida de cada batch hasta la última finita,
    con una ✕ donde divergió, para que la figura nunca quede vacía.
    """
    fig, ax = plt.subplots(figsize=(8.5, 4.5))
    if history.diverged:
        loss = np.asarray(history.update_loss, dtype=float)
        ok = np.isfinite(loss) & (loss > 0)
        t = np.arange(1, loss.size + 1)
        ax.plot(t[ok], loss[ok], "-", color=METHOD_COLORS[0], lw=0.8, label="pérdida de cada batch")
        last = int(np.flatnonzero(ok)[-1]) if ok.any() else 0
        y_mark = loss[last] if ok.any() else history.initial_train_loss
        ax.plot(
            [last + 1],
            [y_mark],
            "x",
            color=METHOD_COLORS[1],
            ms=12,
            mew=3,
            label=f"divergió (actualización {history.n_updates})",
        )
        fig = _finish(
            fig,
            ax,
            xlabel="actualización",
            ylabel="MSE (objetivo estandarizado)",
            title=f"{title}: divergió",
            logy=True,
        )
        return describe(
            fig,
            f"Pérdida de cada batch hasta que el entrenamiento divergió en "
            f"la actualización {history.n_updates} (eje logarítmico).",
        )
    epochs = np.arange(history.epochs_completed + 1)
    ax.plot(
        epochs,
        np.r_[history.initial_train_loss, history.train_loss],
        "--",
        color=METHOD_COLORS[0],
        label="entrenamiento (media de los batches)",
    )
    if history.val_loss is not None:
        ax.plot(
            epochs,
            np.r_[history.initial_val_loss, history.val_loss],
            "-",
            color=METHOD_COLORS[1],
            label="validación (al final de la época)",
        )
    fig = _finish(
        fig, ax, xlabel="época", ylabel="MSE (objetivo estandarizado)", title=title, logy=True
    )
    return describe(
        fig,
        f"Curvas de aprendizaje en eje logarítmico durante "
        f"{history.epochs_completed} épocas: entrenamiento discontinuo y "
        "validación continua.",
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
            fontsize=9,
        )
    ticks = [textwrap.fill((labels or {}).get(n, n), 20) for n in names]
    ax.set_xticks(range(len(names)), ticks, fontsize=9)
    ax.set_ylim(top=top * 2.5)
    fig = _finish(
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
    fig, ax = plt.subplots(figsize=(8.5, 4.8))
    for (key, hs), color in zip(runs.items(), METHOD_COLORS, strict=False):
        k = sum(h.diverged for h in hs)
        name = f"{_run_label(key, hs[0], labels)} ({k} de {len(hs)} divergen)"
        full = [np.r_[h.initial_val_loss, h.val_loss] for h in hs]
        for h, v in zip(hs, full, strict=True):
            ax.plot(np.arange(len(v)), v, "-", color=color, lw=0.7, alpha=0.35)
            if h.diverged:
                ax.plot(len(v) - 1, v[-1], "x", color=color, ms=9, mew=2)
        ok = [v for h, v in zip(hs, full, strict=True) if not h.diverged]
        if ok:
            ax.plot(
                np.arange(len(ok[0])),
                np.median(ok, axis=0),
                "-",
                color=color,
                lw=2.4,
                label=f"{name}: validación (mediana)",
            )
            tr = [np.r_[h.initial_train_loss, h.train_loss_end] for h in hs if not h.diverged]
            ax.plot(
                np.arange(len(tr[0])),
                np.median(tr, axis=0),
                "--",
                color=color,
                lw=1.6,
                label="entrenamiento, mismos pesos (mediana)",
            )
        else:
            ax.plot([], [], "x", color=color, ms=9, mew=2, label=f"{name}: todas divergieron")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    return _finish(
        fig,
        ax,
        xlabel="época (pérdidas con los pesos al final de cada una)",
        ylabel="MSE (objetivo estandarizado)",
        title=title,
        logy=True,
        legend_size=8,
    )


def predictions_plot(y_true: np.ndarray, y_pred: np.ndarray) -> plt.Figure:
    """Predicción frente a valor real y residuos, en cientos de miles de $."""
    y_true, y_pred = np.ravel(y_true), np.ravel(y_pred)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4.8))
    ax1.scatter(y_true, y_pred, s=4, alpha=0.3, color=METHOD_COLORS[0], linewidths=0)
    lims = [min(y_true.min(), y_pred.min()), max(y_true.max(), y_pred.max())]
    ax1.plot(lims, lims, color="black", lw=1, label="predicción perfecta")
    ax1.axvline(TARGET_CAP, color=METHOD_COLORS[1], ls=":", label="tope del censo (5,00001)")
    ax1.set_xlabel("valor real (cientos de miles de $)")
    ax1.set_ylabel("predicción (cientos de miles de $)")
    ax1.set_title("Predicción frente a valor real (prueba)")
    ax1.legend(fontsize=9)
    residuals = y_pred - y_true
    ax2.scatter(y_pred, residuals, s=4, alpha=0.3, color=METHOD_COLORS[0], linewidths=0)
    ax2.axhline(0, color="black", lw=1)
    ax2.set_xlabel("predicción (cientos de miles de $)")
    ax2.set_ylabel("residuo = predicción − real")
    ax2.set_title("Residuos (prueba)")
    fig.tight_layout()
    return describe(
        fig,
        "Izquierda: predicción frente a valor real en la prueba, con la diagonal perfecta y "
        "el tope del censo como línea vertical. Derecha: residuos frente a la predicción.",
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
        name = _run_label(key, h) + (" (divergió)" if h.diverged else "")
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
    ax2.legend(fontsize=9)
    fig.tight_layout()
    return fig


def loss_vs_time(histories: dict[str, History], title: str) -> plt.Figure:
    """Pérdida de prueba en cada punto de control frente al tiempo de entrenamiento."""
    fig, ax = plt.subplots(figsize=(8.5, 4.5))
    for (key, h), color in zip(histories.items(), METHOD_COLORS, strict=False):
        ax.plot(
            h.checkpoint_time, h.checkpoint_loss, "-", color=color, label=_run_label(key, h), lw=1.8
        )
    return _finish(
        fig,
        ax,
        xlabel="segundos de entrenamiento (sin contar evaluaciones)",
        ylabel="MSE de prueba",
        title=title,
        logy=True,
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
        name = _run_label(key, labels=labels)
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
    ax2.legend(fontsize=9)
    fig.tight_layout()
    return fig


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
            drawn |= _median_band(ax, seconds, c[:, 1:], color, _run_label(key, labels=labels))
        _log_axes_or_note(ax, drawn, logx=True)
        ax.set_xlabel("segundos estimados (actualizaciones × µs por actualización)")
        ax.set_title(title)
    axes[0][0].set_ylabel("MSE de validación")
    axes[0][-1].legend(fontsize=9)
    fig.tight_layout()
    return fig


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
    return _finish(
        fig,
        ax,
        xlabel="coseno con el gradiente completo (1 = misma dirección)",
        ylabel="batches",
        title="¿Apunta el gradiente de un batch como el completo?",
    )


def lr_sweep_plot(summary: pd.DataFrame, title: str) -> plt.Figure:
    """Pérdida de validación (mediana entre semillas) frente a la tasa, por método.

    Una ✕ marca las tasas en las que alguna semilla divergió (en el borde superior si
    divergieron todas).
    """
    fig, ax = plt.subplots(figsize=(8.5, 4.5))
    finite = summary.loc[np.isfinite(summary["median"]), "median"]
    top = finite.max() * 1.5 if len(finite) else 1.0
    for (B, grp), color in zip(summary.groupby("B", sort=False), METHOD_COLORS, strict=False):
        # NaN donde divergieron todas: la línea se corta en vez de saltar el hueco
        median = grp["median"].where(np.isfinite(grp["median"]))
        ax.plot(grp["lr"], median, "o-", color=color, label=method_label(grp["method"].iloc[0], B))
        bad = grp[grp["diverged_runs"] > 0]
        y = np.where(np.isfinite(bad["median"]), bad["median"], top)
        ax.plot(bad["lr"], y, "x", color=color, ms=11, mew=2.2)
    ax.plot([], [], "x", color="0.3", ms=9, mew=2, label="alguna semilla divergió")
    return _finish(
        fig,
        ax,
        xlabel="tasa de aprendizaje",
        ylabel="MSE de validación final (mediana)",
        title=title,
        logx=True,
        logy=True,
    )


def divergence_vs_lr(
    table: pd.DataFrame, summary: pd.DataFrame, chosen: pd.DataFrame, labels: Mapping | None = None
) -> plt.Figure:
    """Barrido con muchas ejecuciones: arriba, la validación de **cada** ejecución (puntos)
    y su mediana; abajo, la proporción de ejecuciones que divergen con su IC de Wilson
    (95 %). Una estrella marca la tasa elegida de cada método."""
    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(8.5, 7.2), sharex=True)
    for (key, grp), color in zip(
        summary.groupby("method", sort=False), METHOD_COLORS, strict=False
    ):
        name = _run_label(key, labels=labels)
        runs = table[(table["method"] == key) & ~table["diverged"]]
        jitter = np.exp(np.random.default_rng(0).uniform(-0.06, 0.06, len(runs)))
        ax1.plot(runs["lr"] * jitter, runs["val_loss"], ".", color=color, alpha=0.45, ms=5)
        ax1.plot(
            grp["lr"],
            grp["median"].where(grp["diverged_runs"] < grp["runs"]),
            "-",
            color=color,
            lw=1.6,
            label=name,
        )
        p = grp["diverged_runs"] / grp["runs"]
        ax2.errorbar(
            grp["lr"],
            p,
            yerr=[p - grp["div_low"], grp["div_high"] - p],
            fmt="o-",
            color=color,
            capsize=3,
            lw=1.4,
            label=name,
        )
        if key in chosen.index and np.isfinite(chosen.loc[key, "lr"]):
            ax1.plot(
                chosen.loc[key, "lr"],
                chosen.loc[key, "median"],
                "*",
                color=color,
                ms=17,
                mec="black",
            )
    ax1.plot([], [], "k*", ms=12, label="tasa elegida")
    ax1.set_yscale("log")
    ax1.set_ylabel("MSE de validación final")
    ax1.set_title("Cada ejecución (puntos; sin las divergidas) y su mediana")
    ax1.legend(fontsize=8)
    ax2.set_xscale("log")
    ax2.set_ylim(-0.03, 1.03)
    ax2.set_xlabel("tasa de aprendizaje")
    ax2.set_ylabel("P(divergencia)")
    ax2.set_title("Proporción de ejecuciones que divergen (IC 95 % de Wilson)")
    fig.tight_layout()
    return fig


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
        label = _run_label(name, labels=labels)
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
    return _finish(
        fig,
        ax,
        xlabel="w (pendiente)",
        ylabel="b (sesgo)",
        title="Trayectorias en el espacio de parámetros",
    )
