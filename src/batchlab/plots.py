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

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.ticker import MaxNLocator

from .data import TARGET_CAP
from .display import describe, enable_alt_text
from .labels import LABELS, METHOD_NAMES, OPTIMIZER_NAMES, method_label
from .training import History

__all__ = [
    "activation_spread_plot",
    "first_training_plot",
    "learning_curves",
    "predictions_plot",
    "setup_style",
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
