"""Entrenamiento por batches: descenso de gradiente completo, SGD y mini-batch.

Un único bucle cubre los tres regímenes: la diferencia es solo ``batch_size``
(N, 1 o algo intermedio). Cada época baraja los datos con su propio generador
sembrado y recorre todos los batches, incluido el último aunque sea incompleto.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from numbers import Integral, Real

import numpy as np
import pandas as pd

from .batching import epoch_orders
from .mlp import MLP
from .optimizers import Adam

__all__ = ["History", "epoch_orders", "resolve_batch_size", "train", "validate_data"]

#: Una época cuya pérdida media supere este múltiplo de la inicial se da por divergente.
#: (No se aplica a cada batch: con B = 1 una sola muestra atípica puede dar una pérdida
#: de 1e5 sin que el entrenamiento diverja.)
DIVERGENCE_FACTOR = 1e3


@dataclass
class History:
    """Lo que pasó durante un entrenamiento.

    Las listas por época tienen una entrada por época completada; las de
    actualización, una por paso de SGD dado.
    """

    batch_size: int
    learning_rate: float
    decay: float
    seed: int
    n_samples: int
    epochs_requested: int
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
    def final_train_loss(self) -> float:
        """Pérdida de entrenamiento de la última época (inf si divergió)."""
        return math.inf if self.diverged else float(self.train_loss[-1])

    @property
    def final_val_loss(self) -> float:
        """Pérdida de validación final (inf si divergió, nan sin validación)."""
        if self.val_loss is None:
            return math.nan
        return math.inf if self.diverged else float(self.val_loss[-1])

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


# -- validación de argumentos ------------------------------------------------------
def _check_array(name: str, a: np.ndarray) -> np.ndarray:
    """Convierte a float64 y rechaza lo que no es numérico o no es finito."""
    try:
        arr = np.asarray(a, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} debe ser un array numérico: {exc}") from None
    if not np.all(np.isfinite(arr)):
        bad = int(np.size(arr) - np.count_nonzero(np.isfinite(arr)))
        raise ValueError(
            f"{name} contiene {bad} valores NaN o infinitos; límpialos o imputa antes de "
            "entrenar."
        )
    return arr


def validate_data(
    model: MLP, X: np.ndarray, y: np.ndarray, name: str = "X"
) -> tuple[np.ndarray, np.ndarray]:
    """Comprueba formas y valores de ``(X, y)`` para `model`; devuelve arrays float64.

    ``y`` puede ser un vector (m,) o una columna (m, 1); se devuelve como columna.
    """
    yname = "y" if name == "X" else name.replace("X", "y")
    X = _check_array(name, X)
    y = _check_array(yname, y)
    n_in, n_out = model.layer_sizes[0], model.layer_sizes[-1]
    if X.ndim != 2 or X.shape[1] != n_in:
        raise ValueError(
            f"{name} debe tener forma (n_muestras, {n_in}) para esta red, pero tiene {X.shape}."
        )
    if y.ndim == 1 and n_out == 1:
        y = y.reshape(-1, 1)
    if y.ndim != 2 or y.shape[1] != n_out:
        raise ValueError(
            f"{yname} debe tener forma (n_muestras, {n_out}) (o un vector si la salida es 1), "
            f"pero tiene {y.shape}."
        )
    if X.shape[0] != y.shape[0]:
        raise ValueError(
            f"{name} e {yname} deben tener el mismo número de filas: "
            f"{X.shape[0]} frente a {y.shape[0]}."
        )
    if X.shape[0] == 0:
        raise ValueError(f"{name} está vacío: hace falta al menos una muestra.")
    return np.ascontiguousarray(X), np.ascontiguousarray(y)


def resolve_batch_size(batch_size: int | str | None, n_samples: int) -> int:
    """Traduce ``batch_size`` a un entero: None o "full" significan N (batch completo)."""
    if batch_size is None or (isinstance(batch_size, str) and batch_size == "full"):
        return n_samples
    if isinstance(batch_size, bool) or not isinstance(batch_size, Integral):
        raise TypeError(
            f"batch_size debe ser un entero positivo, None o 'full' (batch completo); "
            f"se recibió {batch_size!r}"
        )
    if batch_size < 1:
        raise ValueError(f"batch_size debe ser ≥ 1 (1 = SGD puro); se recibió {batch_size}")
    if batch_size > n_samples:
        raise ValueError(
            f"batch_size={batch_size} es mayor que el número de muestras ({n_samples}); "
            "usa batch_size='full' para el batch completo."
        )
    return int(batch_size)


def _check_positive_real(name: str, value: object, *, allow_zero: bool = False) -> float:
    """Número real finito y positivo (o ≥ 0 si `allow_zero`)."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{name} debe ser un número real; se recibió {value!r}")
    v = float(value)
    if not math.isfinite(v) or v < 0 or (v == 0 and not allow_zero):
        limit = "≥ 0" if allow_zero else "> 0"
        raise ValueError(f"{name} debe ser un número finito {limit}; se recibió {value!r}")
    return v


def _check_int(name: str, value: object, minimum: int) -> int:
    """Entero (no bool) ≥ `minimum`."""
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"{name} debe ser un entero; se recibió {value!r}")
    if value < minimum:
        raise ValueError(f"{name} debe ser ≥ {minimum}; se recibió {value}")
    return int(value)


# -- puntos de control: evaluaciones intermedias, presupuestos y callback -------------
class _Checkpoints:
    """Lo que ocurre entre actualizaciones sin tocar el bucle caliente.

    El bucle solo compara ``t == siguiente`` (un entero) y, cuando toca, llama a
    :meth:`fire`, que evalúa la pérdida, llama al callback y decide si hay que parar.
    """

    #: con presupuesto de tiempo y sin eval_every, cada cuántas actualizaciones mirar el reloj
    TIME_CHECK_EVERY = 64

    def __init__(self, model, X, y, *, eval_every, max_updates, time_budget, target_loss,
                 callback):
        self.model, self.X, self.y = model, X, y
        self.eval_every, self.max_updates = eval_every, max_updates
        self.time_budget, self.target_loss, self.callback = time_budget, target_loss, callback
        self.updates: list[int] = []
        self.times: list[float] = []
        self.losses: list[float] = []
        self.stop_reason: str | None = None
        if eval_every:
            self.record(0, 0.0)

    def record(self, t: int, elapsed: float) -> None:
        """Anota la pérdida (de validación si la hay) tras `t` actualizaciones."""
        self.updates.append(t)
        self.times.append(elapsed)
        self.losses.append(self.model.loss(self.X, self.y))

    def next_event(self, t: int) -> int:
        """La próxima actualización en la que hay algo que hacer (-1: ninguna)."""
        if self.callback is not None:
            return t + 1
        every = [k for k in (self.eval_every,
                             self.TIME_CHECK_EVERY if self.time_budget else None) if k]
        candidates = [(t // k + 1) * k for k in every]
        if self.max_updates:
            candidates.append(self.max_updates)
        return min(candidates) if candidates else -1

    def fire(self, t: int, elapsed: float) -> bool:
        """Evalúa / llama al callback tras la actualización `t`; True si hay que parar."""
        if self.callback is not None:
            self.callback(t, self.model)
        if self.eval_every and t % self.eval_every == 0:
            self.record(t, elapsed)
            if self.target_loss is not None and self.losses[-1] <= self.target_loss:
                self.stop_reason = "target"
                return True
        if self.max_updates and t >= self.max_updates:
            self.stop_reason = "max_updates"
        elif self.time_budget and elapsed >= self.time_budget:
            self.stop_reason = "time_budget"
        return self.stop_reason is not None


# -- el bucle de entrenamiento -----------------------------------------------------
def train(
    model: MLP,
    X: np.ndarray,
    y: np.ndarray,
    *,
    batch_size: int | str | None,
    learning_rate: float,
    epochs: int,
    seed: int,
    decay: float = 0.0,
    X_val: np.ndarray | None = None,
    y_val: np.ndarray | None = None,
    eval_every: int | None = None,
    max_updates: int | None = None,
    time_budget: float | None = None,
    target_loss: float | None = None,
    optimizer: str = "sgd",
    callback: Callable[[int, MLP], None] | None = None,
    progress: bool = False,
) -> History:
    """Entrena `model` en sitio con SGD y devuelve su :class:`History`.

    Parámetros
    ----------
    batch_size:
        Muestras por actualización: 1 (SGD), un entero (mini-batch) o None / "full" (N).
    learning_rate:
        Tasa inicial ``lr_0``; con ``decay > 0`` se usa ``lr_t = lr_0 / (1 + decay · t)``,
        con t el número de actualizaciones ya hechas.
    epochs:
        Pasadas completas por los datos (el máximo, si se para antes).
    seed:
        Semilla del barajado de cada época (misma semilla ⇒ mismos números).
    X_val, y_val:
        Conjunto de validación opcional, evaluado al final de cada época.
    eval_every:
        Evalúa la pérdida (de validación si la hay; si no, de entrenamiento) cada
        `eval_every` actualizaciones, con el tiempo de entrenamiento transcurrido
        (``History.checkpoint_*``); la evaluación no cuenta como tiempo.
    max_updates:
        Para tras este número de actualizaciones (la última época puede quedar a medias).
    time_budget:
        Para cuando el tiempo de entrenamiento (sin evaluaciones) llega a estos segundos;
        se mira en cada punto de control (o cada 64 actualizaciones).
    target_loss:
        Para en el primer punto de control (``eval_every``, obligatorio) cuya pérdida sea
        ≤ `target_loss` (``stop_reason == "target"``).
    optimizer:
        ``"sgd"`` (el paso en sitio de :meth:`MLP.train_step`) o ``"adam"``
        (:class:`batchlab.optimizers.Adam`, con su estado nuevo en cada llamada).
    callback:
        ``callback(t, model)`` tras cada actualización (p. ej. para guardar la trayectoria
        de los parámetros); ralentiza el bucle, úsalo con modelos pequeños.
    progress:
        Barra de progreso tqdm por época (desactivada por defecto).

    Si la pérdida se vuelve no finita o explota (más de ``DIVERGENCE_FACTOR`` veces la
    inicial en una época) el entrenamiento se detiene y ``History.diverged`` queda a True.
    """
    X, y = validate_data(model, X, y)
    n = X.shape[0]
    bs = resolve_batch_size(batch_size, n)
    lr0 = _check_positive_real("learning_rate", learning_rate)
    decay = _check_positive_real("decay", decay, allow_zero=True)
    epochs = _check_int("epochs", epochs, 1)
    seed = _check_int("seed", seed, 0)
    if (X_val is None) != (y_val is None):
        raise ValueError("Pasa X_val e y_val juntos (o ninguno).")
    if X_val is not None:
        X_val, y_val = validate_data(model, X_val, y_val, name="X_val")
    eval_every = None if eval_every is None else _check_int("eval_every", eval_every, 1)
    max_updates = None if max_updates is None else _check_int("max_updates", max_updates, 1)
    if time_budget is not None:
        time_budget = _check_positive_real("time_budget", time_budget)
    if target_loss is not None:
        target_loss = _check_positive_real("target_loss", target_loss)
        if eval_every is None:
            raise ValueError("target_loss necesita eval_every: la pérdida se mira en los "
                             "puntos de control.")
    if optimizer == "sgd":
        step = model.train_step
    elif optimizer == "adam":
        step = Adam(model).step
    else:
        raise ValueError(f"optimizer debe ser 'sgd' o 'adam'; se recibió {optimizer!r}")
    if callback is not None and not callable(callback):
        raise TypeError(f"callback debe ser una función callback(t, model); es {callback!r}")

    orders = epoch_orders(n, seed)
    per_epoch = math.ceil(n / bs)
    sizes = np.full(per_epoch, bs)  # tamaño de cada batch de una época
    sizes[-1] = n - bs * (per_epoch - 1)
    # pérdida de cada actualización; crece por épocas (con time_budget, epochs es solo un tope)
    update_loss = np.empty(min(epochs, 16) * per_epoch)
    epoch_time: list[float] = []
    train_loss: list[float] = []
    val_loss: list[float] = []
    t, elapsed = 0, 0.0
    diverged = False

    bar = None
    if progress:
        from tqdm import tqdm  # barra de texto: no requiere ipywidgets

        bar = tqdm(total=epochs, desc=f"{optimizer} B={bs}, lr={lr0:g}", unit="época")

    inf, clock = math.inf, time.perf_counter  # nombres locales en el bucle caliente
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        initial = model.loss(X, y)
        initial_val = model.loss(X_val, y_val) if X_val is not None else None
        limit = DIVERGENCE_FACTOR * max(initial, 1.0)
        checks = _Checkpoints(
            model, X if X_val is None else X_val, y if X_val is None else y_val,
            eval_every=eval_every, max_updates=max_updates, time_budget=time_budget,
            target_loss=target_loss, callback=callback,
        )
        next_event = checks.next_event(0)
        for _ in range(epochs):
            if t + per_epoch > len(update_loss):
                update_loss = np.concatenate([update_loss, np.empty_like(update_loss)])
            perm = next(orders)
            Xs, ys = X[perm], y[perm]
            start_t = t
            tic = clock()
            for start in range(0, n, bs):
                lr = lr0 / (1.0 + decay * t) if decay else lr0
                loss = step(Xs[start:start + bs], ys[start:start + bs], lr)
                update_loss[t] = loss
                t += 1
                if not loss < inf:  # inf o NaN: ya no hay vuelta atrás
                    diverged = True
                    break
                if t == next_event:
                    pause = clock()
                    stop = checks.fire(t, elapsed + pause - tic)
                    tic += clock() - pause  # la evaluación no cuenta como entrenamiento
                    if stop:
                        break
                    next_event = checks.next_event(t)
            epoch_time.append(clock() - tic)
            elapsed += epoch_time[-1]
            if not diverged and t - start_t == per_epoch:  # época completa
                epoch_loss = float(np.dot(update_loss[start_t:t], sizes)) / n
                diverged = not epoch_loss < limit
                if not diverged:
                    train_loss.append(epoch_loss)
                    if X_val is not None:
                        val_loss.append(model.loss(X_val, y_val))
                    if bar is not None:
                        bar.update(1)
                        bar.set_postfix(loss=f"{epoch_loss:.4f}")
            if diverged or checks.stop_reason:
                break
            if time_budget and elapsed >= time_budget:
                checks.stop_reason = "time_budget"
                break
    if bar is not None:
        bar.close()

    return History(
        batch_size=bs,
        learning_rate=lr0,
        decay=decay,
        seed=seed,
        n_samples=n,
        epochs_requested=epochs,
        initial_train_loss=initial,
        initial_val_loss=initial_val,
        train_loss=np.array(train_loss),
        val_loss=np.array(val_loss) if X_val is not None else None,
        update_loss=update_loss[:t].copy(),
        samples_seen=_samples_seen(n, bs, t),
        epoch_time=np.array(epoch_time),
        checkpoint_updates=np.array(checks.updates, dtype=int),
        checkpoint_time=np.array(checks.times),
        checkpoint_loss=np.array(checks.losses),
        n_updates=t,
        diverged=diverged,
        optimizer=optimizer,
        stop_reason="diverged" if diverged else (checks.stop_reason or "epochs"),
    )


def _samples_seen(n: int, bs: int, n_updates: int) -> np.ndarray:
    """Muestras acumuladas al final de cada actualización (el último batch puede ser menor)."""
    per_epoch = math.ceil(n / bs)
    k = np.arange(n_updates)
    epoch, within = np.divmod(k, per_epoch)
    return epoch * n + np.minimum((within + 1) * bs, n)
from .lockstep import train_many  # noqa: E402, F401  (re-exportación)
