"""Definiciones de referencia para los tests: lo que el paquete debe dar, escrito a mano."""

import math

import numpy as np

import batchlab as bl


def run_to_target(
    model,
    X: np.ndarray,
    y: np.ndarray,
    X_eval: np.ndarray,
    y_eval: np.ndarray,
    *,
    batch_size: int,
    learning_rate: float,
    seed: int,
    target: float,
    max_updates: int,
    optimizer: str = "sgd",
    momentum: float = 0.9,
    rel: float = 0.015,
) -> dict:
    """Entrena `model` en sitio hasta que la pérdida en ``(X_eval, y_eval)`` baja de `target`.

    Es :func:`batchlab.train` con ``X_val=X_eval``, ``target_loss=target``, como mucho
    `max_updates` actualizaciones y puntos de control **geométricos** (``eval_rel=rel``:
    tras cada actualización hasta t = 1/`rel` y después cada ``max(1, int(rel·t))``), así
    que los pasos se cuentan con un error < `rel` (relativo). Devuelve ``steps`` (las
    actualizaciones del punto de control que llegó; NaN si no llega), ``samples``
    (muestras realmente procesadas, con el último batch de cada época más pequeño),
    ``reached`` y ``diverged``.
    """
    history = bl.train(
        model,
        X,
        y,
        batch_size=batch_size,
        learning_rate=learning_rate,
        seed=seed,
        max_updates=max_updates,
        X_val=X_eval,
        y_val=y_eval,
        eval_rel=rel,
        target_loss=target,
        optimizer=optimizer,
        momentum=momentum,
    )
    reached = history.stop_reason == "target"
    return {
        "steps": float(history.n_updates) if reached else math.nan,
        "samples": float(history.samples_seen[-1]) if reached else math.nan,
        "reached": reached,
        "diverged": history.diverged,
    }
