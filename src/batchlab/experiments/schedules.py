"""Notebook 04: tasas que cambian durante el entrenamiento (el blog y Smith et al., 2018).

* El blog del material original usaba ``η_t = η₀ / (1 + d·t)`` con t en
  **actualizaciones**: tras las mismas épocas, un B pequeño ha dado muchas más
  actualizaciones y su tasa ha bajado mucho más (:func:`decay_factor`), así que la
  comparación entre B mezcla el batch con el decaimiento. :func:`epoch_schedule_run`
  entrena con el decaimiento **por época** (igual para todos los B) o por actualización.
* Smith et al. (2018): en lugar de bajar la tasa por fases, **subir B** por el mismo
  factor (:func:`phase_run`, con fases ``(épocas, B, lr)``).

Las ejecuciones devuelven la curva de validación (inicial + una por época), si divergió,
las actualizaciones y las muestras procesadas; :func:`classify_curve` diagnostica esa curva
(diverge, tiene picos, oscila, se arrastra o converge).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from ..mlp import MLP
from ..training import train

__all__ = ["classify_curve", "decay_factor", "epoch_schedule_run", "phase_run"]


def decay_factor(n: int, batch_size: int, epochs: int, decay: float) -> float:
    """η/η₀ tras `epochs` épocas con ``η_t = η₀/(1 + decay·t)`` y t en actualizaciones."""
    return 1.0 / (1.0 + decay * epochs * math.ceil(n / batch_size))


def phase_run(
    model: MLP,
    X: np.ndarray,
    y: np.ndarray,
    X_val: np.ndarray,
    y_val: np.ndarray,
    phases: Sequence[tuple[int, int, float]],
    *,
    seed: int,
) -> dict:
    """Entrena `model` en sitio por fases ``(épocas, B, lr)``, una llamada a ``train()`` por época.

    La semilla de barajado de la época e es ``seed·1000 + e``. Devuelve ``curve`` (val.
    inicial y tras cada época), ``diverged``, ``updates`` y ``samples``.
    """
    curve = [model.loss(X_val, y_val)]
    updates, samples, e = 0, 0, 0
    for n_epochs, B, lr in phases:
        for _ in range(n_epochs):
            h = train(model, X, y, batch_size=B, learning_rate=lr, epochs=1, seed=seed * 1000 + e)
            e += 1
            updates += h.n_updates
            samples += int(h.samples_seen[-1]) if len(h.samples_seen) else 0
            if h.diverged:
                return {
                    "curve": np.array(curve + [math.inf]),
                    "diverged": True,
                    "updates": updates,
                    "samples": samples,
                }
            curve.append(model.loss(X_val, y_val))
    return {
        "curve": np.array(curve),
        "diverged": not np.isfinite(curve[-1]),
        "updates": updates,
        "samples": samples,
    }


def epoch_schedule_run(
    model: MLP,
    X: np.ndarray,
    y: np.ndarray,
    X_val: np.ndarray,
    y_val: np.ndarray,
    *,
    batch_size: int,
    learning_rate: float,
    epochs: int,
    seed: int,
    per_update_decay: float = 0.0,
    per_epoch_decay: float = 0.0,
) -> dict:
    """Una ejecución del blog con decaimiento por actualización **o** por época.

    Por actualización es el del blog (``train(decay=...)``, una sola llamada); por época,
    la época e usa ``η₀/(1 + per_epoch_decay·e)`` para todos los B. Mismo resultado que
    :func:`phase_run`.
    """
    if per_update_decay and per_epoch_decay:
        raise ValueError("Elige un decaimiento: por actualización o por época, no los dos.")
    if per_epoch_decay:
        phases = [(1, batch_size, learning_rate / (1 + per_epoch_decay * e)) for e in range(epochs)]
        return phase_run(model, X, y, X_val, y_val, phases, seed=seed)
    h = train(
        model,
        X,
        y,
        batch_size=batch_size,
        learning_rate=learning_rate,
        epochs=epochs,
        seed=seed,
        decay=per_update_decay,
        X_val=X_val,
        y_val=y_val,
    )
    curve = np.r_[h.initial_val_loss, h.val_loss]
    if h.diverged:
        curve = np.r_[curve, math.inf]
    return {
        "curve": curve,
        "diverged": bool(h.diverged),
        "updates": h.n_updates,
        "samples": int(h.samples_seen[-1]) if len(h.samples_seen) else 0,
    }


def classify_curve(
    curve: Sequence[float],
    diverged: bool,
    best_loss: float,
    *,
    crawl_factor: float = 1.5,
    max_rises: int = 2,
    spike_factor: float = 10.0,
) -> str:
    """``diverges``, ``spikes``, ``oscillates``, ``crawls`` o ``converges``.

    `curve` es la pérdida de validación inicial seguida de la de cada época. *Tiene picos*
    si alguna vez supera `spike_factor` veces la inicial (aunque se recupere); *oscila* si
    sube en más de `max_rises` épocas; *se arrastra* solo una curva sin picos que acaba a
    más de `crawl_factor` veces la mejor del grupo.
    """
    c = np.asarray(curve, float)
    if diverged or not np.all(np.isfinite(c)):
        return "diverges"
    if c.max() > spike_factor * c[0]:
        return "spikes"
    if int((np.diff(c) > 0).sum()) > max_rises:
        return "oscillates"
    if c[-1] > crawl_factor * best_loss:
        return "crawls"
    return "converges"
