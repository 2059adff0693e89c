"""El motor compilado: las actualizaciones de :func:`batchlab.train` con Numba.

Por defecto (:mod:`batchlab.training.engines`, el único sitio que mira
``BATCHLAB_ENGINE``), ``train()`` da sus pasos con estos núcleos en lugar de con
:class:`batchlab.mlp.MLP` (y ``train_many``, cuando entrena run a run; su pila de SGD con B < 4
tiene su propio núcleo, :mod:`batchlab.training._engine_stack`); con ``BATCHLAB_ENGINE=numpy``,
con el bucle legible de siempre (también con B > ``ENGINE_MAX_BATCH``, donde BLAS domina). Es el
mismo algoritmo que ``mlp.py`` y ``optimizers.py`` (forward, backward, SGD / Nesterov / Adam y
la caída de la tasa, con las mismas operaciones en el mismo orden), compilado con Numba: a B
pequeño el coste de hoy son las ~25 llamadas a NumPy de cada paso, no la aritmética. Con menos
de :data:`SMALL_BATCH` filas cada fila va por separado (``np.dot`` de vector por matriz); con
más, productos de matrices (``np.dot``, BLAS) dentro del núcleo. Solo cambia el orden de las
sumas de esos productos: las pérdidas difieren en los últimos bits (``tests/test_engine.py``
exige ≤ 1e-10 de diferencia relativa).

Un núcleo da un **tramo** de actualizaciones (sabe dar K runs, aunque ``train()`` le pasa uno):
hasta el próximo punto de control o el final de la época. Lo demás sigue en Python y con la misma
granularidad que ``train()``: puntos de control, topes, el registro del History y la regla de
divergencia (:mod:`batchlab.training.divergence`); el núcleo solo para un run cuando la pérdida
de su batch deja de ser finita, la misma comparación ``not loss < inf`` del bucle de ``train()``.
La lección sigue siendo ``mlp.py``: este módulo no lo enseña ningún notebook.
"""

from __future__ import annotations

import math
import time

import numba
import numpy as np

__all__ = ["ENGINE_OPTIMIZERS", "EngineSteps", "run_block"]

#: optimizadores que el motor sabe dar (clave de ``optimizer=…`` → código del núcleo); con
#: cualquier otro, ``train()`` usa el bucle de NumPy
ENGINE_OPTIMIZERS = {"sgd": 0, "nesterov": 1, "adam": 2}
_SGD, _NESTEROV, _ADAM = 0, 1, 2
#: β₁, β₂ y ε de Adam: los de :class:`batchlab.optimizers.Adam` (un test lo comprueba)
ADAM_BETAS = (0.9, 0.999, 1e-8)
#: por debajo de estas filas por batch, fila a fila (vector por matriz) gana al producto de
#: matrices; con SGD, también el límite del núcleo apilado de ``train_many``
SMALL_BATCH = 4


# -- los núcleos ---------------------------------------------------------------------
@numba.njit(cache=True, error_model="numpy")
def _forward(theta, sizes, acts, m):
    """``Z = A_prev W + b`` (BLAS) y ReLU en las capas ocultas (``acts[0]`` ya tiene las filas)."""
    n_layers, off = sizes.shape[0] - 1, 0
    for layer in range(n_layers):
        n_in, n_out = sizes[layer], sizes[layer + 1]
        bias = off + n_in * n_out
        z = np.dot(acts[layer][:m], theta[off:bias].reshape(n_in, n_out))
        _bias_relu(z, acts[layer + 1], theta, bias, m, n_out, layer < n_layers - 1)
        off = bias + n_out


@numba.njit(cache=True, error_model="numpy")
def _bias_relu(z, out, theta, bias, m, n_out, hidden):
    """``out = z + b`` y, en una capa oculta, ReLU como ``np.maximum(z, 0)`` (deja NaN y −0)."""
    for r in range(m):
        for j in range(n_out):
            v = z[r, j] + theta[bias + j]
            if hidden and v < 0.0:
                v = 0.0
            out[r, j] = v


@numba.njit(cache=True, error_model="numpy")
def _output_delta(out, y, rows, delta, m, n_out, scale):
    """Pérdida MSE del batch y ``δ = (ŷ − y)·2·scale/size`` en `delta`, como ``MLP``."""
    size, s = m * n_out, 0.0
    for r in range(m):
        for j in range(n_out):
            d = out[r, j] - y[rows[r], j]
            delta[r, j] = d
            s += d * d
    factor = 2.0 * scale / size
    for r in range(m):
        for j in range(n_out):
            delta[r, j] *= factor
    return s / size


@numba.njit(cache=True, error_model="numpy")
def _backward(theta, grad, sizes, offsets, acts, delta, m):
    """Regla de la cadena de :meth:`MLP._backpropagate` (BLAS): deja ``scale·∇θ`` en `grad`."""
    for layer in range(sizes.shape[0] - 2, -1, -1):
        n_in, n_out, off = sizes[layer], sizes[layer + 1], offsets[layer]
        a_in, bias = acts[layer][:m], off + n_in * n_out
        np.dot(a_in.T, delta, out=grad[off:bias].reshape(n_in, n_out))  # dL/dW = A_prevᵀ δ
        for j in range(n_out):  # dL/db = 1ᵀ δ
            s = 0.0
            for r in range(m):
                s += delta[r, j]
            grad[bias + j] = s
        if layer > 0:  # dL/dA_prev = δ Wᵀ, · ReLU'(Z_prev) = sign(A_prev)
            back = np.dot(delta, theta[off:bias].reshape(n_in, n_out).T)
            for r in range(m):
                for i in range(n_in):
                    back[r, i] = back[r, i] * np.sign(a_in[r, i])
            delta = back


@numba.njit(cache=True, error_model="numpy")
def _forward_rows(theta, sizes, acts, m):
    """El :func:`_forward` de pocas filas, fila a fila con ``np.dot`` de vector por matriz
    (a B = 1, mucho más rápido que un producto de matrices de una fila)."""
    n_layers, off = sizes.shape[0] - 1, 0
    for layer in range(n_layers):
        n_in, n_out = sizes[layer], sizes[layer + 1]
        bias = off + n_in * n_out
        W = theta[off:bias].reshape(n_in, n_out)
        for r in range(m):
            z, out = np.dot(acts[layer][r], W), acts[layer + 1][r]
            for j in range(n_out):
                out[j] = z[j]
        _bias_relu(acts[layer + 1], acts[layer + 1], theta, bias, m, n_out, layer < n_layers - 1)
        off = bias + n_out


@numba.njit(cache=True, error_model="numpy")
def _backward_rows(theta, grad, sizes, offsets, acts, deltas, m):
    """El :func:`_backward` de pocas filas, fila a fila; ``deltas[l]`` es dL/dZ de la capa l."""
    for layer in range(sizes.shape[0] - 2, -1, -1):
        n_in, n_out, off = sizes[layer], sizes[layer + 1], offsets[layer]
        a_in, bias, delta = acts[layer], off + n_in * n_out, deltas[layer + 1]
        gW, gb = grad[off:bias].reshape(n_in, n_out), grad[bias : bias + n_out]
        gW[:] = 0.0
        gb[:] = 0.0
        for r in range(m):
            d = delta[r]
            for i in range(n_in):  # dL/dW = A_prevᵀ δ
                a, g = a_in[r, i], gW[i]
                for j in range(n_out):
                    g[j] += a * d[j]
            for j in range(n_out):  # dL/db = 1ᵀ δ
                gb[j] += d[j]
        if layer > 0:  # dL/dA_prev = δ Wᵀ, · ReLU'(Z_prev) = sign(A_prev)
            W = theta[off:bias].reshape(n_in, n_out)
            for r in range(m):
                back = np.dot(W, delta[r])
                for i in range(n_in):
                    deltas[layer][r, i] = back[i] * np.sign(a_in[r, i])


@numba.njit(cache=True, error_model="numpy")
def _sgd_one_row(theta, sizes, offsets, acts, deltas):
    """SGD con una fila: la regla de la cadena y el paso de cada capa a la vez (δ ya lleva la
    tasa), con los mismos productos y restas que :func:`_backward_rows` + :func:`_update`.
    δ de la capa de abajo se calcula antes del paso, con los pesos de antes."""
    for layer in range(sizes.shape[0] - 2, -1, -1):
        n_in, n_out, off = sizes[layer], sizes[layer + 1], offsets[layer]
        bias = off + n_in * n_out
        W, a, d = theta[off:bias].reshape(n_in, n_out), acts[layer][0], deltas[layer + 1][0]
        if layer > 0:  # dL/dA_prev = δ Wᵀ, · ReLU'(Z_prev) = sign(A_prev)
            back = np.dot(W, d)
            for i in range(n_in):
                deltas[layer][0, i] = back[i] * np.sign(a[i])
        for i in range(n_in):  # W ← W − a δᵀ
            Wi, ai = W[i], a[i]
            for j in range(n_out):
                Wi[j] -= ai * d[j]
        for j in range(n_out):  # b ← b − δ
            theta[bias + j] -= d[j]


@numba.njit(cache=True, error_model="numpy")
def _update(kind, theta, grad, s1, s2, lr, momentum, step):
    """El paso del optimizador `kind` con el gradiente `grad`, en sitio (`step` = t de Adam)."""
    if kind == _SGD:  # grad ya es lr·∇θ: θ ← θ − lr·∇θ
        for p in range(theta.shape[0]):
            theta[p] -= grad[p]
    elif kind == _NESTEROV:  # v ← μv + g;  θ ← θ − lr·(g + μv)
        for p in range(theta.shape[0]):
            v = s1[p] * momentum + grad[p]
            s1[p] = v
            theta[p] -= (v * momentum + grad[p]) * lr
    else:  # Adam, con las operaciones de optimizers.adam_update en su orden
        beta1, beta2, eps = ADAM_BETAS
        c1, c2 = 1.0 - beta1, 1.0 - beta2
        sb2 = math.sqrt(1.0 - math.pow(beta2, step))
        lrb = lr / (1.0 - math.pow(beta1, step))
        for p in range(theta.shape[0]):
            g = grad[p]
            m = s1[p] + (g - s1[p]) * c1
            v = s2[p] + (g * g - s2[p]) * c2
            s1[p], s2[p] = m, v
            theta[p] -= (m / (math.sqrt(v) / sb2 + eps)) * lrb


@numba.njit(cache=True, error_model="numpy")
def run_block(theta, s1, s2, kind, sizes, X, y, perms, bs, b0, lr0, decay, t0, momentum, losses):
    """`nb` = ``losses.shape[1]`` actualizaciones de K runs (batches b0, b0+1… de su época).

    ``theta`` (K, P) se actualiza en sitio, con el estado del optimizador ``s1``, ``s2``
    (K, P) (o (K, 0) si no tiene); ``perms`` (K, N) es el orden de la época de cada run y
    ``lr0`` (K,) su tasa inicial. Escribe la pérdida de cada batch en ``losses`` (K, nb) y
    devuelve cuántas dio cada run (menos de nb si su pérdida dejó de ser finita).
    """
    n_runs, nb, n = theta.shape[0], losses.shape[1], X.shape[0]
    offsets = np.zeros(sizes.shape[0], np.int64)
    for layer in range(sizes.shape[0] - 1):
        offsets[layer + 1] = offsets[layer] + (sizes[layer] + 1) * sizes[layer + 1]
    acts = [np.empty((bs, sizes[layer])) for layer in range(sizes.shape[0])]
    deltas = [np.empty((bs, sizes[layer])) for layer in range(sizes.shape[0])]
    grad = np.empty(theta.shape[1])
    done = np.full(n_runs, nb, np.int64)
    for k in range(n_runs):
        for s in range(nb):
            t = t0 + s
            lr = lr0[k] / (1.0 + decay * t) if decay != 0.0 else lr0[k]
            start = (b0 + s) * bs
            m = min(start + bs, n) - start
            rows = perms[k, start : start + m]
            for r in range(m):
                a0, x = acts[0][r], X[rows[r]]
                for i in range(x.shape[0]):
                    a0[i] = x[i]
            scale = lr if kind == _SGD else 1.0
            out, delta = acts[sizes.shape[0] - 1], deltas[sizes.shape[0] - 1]
            if m < SMALL_BATCH:
                _forward_rows(theta[k], sizes, acts, m)
                loss = _output_delta(out, y, rows, delta, m, sizes[-1], scale)
                if kind == _SGD and m == 1:  # el paso de cada capa al calcularlo
                    _sgd_one_row(theta[k], sizes, offsets, acts, deltas)
                else:
                    _backward_rows(theta[k], grad, sizes, offsets, acts, deltas, m)
                    _update(kind, theta[k], grad, s1[k], s2[k], lr, momentum, t + 1)
            else:
                _forward(theta[k], sizes, acts, m)
                loss = _output_delta(out, y, rows, delta, m, sizes[-1], scale)
                _backward(theta[k], grad, sizes, offsets, acts, delta[:m], m)
                _update(kind, theta[k], grad, s1[k], s2[k], lr, momentum, t + 1)
            losses[k, s] = loss
            if not loss < np.inf:  # inf o NaN: el run para aquí, como en train()
                done[k] = s + 1
                break
    return done


# -- train() con el motor -------------------------------------------------------------
class EngineSteps:
    """Los pasos de una época de :func:`batchlab.train` con :func:`run_block` (K = 1).

    Sustituye a ``_Run._updates`` de :mod:`batchlab.training.loop` en un entrenamiento
    (`run`); todo lo demás sigue siendo de ``_Run``: el registro, las pérdidas de cada época,
    los puntos de control y la regla de divergencia. ``model.theta`` se actualiza en sitio
    (``model.grad`` no se toca).
    """

    def __init__(self, run):
        self.run, setup = run, run.setup
        self.kind = ENGINE_OPTIMIZERS[setup.optimizer]
        n_params = run.model.theta.shape[0]
        self.theta = run.model.theta.reshape(1, n_params)  # una vista: el núcleo escribe en θ
        self.s1 = np.zeros((1, 0 if self.kind == _SGD else n_params))  # v de Nesterov, m de Adam
        self.s2 = np.zeros((1, n_params if self.kind == _ADAM else 0))  # v de Adam
        self.layers = np.array(run.model.layer_sizes, np.int64)
        self.lr0 = np.array([setup.learning_rate], np.float64)

    def _block(self, perm: np.ndarray, b0: int, losses: np.ndarray) -> int:
        """Los batches b0… de la época (tantos como `losses`); devuelve cuántos dio."""
        s = self.run.setup
        done = run_block(
            self.theta,
            self.s1,
            self.s2,
            self.kind,
            self.layers,
            s.X,
            s.y,
            perm,
            int(s.batch_size),
            int(b0),
            self.lr0,
            float(s.decay),  # tipos fijos: una sola versión compilada para todas las llamadas
            int(self.run.t),
            float(s.momentum),
            losses,
        )
        return int(done[0])

    def updates(self, perm: np.ndarray, update_loss: np.ndarray) -> float:
        """La época de ``_Run._updates``, por tramos hasta cada punto de control."""
        run, clock = self.run, time.perf_counter
        start_t, next_event = run.t, run.next_event
        end = start_t + len(run.batches)
        perm = np.ascontiguousarray(perm, dtype=np.int64).reshape(1, -1)
        tic = clock()
        while run.t < end:
            stop = min(next_event, end) if next_event > run.t else end
            run.t += self._block(perm, run.t - start_t, update_loss[run.t : stop].reshape(1, -1))
            if not update_loss[run.t - 1] < math.inf:  # la comprobación del bucle de train()
                run.diverged = True
                break
            if run.t == next_event:
                pause = clock()
                halt = run.checks.fire(run.t, run.elapsed + pause - tic)
                tic += clock() - pause  # la evaluación no cuenta como entrenamiento
                if halt:
                    break
                next_event = run.checks.next_event(run.t)
        run.next_event = next_event
        return clock() - tic
