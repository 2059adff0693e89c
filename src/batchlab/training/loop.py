"""Entrenamiento por batches: descenso de gradiente completo, SGD y mini-batch.

Un único bucle cubre los tres regímenes: la diferencia es solo ``batch_size``
(N, 1 o algo intermedio). Cada época baraja los datos con su propio generador
sembrado y recorre todos los batches, incluido el último aunque sea incompleto
(la regla de :mod:`batchlab.batching`).

Se lee en tres pasos: :func:`train` comprueba los argumentos
(:mod:`batchlab.training.arguments`), recorre las épocas con un :class:`_Run` (su método
:meth:`_Run.epoch` es el bucle caliente) y devuelve el :class:`~batchlab.history.History`.
Lo que ocurre entre actualizaciones (evaluaciones, topes, tiempo, callback) vive en
:mod:`batchlab.checkpoints`. Por defecto, los pasos de cada época los da el motor compilado
(:mod:`batchlab.training._engine`, que sustituye a :meth:`_Run._updates` y da los mismos
números salvo los últimos bits); con ``BATCHLAB_ENGINE=numpy`` (o con B > 512), este bucle
de NumPy, que es el que se lee (:mod:`batchlab.training.engines`).
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import math
import time
from collections.abc import Callable, Iterable, Iterator

import numpy as np

from ..mlp import MLP
from ..optimizers import get_optimizer
from ._stack_record import block_loss
from .arguments import TrainSetup, check_train_arguments, checked_orders
from .batching import epoch_orders, minibatches
from .checkpoints import Checkpoints
from .divergence import divergence_limit, exceeds
from .engines import selected_engine
from .history import History, cumulative_samples

__all__ = ["train"]


# -- un entrenamiento en marcha ---------------------------------------------------------
class _Run:
    """El estado de un entrenamiento: el modelo, el reloj y lo anotado hasta ahora.

    Se crea dentro de ``np.errstate`` (las pérdidas iniciales ya pueden desbordar) y
    avanza época a época con :meth:`epoch`; :meth:`history` lo resume al final.
    """

    def __init__(
        self, model: MLP, setup: TrainSetup, orders: Iterator[np.ndarray], bar=None, engine=None
    ):
        self.model, self.setup, self.bar = model, setup, bar
        # con el motor, la pérdida sobre un conjunto entero va por bloques (el mismo número):
        # los pasos ya no reservan arrays grandes y así la evaluación no paga fallos de página
        self.loss = model.loss if engine is None else functools.partial(block_loss, model)
        self.step = get_optimizer(setup.optimizer).single(model, setup.momentum).step
        n, bs = setup.n_samples, setup.batch_size
        self.batches = _epoch_batches(n, bs)  # las mismas posiciones en cada época
        self.sizes = np.full(len(self.batches), bs)  # filas de cada batch: B, …, B, resto
        self.sizes[-1] = n - bs * (len(self.batches) - 1)
        self.orders = orders
        # pérdida de cada actualización; crece por épocas (sin tope de épocas, empieza en 16)
        self.update_loss = np.empty(min(setup.epochs or 16, 16) * len(self.batches))
        self.train_loss: list[float] = []
        self.train_loss_end: list[float] = []
        self.val_loss: list[float] = []
        self.epoch_time: list[float] = []
        self.t, self.elapsed, self.diverged = 0, 0.0, False
        self.initial = self.loss(setup.X, setup.y)
        has_val = setup.X_val is not None
        self.initial_val = self.loss(setup.X_val, setup.y_val) if has_val else None
        self.limit = divergence_limit(self.initial)
        self.checks = Checkpoints(
            model,
            setup.X_val if has_val else setup.X,
            setup.y_val if has_val else setup.y,
            eval_every=setup.eval_every,
            eval_rel=setup.eval_rel,
            max_updates=setup.max_updates,
            time_budget=setup.time_budget,
            target_loss=setup.target_loss,
            callback=setup.callback,
            loss=self.loss,
        )
        self.next_event = self.checks.next_event(0)
        if engine is not None:  # los pasos de cada época, del núcleo compilado
            self._updates = engine.EngineSteps(self).updates

    def epoch(self) -> bool:
        """Una época: baraja y da un paso por batch (con :meth:`_updates` o con el motor).

        Devuelve True si hay que parar (divergencia, un tope o el presupuesto de tiempo).
        """
        start_t = self.t
        seconds = self._updates(next(self.orders), self._room_for_one_epoch())
        self.epoch_time.append(seconds)
        self.elapsed += seconds
        if self.t - start_t == len(self.batches):  # época completa
            self._close_epoch(start_t)
        elif not self.diverged:  # parada a media época: ¿cómo quedan los pesos?
            self.diverged = exceeds(self.loss(self.setup.X, self.setup.y), self.limit)
        return self.diverged or self.checks.should_stop(self.elapsed)

    def _updates(self, perm: np.ndarray, update_loss: np.ndarray) -> float:
        """Los pasos de una época en el orden `perm`; devuelve los segundos de entrenamiento.

        Para en la divergencia o en un tope; deja ``t``, ``next_event`` y ``diverged`` al día.
        """
        s, step, checks = self.setup, self.step, self.checks
        lr0, decay = s.learning_rate, s.decay
        t, elapsed, next_event = self.t, self.elapsed, self.next_event
        inf, clock = math.inf, time.perf_counter  # nombres locales en el bucle caliente
        Xs, ys = s.X[perm], s.y[perm]
        tic = clock()
        for batch in self.batches:  # los slices de batching.minibatches: X_b = Xs[batch]
            lr = lr0 / (1.0 + decay * t) if decay else lr0
            loss = step(Xs[batch], ys[batch], lr)
            update_loss[t] = loss
            t += 1
            if not loss < inf:  # inf o NaN: ya no hay vuelta atrás
                self.diverged = True
                break
            if t == next_event:
                pause = clock()
                stop = checks.fire(t, elapsed + pause - tic)
                tic += clock() - pause  # la evaluación no cuenta como entrenamiento
                if stop:
                    break
                next_event = checks.next_event(t)
        self.t, self.next_event = t, next_event
        return clock() - tic

    def _room_for_one_epoch(self) -> np.ndarray:
        """Duplica ``update_loss`` si no cabe otra época entera."""
        if self.t + len(self.batches) > len(self.update_loss):
            self.update_loss = np.concatenate([self.update_loss, np.empty_like(self.update_loss)])
        return self.update_loss

    def _close_epoch(self, start_t: int) -> None:
        """Pérdida media de la época (ponderada por el tamaño de cada batch) y validación."""
        if self.diverged:
            return
        s = self.setup
        epoch_loss = float(np.dot(self.update_loss[start_t : self.t], self.sizes)) / s.n_samples
        # la media de la época usa pérdidas *antes* de cada paso: el último paso solo se ve
        # en la pérdida con los pesos de después (con batch completo, el único paso)
        end_loss = self.loss(s.X, s.y)
        self.diverged = exceeds(epoch_loss, self.limit) or exceeds(end_loss, self.limit)
        if self.diverged:
            return
        self.train_loss.append(epoch_loss)
        self.train_loss_end.append(end_loss)
        if s.X_val is not None:
            self.val_loss.append(self.loss(s.X_val, s.y_val))
        if self.bar is not None:
            self.bar.update(1)
            self.bar.set_postfix(loss=f"{epoch_loss:.4f}")

    def history(self) -> History:
        """El :class:`History` de lo ocurrido."""
        s, checks, n, t = self.setup, self.checks, self.setup.n_samples, self.t
        return History(
            batch_size=s.batch_size,
            learning_rate=s.learning_rate,
            decay=s.decay,
            seed=s.seed,
            n_samples=n,
            epochs_requested=s.epochs,
            initial_train_loss=self.initial,
            initial_val_loss=self.initial_val,
            train_loss=np.array(self.train_loss),
            train_loss_end=np.array(self.train_loss_end),
            val_loss=np.array(self.val_loss) if s.X_val is not None else None,
            update_loss=self.update_loss[:t].copy(),
            samples_seen=cumulative_samples(n, s.batch_size, t),
            epoch_time=np.array(self.epoch_time),
            checkpoint_updates=np.array(checks.updates, dtype=int),
            checkpoint_time=np.array(checks.times),
            checkpoint_loss=np.array(checks.losses),
            n_updates=t,
            diverged=self.diverged,
            optimizer=s.optimizer,
            stop_reason="diverged" if self.diverged else (checks.stop_reason or "epochs"),
        )


@functools.lru_cache(maxsize=32)
def _epoch_batches(n: int, batch_size: int) -> tuple[slice, ...]:
    """Los batches de :func:`batchlab.batching.minibatches`, construidos una vez por (N, B).

    Recorrer una tupla ya hecha es lo más barato por actualización, y guardarla evita
    rehacer ⌈N/B⌉ objetos ``slice`` en cada llamada de un barrido (con B = 1 y N = 16 512,
    unos 3 ms: más que 100 actualizaciones).
    """
    return tuple(minibatches(n, batch_size))


def _progress_bar(progress: bool, setup: TrainSetup):
    """Barra tqdm por época (un contexto vacío si no se pide)."""
    if not progress:
        return contextlib.nullcontext()
    from tqdm import tqdm  # barra de texto: no requiere ipywidgets

    desc = f"{setup.optimizer} B={setup.batch_size}, lr={setup.learning_rate:g}"
    return tqdm(total=setup.epochs, desc=desc, unit="época")


def _epoch_numbers(epochs: int | None) -> Iterable[int]:
    """0, 1, …, epochs − 1; sin tope de épocas, sin fin (para un tope de los otros)."""
    return itertools.count() if epochs is None else range(epochs)


# -- el bucle de entrenamiento -----------------------------------------------------
def train(
    model: MLP,
    X: np.ndarray,
    y: np.ndarray,
    *,
    batch_size: int | str | None,
    learning_rate: float,
    epochs: int | None = None,
    seed: int | None = None,
    orders: Iterable[np.ndarray] | None = None,
    decay: float = 0.0,
    X_val: np.ndarray | None = None,
    y_val: np.ndarray | None = None,
    eval_every: int | None = None,
    eval_rel: float | None = None,
    max_updates: int | None = None,
    time_budget: float | None = None,
    target_loss: float | None = None,
    optimizer: str = "sgd",
    momentum: float = 0.9,
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
        Pasadas completas por los datos (el máximo, si se para antes). Puede omitirse
        cuando otro tope decide el final (`max_updates`, `time_budget` o `target_loss`);
        si no hay ningún tope, es un error. (Con solo `target_loss`, un objetivo que
        nunca se alcanza no termina: añade `max_updates` o `time_budget`.)
    seed:
        Semilla del barajado de cada época (misma semilla ⇒ mismos números).
    orders:
        En lugar de `seed`, el orden de las filas de cada época: un iterable de
        permutaciones de ``range(N)``, una por época (p. ej.
        :func:`batchlab.original.original_orders`, los órdenes del material original).
        Hay que pasar exactamente uno de los dos.
    X_val, y_val:
        Conjunto de validación opcional, evaluado al final de cada época.
    eval_every:
        Evalúa la pérdida (de validación si la hay; si no, de entrenamiento) cada
        `eval_every` actualizaciones, con el tiempo de entrenamiento transcurrido
        (``History.checkpoint_*``); la evaluación no cuenta como tiempo.
    eval_rel:
        En lugar de `eval_every`, puntos de control **geométricos**: tras cada actualización
        hasta t = 1/`eval_rel` y después cada ``max(1, int(eval_rel · t))``; con
        `target_loss`, los pasos hasta el objetivo se cuentan con un error relativo
        < `eval_rel` (:func:`batchlab.checkpoints.next_evaluation`). En (0, 1].
    max_updates:
        Para tras este número de actualizaciones (la última época puede quedar a medias).
    time_budget:
        Para cuando el tiempo de entrenamiento (sin evaluaciones) llega a estos segundos;
        se mira en cada punto de control (o cada 64 actualizaciones) y al final de cada época.
    target_loss:
        Para en el primer punto de control (``eval_every`` o ``eval_rel``, obligatorio)
        cuya pérdida sea ≤ `target_loss` (``stop_reason == "target"``).
    optimizer:
        ``"sgd"`` (el paso en sitio de :meth:`MLP.train_step`), ``"nesterov"``
        (:class:`batchlab.optimizers.Nesterov`) o ``"adam"``
        (:class:`batchlab.optimizers.Adam`), con su estado nuevo en cada llamada.
    momentum:
        El momento μ de ``"nesterov"``, en [0, 1) (μ = 0 es SGD); los demás lo ignoran.
    callback:
        ``callback(t, model)`` tras cada actualización (p. ej. para guardar la trayectoria
        de los parámetros); ralentiza el bucle, úsalo con modelos pequeños.
    progress:
        Barra de progreso tqdm por época (desactivada por defecto).

    Si la pérdida se vuelve no finita o explota (la regla de
    :mod:`batchlab.training.divergence`: más de ``DIVERGENCE_FACTOR`` veces la inicial, en
    la media de una época o con los pesos al final de la época o del entrenamiento) el
    entrenamiento se detiene y ``History.diverged`` queda a True.
    """
    if (seed is None) == (orders is None):
        raise ValueError("Pasa seed (barajado propio) u orders (órdenes dados), uno de los dos.")
    setup = check_train_arguments(
        model,
        X,
        y,
        batch_size=batch_size,
        learning_rate=learning_rate,
        epochs=epochs,
        seed=seed,
        decay=decay,
        X_val=X_val,
        y_val=y_val,
        eval_every=eval_every,
        eval_rel=eval_rel,
        max_updates=max_updates,
        time_budget=time_budget,
        target_loss=target_loss,
        optimizer=optimizer,
        momentum=momentum,
        callback=callback,
    )
    with (
        _progress_bar(progress, setup) as bar,
        np.errstate(over="ignore", invalid="ignore", divide="ignore"),
    ):
        n = setup.n_samples
        given = epoch_orders(n, setup.seed) if orders is None else checked_orders(orders, n)
        run = _Run(model, setup, given, bar, selected_engine(setup.optimizer, setup.batch_size))
        for _ in _epoch_numbers(setup.epochs):
            if run.epoch():
                break
    return run.history()
