"""El historial de un entrenamiento: lo que pasó, época a época y actualización a actualización.

Es lo que los notebooks dibujan y comparan (curvas de aprendizaje, pérdida frente a muestras
vistas o a segundos). Lo produce :func:`batchlab.train`; aquí solo está su forma y lo que se
deduce de ella.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = ["History", "cumulative_samples"]


@dataclass
class History:
    """Lo que pasó durante un entrenamiento.

    Las listas por época tienen una entrada por época completada; las de
    actualización, una por paso de SGD dado.
    """

    batch_size: int
    learning_rate: float
    decay: float
    #: semilla del barajado (None si se pasaron los órdenes con ``orders``)
    seed: int | None
    n_samples: int
    #: épocas pedidas (None: sin tope de épocas; paró max_updates, time_budget o target_loss)
    epochs_requested: int | None
    initial_train_loss: float
    initial_val_loss: float | None
    #: pérdida media de entrenamiento por época (media de los batches ponderada por su tamaño)
    train_loss: np.ndarray = field(repr=False)
    #: pérdida de validación al final de cada época (None sin conjunto de validación)
    val_loss: np.ndarray | None = field(repr=False)
    #: pérdida de cada batch, en el momento de la actualización
    update_loss: np.ndarray = field(repr=False)
    #: muestras vistas al terminar cada actualización (eje común entre métodos)
    samples_seen: np.ndarray = field(repr=False)
    #: segundos de entrenamiento por época (sin contar la evaluación; si se paró a mitad
    #: de una época, la última entrada es esa época parcial)
    epoch_time: np.ndarray = field(repr=False)
    #: puntos de control (``eval_every``): actualizaciones, segundos de entrenamiento y
    #: pérdida (de validación si la hay) en cada uno, empezando por t = 0
    checkpoint_updates: np.ndarray = field(default_factory=lambda: np.array([], int), repr=False)
    checkpoint_time: np.ndarray = field(default_factory=lambda: np.array([]), repr=False)
    checkpoint_loss: np.ndarray = field(default_factory=lambda: np.array([]), repr=False)
    #: pérdida de entrenamiento con los pesos del final de cada época (el mismo momento
    #: que ``val_loss``; ``train_loss`` es la media de pérdidas de antes de cada paso)
    train_loss_end: np.ndarray = field(default_factory=lambda: np.array([]), repr=False)
    n_updates: int = 0
    diverged: bool = False
    #: por qué terminó: "epochs", "max_updates", "time_budget", "target" o "diverged"
    stop_reason: str = "epochs"
    optimizer: str = "sgd"

    @property
    def epochs_completed(self) -> int:
        """Épocas terminadas (menos que las pedidas si divergió)."""
        return len(self.train_loss)

    @property
    def updates_per_epoch(self) -> int:
        """Actualizaciones por época: ⌈N / B⌉."""
        return math.ceil(self.n_samples / self.batch_size)

    @property
    def epochs_seen(self) -> np.ndarray:
        """Épocas (fraccionarias) transcurridas en cada actualización."""
        return self.samples_seen / self.n_samples

    @property
    def samples_before(self) -> np.ndarray:
        """Muestras vistas **antes** de cada actualización: donde se midió su pérdida de
        batch (``update_loss[t]`` usa los pesos previos al paso t)."""
        return np.r_[0, self.samples_seen[:-1]] if len(self.samples_seen) else self.samples_seen

    @property
    def final_train_loss(self) -> float:
        """Pérdida de entrenamiento de la última época (inf si divergió; NaN si no terminó
        ninguna, p. ej. porque alcanzó su objetivo antes)."""
        if self.diverged:
            return math.inf
        return float(self.train_loss[-1]) if len(self.train_loss) else math.nan

    @property
    def final_val_loss(self) -> float:
        """Pérdida de validación al final de la última época (inf si divergió; NaN sin
        validación o sin ninguna época terminada)."""
        if self.val_loss is None:
            return math.nan
        if self.diverged:
            return math.inf
        return float(self.val_loss[-1]) if len(self.val_loss) else math.nan

    @property
    def improved(self) -> bool:
        """¿Acaba por debajo de la pérdida inicial? (False si divergió; un run que no
        diverge pero acaba peor que al empezar «no mejora»)."""
        if self.diverged:
            return False
        end = self.train_loss_end[-1] if len(self.train_loss_end) else self.initial_train_loss
        return bool(end < self.initial_train_loss)

    @property
    def total_time(self) -> float:
        """Segundos de entrenamiento en total."""
        return float(self.epoch_time.sum())

    def to_frame(self) -> pd.DataFrame:
        """Tabla por época: pérdida de entrenamiento, validación y tiempo."""
        n = self.epochs_completed
        data = {"epoca": np.arange(1, n + 1), "train_loss": self.train_loss}
        if self.val_loss is not None:
            data["val_loss"] = self.val_loss
        data["tiempo_s"] = self.epoch_time[:n]
        return pd.DataFrame(data)


def cumulative_samples(n: int, bs: int, n_updates: int) -> np.ndarray:
    """Muestras acumuladas al final de cada actualización (el último batch puede ser menor)."""
    per_epoch = math.ceil(n / bs)
    k = np.arange(n_updates)
    epoch, within = np.divmod(k, per_epoch)
    return epoch * n + np.minimum((within + 1) * bs, n)
