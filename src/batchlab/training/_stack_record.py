"""Lo que se anota de cada run de una pila de :func:`batchlab.training.train_many` y cómo se evalúa.

Lo mismo que :func:`batchlab.training.train` guarda en variables locales (pérdidas por
actualización y por época, tiempos, puntos de control, divergencia), un registro por run, y
el :class:`~batchlab.history.History` que sale de él, con los mismos campos.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..mlp import MLP, mse
from .history import History, cumulative_samples

#: Filas por bloque al evaluar la pérdida de un run sobre muchos datos (ver :func:`block_loss`).
EVAL_ROWS = 1024


def block_loss(model: MLP, X: np.ndarray, y: np.ndarray) -> float:
    """``model.loss(X, y)`` calculada por bloques de ``EVAL_ROWS`` filas: el mismo número.

    Cada fila de la predicción no depende de las demás y el MSE se toma sobre todas juntas.
    Las activaciones de un bloque (1024 × 64 float64 = 512 kB) caben en la caché L2 de un
    núcleo; las de la capa de 64 con las 16512 filas de entrenamiento (8 MB) no, y dos procesos
    de ``train_groups`` que evaluaban a la vez se frenaban. ``train()`` evalúa así con el motor
    compilado (sus pasos no reservan arrays grandes) y de golpe con el bucle de NumPy, a
    propósito. Las medidas: ``benchmarks/README.md``.
    """
    if len(X) <= EVAL_ROWS:
        return model.loss(X, y)
    pred = np.empty((len(X), model.layer_sizes[-1]))
    for start in range(0, len(X), EVAL_ROWS):
        pred[start : start + EVAL_ROWS] = model.predict(X[start : start + EVAL_ROWS])
    return mse(pred, y)


@dataclass
class _Run:
    """Estado y registro de un run dentro de la pila (lo que ``train()`` guarda en locales)."""

    index: int
    learning_rate: float
    seed: int
    limit: float
    initial: float
    initial_val: float | None
    orders: object
    losses: list = field(default_factory=list)  # trozos de update_loss
    epoch_losses: list = field(default_factory=list)  # trozos de la época en curso
    epoch_time: list = field(default_factory=list)
    train_loss: list = field(default_factory=list)
    train_loss_end: list = field(default_factory=list)
    val_loss: list = field(default_factory=list)
    ck_updates: list = field(default_factory=list)
    ck_times: list = field(default_factory=list)
    ck_losses: list = field(default_factory=list)
    elapsed: float = 0.0
    n_updates: int = 0
    diverged: bool = False
    stop_reason: str | None = None


def _shadow(layer_sizes: tuple[int, ...], theta_row: np.ndarray) -> MLP:
    """Un :class:`MLP` cuyos parámetros son una vista de una fila de la pila (para evaluar)."""
    twin = object.__new__(MLP)
    twin.layer_sizes = layer_sizes
    twin.theta = theta_row
    twin.grad = np.zeros_like(theta_row)
    twin._bind_views()
    return twin


def _finish_epoch(
    run: _Run, complete: bool, seconds: float, sizes, n, model, X, y, X_val, y_val, t: int
) -> None:
    """Cierra la época de un run (completa o no), como el final de la época en ``train()``."""
    run.epoch_time.append(seconds)
    run.elapsed += seconds
    run.n_updates = t
    chunk = run.epoch_losses[0] if len(run.epoch_losses) == 1 else np.concatenate(run.epoch_losses)
    run.losses.append(chunk)
    run.epoch_losses = []
    if run.diverged:
        return
    end_loss = block_loss(model, X, y)  # con los pesos tras el último paso, como train()
    if not complete:  # parada a media época
        run.diverged = not end_loss < run.limit
        return
    epoch_loss = float(np.dot(chunk, sizes)) / n
    run.diverged = not (epoch_loss < run.limit and end_loss < run.limit)
    if not run.diverged:
        run.train_loss.append(epoch_loss)
        run.train_loss_end.append(end_loss)
        if X_val is not None:
            run.val_loss.append(block_loss(model, X_val, y_val))


def _history(run: _Run, *, bs, n, decay, epochs, optimizer, has_val) -> History:
    """El :class:`History` de un run, con los mismos campos que el de ``train()``."""
    return History(
        batch_size=bs,
        learning_rate=run.learning_rate,
        decay=decay,
        seed=run.seed,
        n_samples=n,
        epochs_requested=epochs,
        initial_train_loss=run.initial,
        initial_val_loss=run.initial_val,
        train_loss=np.array(run.train_loss),
        train_loss_end=np.array(run.train_loss_end),
        val_loss=np.array(run.val_loss) if has_val else None,
        update_loss=np.concatenate(run.losses) if run.losses else np.array([]),
        samples_seen=cumulative_samples(n, bs, run.n_updates),
        epoch_time=np.array(run.epoch_time),
        checkpoint_updates=np.array(run.ck_updates, dtype=int),
        checkpoint_time=np.array(run.ck_times),
        checkpoint_loss=np.array(run.ck_losses),
        n_updates=run.n_updates,
        diverged=run.diverged,
        optimizer=optimizer,
        stop_reason="diverged" if run.diverged else (run.stop_reason or "epochs"),
    )
