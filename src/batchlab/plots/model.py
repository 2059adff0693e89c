"""Notebook 02: las figuras del MLP (inicialización, primer entrenamiento, predicciones)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import MaxNLocator

from ..data import TARGET_CAP
from ..labels import LABELS
from .alt_text import describe
from .style import METHOD_COLORS, MIN_FONT, finish

if TYPE_CHECKING:
    from ..training.history import History


__all__ = [
    "activation_spread_plot",
    "first_training_plot",
    "predictions_plot",
]


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
    fig = finish(
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
        fig = finish(
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
    train = np.r_[history.initial_train_loss, history.train_loss]
    curves = [(train, "--", 0, "entrenamiento (media de los batches)")]
    if history.val_loss is not None:
        val = np.r_[history.initial_val_loss, history.val_loss]
        curves.append((val, "-", 1, "validación (al final de la época)"))
    for values, line, k, label in curves:
        ax.plot(epochs, values, line, color=METHOD_COLORS[k], label=label)
    fig = finish(
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
    ax1.axvline(TARGET_CAP, color=METHOD_COLORS[1], ls=":", label="tope del censo (5.00001)")
    ax1.set_xlabel("valor real (cientos de miles de $)")
    ax1.set_ylabel("predicción (cientos de miles de $)")
    ax1.set_title("Predicción frente a valor real (prueba)")
    ax1.legend(fontsize=MIN_FONT)
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
