"""La regla de divergencia del curso, escrita una sola vez.

Un entrenamiento **diverge** cuando su pérdida deja de ser finita o cuando supera
:data:`DIVERGENCE_FACTOR` veces ``max(pérdida inicial, 1)``: en la pérdida de un batch solo
cuenta lo no finito (con B = 1 una sola fila atípica puede dar 1e5 sin que nada diverja); en la
media de una época y con los pesos al final de una época (o de un entrenamiento que para a
media época), también el límite.

La usan el bucle de ``train()`` y el de la pila de ``train_many`` (que solo comparan, en el
bucle caliente, ``not loss < inf``) y los experimentos que juzgan un modelo ya entrenado
(:func:`final_loss_or_inf`).
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["DIVERGENCE_FACTOR", "divergence_limit", "exceeds", "final_loss_or_inf"]

#: Múltiplo de ``max(pérdida inicial, 1)`` a partir del cual una pérdida cuenta como divergida.
DIVERGENCE_FACTOR = 1e3


def divergence_limit(initial_loss: float) -> float:
    """La pérdida a partir de la cual un entrenamiento que empezó en `initial_loss` diverge."""
    return DIVERGENCE_FACTOR * max(initial_loss, 1.0)


def exceeds(loss: float, limit: float) -> bool:
    """¿`loss` cuenta como divergida frente a `limit`? (NaN e inf, siempre)."""
    return not loss < limit


def final_loss_or_inf(history, model, X: np.ndarray, y: np.ndarray) -> float:
    """La pérdida de `model` ya entrenado sobre ``(X, y)``, o inf si su entrenamiento divergió.

    Cuenta como divergido si ``history.diverged`` o si, con los pesos finales, la pérdida
    supera el límite de :func:`divergence_limit` sobre la pérdida de validación inicial del
    historial (o 1 si no la tiene): así también se detecta el que explota en su última época.
    """
    if history.diverged:
        return math.inf
    with np.errstate(all="ignore"):
        value = float(model.loss(X, y))
    initial = history.initial_val_loss if history.initial_val_loss is not None else 1.0
    return math.inf if exceeds(value, divergence_limit(initial)) else value
