"""El motor compilado para K runs apilados con batches diminutos (SGD, B < 4).

Con el motor (por defecto; no con ``BATCHLAB_ENGINE=numpy``),
:func:`batchlab.training.train_many` da los pasos de SGD de una pila con B = 1, 2 o 3 con
:func:`sgd_stack_block`: todas las actualizaciones hasta el próximo punto de control (o el final
de la época) en una sola llamada. El resto es el bucle de
``train_many`` de siempre (:mod:`batchlab.training._stack_loop`): puntos de control, topes,
divergencia, el registro de cada run.

A B tan pequeño el trabajo de un run es poco (unas 16 000 operaciones por paso en la MLP del
curso) y lo que cuesta es repartirlo: aquí los K runs van en el eje **interior** de cada array
(θ es (P, K): el parámetro p de los K runs, contiguo), así que cada operación del forward y
del backward es un bucle sobre K que el compilador vectoriza. Es el mismo algoritmo que
``mlp.py`` (forward, ReLU como ``np.maximum``, δ = (ŷ − y)·2·lr/B, regla de la cadena con
``sign(A)``) con las sumas en otro orden: las pérdidas difieren en los últimos bits
(``tests/test_engine.py``). Con un solo ejemplo por paso (B = 1) la actualización de cada capa
se aplica al calcularla, sin guardar el gradiente; δ de la capa anterior se calcula antes,
con los pesos de antes del paso.
"""

from __future__ import annotations

import time

import numba
import numpy as np

from ._engine import ENGINE_OPTIMIZERS, SMALL_BATCH, run_block

__all__ = ["SMALL_BATCH", "StackSteps", "compile_engine", "sgd_stack_block"]


@numba.njit(cache=True, error_model="numpy")
def _gather(X, perms, start, m, a0):
    """Las filas del batch de cada run: ``a0[r, i, k] = X[perms[k, start + r], i]``."""
    for r in range(m):
        for k in range(perms.shape[0]):
            row = perms[k, start + r]
            for i in range(X.shape[1]):
                a0[r, i, k] = X[row, i]


@numba.njit(cache=True, error_model="numpy")
def _add_product(acc, a, b):
    """``acc += a·b`` elemento a elemento sobre los K runs (el bucle que se vectoriza)."""
    for k in range(acc.shape[0]):
        acc[k] += a[k] * b[k]


@numba.njit(cache=True, error_model="numpy")
def _layer_forward(theta, off, n_in, n_out, a_in, z, m, hidden):
    """``Z = A_prev W + b`` de una capa y, si es oculta, ReLU como ``np.maximum(z, 0)``."""
    n_runs, bias = theta.shape[1], off + n_in * n_out
    for r in range(m):
        for j in range(n_out):
            zj, tb = z[r, j], theta[bias + j]
            for k in range(n_runs):
                zj[k] = tb[k]
        for i in range(n_in):
            a, w = a_in[r, i], off + i * n_out
            for j in range(n_out):
                _add_product(z[r, j], a, theta[w + j])
        if hidden:  # deja NaN (y −0), como np.maximum
            for j in range(n_out):
                zj = z[r, j]
                for k in range(n_runs):
                    if zj[k] < 0.0:
                        zj[k] = 0.0


@numba.njit(cache=True, error_model="numpy")
def _loss_delta(out, y, perms, start, m, lr, delta, losses_s):
    """Pérdida MSE del batch de cada run (en `losses_s`) y ``δ = (ŷ − y)·2·lr/size``."""
    n_out, n_runs = out.shape[1], out.shape[2]
    size = m * n_out
    for k in range(n_runs):
        acc, factor = 0.0, 2.0 * lr[k] / size
        for r in range(m):
            for j in range(n_out):
                d = out[r, j, k] - y[perms[k, start + r], j]
                acc += d * d
                delta[r, j, k] = d * factor
        losses_s[k] = acc / size


@numba.njit(cache=True, error_model="numpy")
def _previous_delta(theta, off, n_in, n_out, a_in, delta, out, m):
    """``δ_prev = (δ Wᵀ) · sign(A_prev)`` con los pesos de antes del paso, en `out`."""
    n_runs = theta.shape[1]
    for r in range(m):
        for i in range(n_in):
            w, dp = off + i * n_out, out[r, i]
            dp[:] = 0.0
            for j in range(n_out):
                dj, tw = delta[r, j], theta[w + j]
                for k in range(n_runs):
                    dp[k] += dj[k] * tw[k]
            ai = a_in[r, i]
            for k in range(n_runs):  # ·sign(A), siempre: inf·0 da NaN, como en NumPy
                dp[k] = dp[k] * np.sign(ai[k])


@numba.njit(cache=True, error_model="numpy")
def _step_in_place(theta, off, n_in, n_out, a_in, delta):
    """B = 1: ``W ← W − a δᵀ`` y ``b ← b − δ`` al calcularlos (δ ya lleva la tasa)."""
    n_runs, bias = theta.shape[1], off + n_in * n_out
    for i in range(n_in):
        ai, w = a_in[0, i], off + i * n_out
        for j in range(n_out):
            dj, tw = delta[0, j], theta[w + j]
            for k in range(n_runs):
                tw[k] -= ai[k] * dj[k]
    for j in range(n_out):
        dj, tb = delta[0, j], theta[bias + j]
        for k in range(n_runs):
            tb[k] -= dj[k]


@numba.njit(cache=True, error_model="numpy")
def _step_rows(theta, off, n_in, n_out, a_in, delta, grad, m):
    """B > 1: el gradiente ``A_prevᵀ δ`` y ``1ᵀ δ`` de la capa en `grad`, y luego el paso."""
    n_runs, bias = theta.shape[1], off + n_in * n_out
    grad[off : bias + n_out, :] = 0.0
    for r in range(m):
        for i in range(n_in):
            ai, w = a_in[r, i], off + i * n_out
            for j in range(n_out):
                _add_product(grad[w + j], ai, delta[r, j])
        for j in range(n_out):
            dj, g = delta[r, j], grad[bias + j]
            for k in range(n_runs):
                g[k] += dj[k]
    for p in range(off, bias + n_out):
        tp, g = theta[p], grad[p]
        for k in range(n_runs):
            tp[k] -= g[k]


@numba.njit(cache=True, error_model="numpy")
def sgd_stack_block(theta, sizes, X, y, perms, bs, b0, lr0, decay, t0, losses):
    """``losses.shape[0]`` pasos de SGD de K runs (batches b0, b0+1… de su época).

    ``theta`` (P, K) se actualiza en sitio; ``perms`` (K, N) es el orden de la época de cada
    run y ``lr0`` (K,) su tasa inicial. Escribe la pérdida de cada batch en ``losses`` (nb, K)
    y devuelve cuántos pasos dio: todos, o hasta el primero en que la pérdida de algún run
    deja de ser finita (inclusive), para que ``train_many`` lo congele como ``train()``.
    """
    n_runs, nb, n = theta.shape[1], losses.shape[0], X.shape[0]
    n_layers = sizes.shape[0] - 1
    offsets = np.zeros(n_layers + 1, np.int64)
    for layer in range(n_layers):
        offsets[layer + 1] = offsets[layer] + (sizes[layer] + 1) * sizes[layer + 1]
    acts = [np.empty((bs, sizes[layer], n_runs)) for layer in range(n_layers + 1)]
    deltas = [np.empty((bs, sizes[layer], n_runs)) for layer in range(n_layers + 1)]
    grad = np.empty_like(theta)
    lr = np.empty(n_runs)
    for s in range(nb):
        t = t0 + s
        for k in range(n_runs):
            lr[k] = lr0[k] / (1.0 + decay * t) if decay != 0.0 else lr0[k]
        start = (b0 + s) * bs
        m = min(start + bs, n) - start
        _gather(X, perms, start, m, acts[0])
        for layer in range(n_layers):
            n_in, n_out, off = sizes[layer], sizes[layer + 1], offsets[layer]
            _layer_forward(theta, off, n_in, n_out, acts[layer], acts[layer + 1], m,
                           layer < n_layers - 1)  # fmt: skip
        _loss_delta(acts[n_layers], y, perms, start, m, lr, deltas[n_layers], losses[s])
        for layer in range(n_layers - 1, -1, -1):
            n_in, n_out, off = sizes[layer], sizes[layer + 1], offsets[layer]
            if layer > 0:
                _previous_delta(theta, off, n_in, n_out, acts[layer], deltas[layer + 1],
                                deltas[layer], m)  # fmt: skip
            if m == 1:
                _step_in_place(theta, off, n_in, n_out, acts[layer], deltas[layer + 1])
            else:
                _step_rows(theta, off, n_in, n_out, acts[layer], deltas[layer + 1], grad, m)
        for k in range(n_runs):
            if not losses[s, k] < np.inf:  # inf o NaN: train_many congela ese run aquí
                return s + 1
    return nb


class StackSteps:
    """Los pasos de una pila de :mod:`batchlab.training._stack_loop` con el núcleo."""

    def __init__(self, layer_sizes) -> None:
        self.sizes = np.array(layer_sizes, np.int64)
        # compila (o carga de la caché) ahora, con cero pasos: que no cuente como entrenamiento
        X0, y0 = np.zeros((1, self.sizes[0])), np.zeros((1, self.sizes[-1]))
        perm0, losses0 = np.zeros((1, 1), np.int64), np.zeros((0, 1))
        sgd_stack_block(np.zeros((1, 1)), self.sizes, X0, y0, perm0, 1, 0, np.zeros(1), 0.0, 0,
                        losses0)  # fmt: skip

    def advance(self, stack, X, y, perms, bs, b0, lr0, decay, t0, losses) -> int:
        """Los pasos b0… de la pila `stack` (tantos como filas de `losses`); cuántos dio."""
        theta = np.ascontiguousarray(stack.theta.T)  # (P, K): los K runs, contiguos
        perms = np.ascontiguousarray(perms, dtype=np.int64)
        done = sgd_stack_block(theta, self.sizes, X, y, perms, int(bs), int(b0), lr0,
                               float(decay), int(t0), losses)  # fmt: skip
        stack.theta[...] = theta.T
        return int(done)


def compile_engine() -> float:
    """Compila (o carga de la caché) los núcleos de ``train()`` y de la pila; sus segundos.

    Con ``cache=True`` Numba guarda lo compilado junto al código (``__pycache__``): se paga una
    vez por máquina (``make install`` lo hace con ``python -m batchlab motor``) y después
    cargarlo cuesta décimas. Las llamadas usan los tipos que usan
    :class:`~batchlab.training._engine.EngineSteps` y :class:`StackSteps`: no queda nada por
    compilar.
    """
    tic = time.perf_counter()
    sizes = np.array([2, 3, 1], np.int64)
    X, y, perm = np.zeros((4, 2)), np.zeros((4, 1)), np.zeros((1, 4), np.int64)
    theta = np.zeros((1, 13))
    adam = ENGINE_OPTIMIZERS["adam"]
    run_block(theta, theta.copy(), theta.copy(), adam, sizes, X, y, perm, 4, 0, np.ones(1), 0.0, 0,
              0.0, np.zeros((1, 1)))  # fmt: skip
    StackSteps(sizes)
    return time.perf_counter() - tic
