"""Notebook 03, sección 3: el ruido de la pérdida de cada actualización.

La pérdida de cada batch oscila alrededor de una tendencia; la media móvil la estima
(:func:`moving_average`, sobre una fracción de época: :func:`window_in_updates`) y
:func:`update_noise` mide la dispersión relativa alrededor de ella. Solo lee un
``History``: no entrena (las figuras lo importan sin depender de los experimentos).
"""

from __future__ import annotations

import numpy as np

from .training import History

__all__ = ["moving_average", "update_noise", "window_in_updates"]


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


def update_noise(history: History, window: float = 0.02) -> float:
    """Ruido de la pérdida por actualización en la última época.

    Dispersión relativa de las pérdidas de cada batch alrededor de su media móvil
    (ventana = `window` de época, al menos 1 actualización):
    ``std(pérdida − media móvil) / media(media móvil)``. Con el batch completo cada
    "pérdida de batch" es la pérdida exacta, y el ruido es 0.
    """
    losses = history.update_loss[-history.updates_per_epoch :]
    w = window_in_updates(history, window)
    if w == 1 or len(losses) <= w:
        return 0.0
    idx, trend = moving_average(losses, w)
    return float(np.std(losses[idx] - trend) / np.mean(trend))
