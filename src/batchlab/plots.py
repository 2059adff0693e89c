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
        name = _run_label(key, h)
        x, loss = h.epochs_seen, h.update_loss
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
    for (name, path), color in zip(paths.items(), METHOD_COLORS, strict=False):
        ax.plot(
            path[:, 0],
            path[:, 1],
            "-",
            color=color,
            lw=1.4,
            alpha=0.9,
            label=_run_label(name, labels=labels),
        )
        ax.plot(path[-1, 0], path[-1, 1], "o", color=color, ms=6)
    ax.plot(*paths[next(iter(paths))][0], "ks", ms=7, label="inicio")
    ax.plot(*optimum, "k*", ms=14, label="mínimo (mínimos cuadrados)")
    return _finish(
        fig,
        ax,
        xlabel="w (pendiente)",
        ylabel="b (sesgo)",
        title="Trayectorias en el espacio de parámetros",
    )
