"""El bucle de :func:`batchlab.training.train_many` para K runs apilados.

Es la época de :func:`batchlab.training.train` escrita para una pila de runs que comparten B
(:class:`batchlab.training._stack_mlp.StackedMLP`): cada run con su barajado, su tasa, sus puntos de
control y su divergencia; el que diverge o llega a su objetivo sale de la pila y los demás
siguen. Los argumentos llegan ya comprobados por ``train_many``.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, fields

import numpy as np

from ..mlp import MLP
from ..optimizers import get_optimizer
from ._stack_mlp import StackedMLP
from ._stack_record import _finish_epoch, _history, _Run, _shadow, block_loss
from .arguments import TrainSetup
from .batching import batches_per_epoch, epoch_orders
from .checkpoints import next_evaluation
from .divergence import divergence_limit
from .engines import selected_engine
from .history import History

_CHUNK_BYTES = 256 * 1024  # tamaño de cada tramo de datos reunidos (cabe en la caché L2)

#: A partir de este tamaño de batch el apilado no compensa (BLAS ya domina el tiempo):
#: ``train_many`` entrena los runs uno tras otro con ``train()``.
STACK_MAX_BATCH = 128
#: Runs por pila como máximo (acota la memoria de los intermedios y del optimizador).
STACK_MAX_RUNS = 64
#: Filas por pila y actualización (K × B) como máximo: más allá, los intermedios
#: (K, B, 64) no caben en la caché y una pila grande es más lenta que dos pequeñas.
STACK_MAX_ROWS = 512


@dataclass(frozen=True)
class _Setup:
    """Lo que comparten todos los runs de una pila (argumentos ya validados)."""

    models: list
    X: np.ndarray
    y: np.ndarray
    X_val: np.ndarray | None
    y_val: np.ndarray | None
    bs: int
    decay: float
    eval_every: int | None
    eval_rel: float | None
    max_updates: int | None
    target_loss: float | None

    @classmethod
    def of(cls, models: list, args: TrainSetup) -> _Setup:
        """La pila de `models` con los argumentos comunes `args` (los campos del mismo nombre)."""
        shared = {f.name: getattr(args, f.name) for f in fields(cls) if hasattr(args, f.name)}
        return cls(models=models, bs=args.batch_size, **shared)

    @property
    def n(self) -> int:
        return self.X.shape[0]

    @property
    def per_epoch(self) -> int:
        return batches_per_epoch(self.n, self.bs)

    @property
    def sizes(self) -> np.ndarray:
        """Tamaño de cada batch de una época (el último puede ser menor)."""
        sizes = np.full(self.per_epoch, self.bs)
        sizes[-1] = self.n - self.bs * (self.per_epoch - 1)
        return sizes

    @property
    def eval_data(self) -> tuple[np.ndarray, np.ndarray]:
        """Datos de los puntos de control: validación si la hay; si no, entrenamiento."""
        return (self.X, self.y) if self.X_val is None else (self.X_val, self.y_val)


def stack_engine(optimizer: str, batch_size: int, layer_sizes):
    """Los pasos compilados de una pila (:mod:`._engine_stack`) si el motor está activo (por
    defecto), el optimizador es SGD y B < ``SMALL_BATCH``; si no, None (los pasos de NumPy)."""
    if optimizer != "sgd" or selected_engine(optimizer) is None:
        return None
    from ._engine_stack import SMALL_BATCH, StackSteps

    return StackSteps(layer_sizes) if batch_size < SMALL_BATCH else None


def _stacked_optimizer(stack: StackedMLP, optimizer: str, momentum: float):
    """El paso del optimizador de la pila, de su gemelo apilado en el registro (nunca otro)."""
    return get_optimizer(optimizer, stacked=True).stacked(stack, momentum)


class _Active:
    """Los runs que siguen entrenando: su pila, el estado de su optimizador y vistas para
    evaluarlos."""

    def __init__(self, runs: list[_Run], stack: StackedMLP, opt, engine=None):
        self.runs, self.stack, self.opt, self.engine = runs, stack, opt, engine
        self.step = opt.step
        self.models = [_shadow(stack.layer_sizes, row) for row in stack.theta]

    def release(self, setup: _Setup, positions) -> None:
        """Copia los pesos de esos runs a sus modelos (``train_many`` entrena en sitio)."""
        for j in positions:
            setup.models[self.runs[j].index].theta[...] = self.stack.theta[j]

    def without(self, positions) -> tuple[_Active, np.ndarray]:
        """Los runs activos salvo esos; y las posiciones que se quedan."""
        keep = np.array([j for j in range(len(self.runs)) if j not in positions], int)
        stack = self.stack.subset(keep)
        opt = self.opt.subset(stack, keep)
        return _Active([self.runs[j] for j in keep], stack, opt, self.engine), keep


def _start(setup: _Setup, lrs, seeds) -> list[_Run]:
    """Registro inicial de cada run: pérdidas de partida y el punto de control t = 0."""
    X_eval, y_eval = setup.eval_data
    runs = []
    for i, (model, lr, seed) in enumerate(zip(setup.models, lrs, seeds, strict=True)):
        initial = block_loss(model, setup.X, setup.y)
        run = _Run(
            index=i,
            learning_rate=lr,
            seed=seed,
            initial=initial,
            limit=divergence_limit(initial),
            initial_val=(
                None if setup.X_val is None else block_loss(model, setup.X_val, setup.y_val)
            ),
            orders=epoch_orders(setup.n, seed),
        )
        if setup.eval_every or setup.eval_rel:
            run.ck_updates.append(0)
            run.ck_times.append(0.0)
            run.ck_losses.append(block_loss(model, X_eval, y_eval))
        runs.append(run)
    return runs


def _epoch(  # noqa: C901
    setup: _Setup, active: _Active, t: int, next_eval: int | None
) -> tuple[_Active, int, int | None]:
    """Una época de los runs activos, como la época de ``train()``.

    `next_eval` es la próxima evaluación (común a la pila: todos sus runs van por el mismo t).
    Devuelve los runs que siguen, t y la próxima evaluación.
    """
    n, bs, per_epoch, sizes = setup.n, setup.bs, setup.per_epoch, setup.sizes
    X_eval, y_eval = setup.eval_data
    inf, clock = math.inf, time.perf_counter
    perms = np.stack([next(r.orders) for r in active.runs])
    lr0 = np.array([r.learning_rate for r in active.runs]).reshape(-1, 1, 1)
    k_epoch, start_t, seg_t = len(active.runs), t, t
    seg = np.empty((per_epoch, k_epoch))  # pérdidas de la época, una columna por run
    next_event = _next_event(next_eval, setup.max_updates)
    # los datos de cada run en su orden, reunidos por tramos de unos 256 kB: la época entera
    # de golpe (K copias de X) no cabría en caché y con K = 64 serían 70 MB
    chunk = bs * max(1, _CHUNK_BYTES // (k_epoch * bs * setup.X[0].nbytes))
    chunk_start = chunk_end = start = 0
    Xc = yc = None
    tic = clock()
    while start < n:
        if active.engine is not None:  # hasta el próximo evento en una llamada al núcleo
            end = next_event if t < next_event < start_t + per_epoch else start_t + per_epoch
            block = seg[t - start_t : end - start_t]
            args = (setup.X, setup.y, perms, bs, start // bs, lr0.ravel(), setup.decay, t)
            done = active.engine.advance(active.stack, *args, block)
            losses, t, start = block[done - 1], t + done, start + done * bs
        else:
            lr = lr0 / (1.0 + setup.decay * t) if setup.decay else lr0
            if start >= chunk_end:  # las filas de los próximos batches de cada run, (K, c·B, d)
                pause = clock()
                chunk_start, chunk_end = start, start + chunk
                rows = perms[:, chunk_start:chunk_end]
                Xc, yc = np.take(setup.X, rows, axis=0), np.take(setup.y, rows, axis=0)
                tic += clock() - pause  # barajar no cuenta como entrenamiento, como en train()
            i = start - chunk_start
            losses = active.step(Xc[:, i : i + bs], yc[:, i : i + bs], lr)
            seg[t - start_t] = losses
            t, start = t + 1, start + bs
        stopping: list[int] = []
        if not losses.sum() < inf:  # algún run con pérdida inf o NaN: diverge y se congela
            for j in np.flatnonzero(~(losses < inf)):
                active.runs[j].diverged = True
                stopping.append(int(j))
        if t == next_event:
            pause = clock()
            evaluate = t == next_eval
            for j, r in enumerate(active.runs):
                if j not in stopping:
                    reason = _checkpoint(
                        r,
                        active.models[j],
                        t,
                        r.elapsed + (pause - tic) / k_epoch,
                        (X_eval, y_eval) if evaluate else None,
                        setup,
                    )
                    if reason:
                        r.stop_reason = reason
                        stopping.append(j)
            tic += clock() - pause  # la evaluación no cuenta como entrenamiento
            if evaluate:
                next_eval = next_evaluation(t, setup.eval_every, setup.eval_rel)
            next_event = _next_event(next_eval, setup.max_updates)
        if stopping:  # esos runs cierran su época aquí; los demás siguen sin ellos
            now = (clock() - tic) / k_epoch
            for j, r in enumerate(active.runs):
                r.epoch_losses.append(seg[seg_t - start_t : t - start_t, j].copy())
            for j in sorted(stopping):
                _finish_epoch(
                    active.runs[j],
                    t - start_t == per_epoch,
                    now,
                    sizes,
                    n,
                    active.models[j],
                    setup.X,
                    setup.y,
                    setup.X_val,
                    setup.y_val,
                    t,
                )
            active.release(setup, stopping)
            active, keep = active.without(stopping)
            if not active.runs:
                return active, t, next_eval
            seg_t = t
            perms, lr0 = perms[keep], lr0[keep]
            if Xc is not None:
                Xc, yc = Xc[keep], yc[keep]
            seg = np.ascontiguousarray(seg[:, keep])
    now = (clock() - tic) / k_epoch
    for j, r in enumerate(active.runs):
        r.epoch_losses.append(seg[seg_t - start_t : t - start_t, j].copy())
        _finish_epoch(
            r, True, now, sizes, n, active.models[j], setup.X, setup.y, setup.X_val, setup.y_val, t
        )
    diverged = [j for j, r in enumerate(active.runs) if r.diverged]  # por la media de la época
    if diverged:
        active.release(setup, diverged)
        active, _ = active.without(diverged)
    return active, t, next_eval


def _train_stacked(
    models: list[MLP], args: TrainSetup, *, lrs, seeds, progress: bool
) -> list[History]:
    """El bucle de ``train()`` para K runs apilados (`args`: los comunes, ya comprobados)."""
    setup = _Setup.of(models, args)
    bs, epochs, optimizer = args.batch_size, args.epochs, args.optimizer
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=epochs, desc=f"{optimizer} B={bs}, {len(models)} runs", unit="época")
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        runs = _start(setup, lrs, seeds)
        stack = StackedMLP(models[0].layer_sizes, np.stack([m.theta for m in models]))
        opt = _stacked_optimizer(stack, optimizer, args.momentum)
        active = _Active(list(runs), stack, opt, stack_engine(optimizer, bs, stack.layer_sizes))
        t, next_eval = 0, next_evaluation(0, args.eval_every, args.eval_rel)
        for _ in range(epochs):
            active, t, next_eval = _epoch(setup, active, t, next_eval)
            if bar is not None:
                bar.update(1)
            if not active.runs:
                break
        active.release(setup, range(len(active.runs)))
    if bar is not None:
        bar.close()
    return [
        _history(
            r,
            bs=bs,
            n=setup.n,
            decay=args.decay,
            epochs=epochs,
            optimizer=optimizer,
            has_val=args.X_val is not None,
        )
        for r in runs
    ]


def _next_event(next_eval: int | None, max_updates: int | None) -> int:
    """La próxima actualización con algo que hacer (-1: ninguna), como ``train()``."""
    candidates = [] if next_eval is None else [next_eval]
    if max_updates:
        candidates.append(max_updates)
    return min(candidates) if candidates else -1


def _checkpoint(
    run: _Run, model: MLP, t: int, elapsed: float, eval_data, setup: _Setup
) -> str | None:
    """Punto de control de un run tras la actualización `t` (evalúa en `eval_data` si no es
    None); devuelve el motivo para parar."""
    max_updates, target_loss = setup.max_updates, setup.target_loss
    if eval_data is not None:
        run.ck_updates.append(t)
        run.ck_times.append(elapsed)
        run.ck_losses.append(block_loss(model, *eval_data))
        if target_loss is not None and run.ck_losses[-1] <= target_loss:
            return "target"
    if max_updates and t >= max_updates:
        return "max_updates"
    return None
