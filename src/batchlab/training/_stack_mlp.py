"""El mismo algoritmo, K redes a la vez (*the same algorithm, K runs at once*).

:class:`StackedMLP` es :class:`batchlab.mlp.MLP` con un eje delantero de «run»: mismo
vector θ por run, ``1ᵀδ`` para el sesgo, la máscara ``A > 0`` como derivada de la ReLU, la tasa
aplicada a δ de la salida. Cada producto de matrices es **un solo** ``np.matmul`` sobre K
matrices (K productos de BLAS, una llamada de Python), así que K entrenamientos con el
mismo tamaño de batch se reparten el sobrecoste fijo de NumPy y cada uno da los mismos
números que la red suelta. Aquí viven el paso hacia delante/atrás apilado y los pasos de
SGD, Adam y Nesterov apilados; la orquestación (semillas, épocas, divergencia) está en
:mod:`batchlab.training.lockstep`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["StackedMLP"]


# -- K redes apiladas --------------------------------------------------------------
class StackedMLP:
    """K redes de la misma arquitectura con un eje delantero de run.

    ``theta`` tiene forma (K, P): la fila k es el vector θ de la red k, con la misma
    disposición que :attr:`MLP.theta`; ``weights[i]`` (K, n_in, n_out) y ``biases[i]``
    son vistas de θ, como en :class:`MLP`. Los datos van por filas con el eje de run
    delante: ``X`` tiene forma (K, m, n_entradas).
    """

    def __init__(self, layer_sizes: Sequence[int], theta: np.ndarray) -> None:
        self.layer_sizes = tuple(layer_sizes)
        self.theta = np.ascontiguousarray(theta, dtype=np.float64)
        self.grad = np.zeros_like(self.theta)
        k = self.theta.shape[0]
        self.weights, self.biases, self.grad_weights, self.grad_biases = [], [], [], []
        offset = 0
        for n_in, n_out in zip(self.layer_sizes[:-1], self.layer_sizes[1:], strict=True):
            size = n_in * n_out
            self.weights.append(self.theta[:, offset : offset + size].reshape(k, n_in, n_out))
            self.grad_weights.append(self.grad[:, offset : offset + size].reshape(k, n_in, n_out))
            offset += size
            # el sesgo como (K, 1, n_out) para sumarlo a Z (K, m, n_out); su gradiente, (K, n_out)
            self.biases.append(self.theta[:, offset : offset + n_out].reshape(k, 1, n_out))
            self.grad_biases.append(self.grad[:, offset : offset + n_out])
            offset += n_out
        self.n_layers = len(self.weights)
        self._backward_layers = [
            (i, self.weights[i].transpose(0, 2, 1), self.grad_weights[i], self.grad_biases[i])
            for i in reversed(range(self.n_layers))
        ]
        self._bufs: dict[int, dict] = {}
        self.activations: list[np.ndarray | None] = [None] * len(self.layer_sizes)

    @property
    def n_runs(self) -> int:
        """Número de redes apiladas (K)."""
        return self.theta.shape[0]

    def _buffers(self, m: int) -> dict:
        """Arrays de trabajo para batches de m filas, reservados una vez por tamaño.

        Con K redes los intermedios (K, m, n) ya no son pequeños: reservarlos en cada
        actualización costaría más que en :class:`MLP`.
        """
        bufs = self._bufs.get(m)
        if bufs is None:
            k, sizes = self.n_runs, self.layer_sizes
            bufs = self._bufs[m] = {
                "z": [np.empty((k, m, n)) for n in sizes[1:]],  # salida de cada capa
                "delta": [np.empty((k, m, n)) for n in sizes[1:]],  # dL/dZ de cada capa
                "active": [np.empty((k, m, n), bool) for n in sizes[1:]],  # Z > 0
                "slope": [np.empty((k, m, n)) for n in sizes[1:]],  # ReLU'(Z), 0.0 o 1.0
                "ones": np.ones(m),
                # max(Z, 0) contra un array de ceros: la misma operación que contra el escalar
                # 0.0, pero NumPy la vectoriza (el escalar difundido va tres veces más lento)
                "zeros": [np.zeros((k, m, n)) for n in sizes[1:]],
            }
        return bufs

    def forward(self, X: np.ndarray) -> np.ndarray:
        """Propagación hacia delante de las K redes; devuelve la salida (K, m, n_salidas)."""
        acts = self.activations
        acts[0] = a = X
        last = self.n_layers - 1
        bufs = self._buffers(X.shape[1])
        zs, zeros = bufs["z"], bufs["zeros"]
        for i, (W, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            z = np.matmul(a, W, out=zs[i])  # Z_k = A_k W_k para las K redes en una llamada
            z += b
            if i < last:
                np.maximum(z, zeros[i], out=z)  # ReLU en sitio
            acts[i + 1] = a = z
        return a

    def loss_and_gradient(self, X: np.ndarray, y: np.ndarray, scale) -> np.ndarray:
        """Pérdida de cada red (K,) y ``scale_k · ∇θ_k`` en ``grad``, como en :class:`MLP`.

        `scale` es un número o un array (K, 1, 1) (p. ej. la tasa de cada run).
        """
        out = self.forward(X)
        k, m = out.shape[0], out.shape[1]
        delta = np.subtract(out, y, out=self._buffers(m)["delta"][-1])
        size = delta[0].size  # la media del MSE es sobre cada y_k
        if size == 1:  # un solo número por run: δ² es exactamente lo que da np.vdot
            losses = np.square(delta.reshape(k))
        else:  # δ_kᵀδ_k de cada run: un producto escalar de BLAS por red, como np.vdot
            flat = delta.reshape(k, 1, size)
            losses = np.matmul(flat, flat.transpose(0, 2, 1)).reshape(k)
        losses /= size
        delta *= 2.0 * scale / size
        self._backpropagate(delta)
        return losses

    def _backpropagate(self, delta: np.ndarray) -> None:
        """Regla de la cadena de :meth:`MLP._backpropagate`, con el eje de run delante."""
        acts = self.activations
        bufs = self._buffers(delta.shape[1])
        ones = bufs["ones"]
        single = delta.shape[1] == 1
        for i, W_T, grad_W, grad_b in self._backward_layers:
            a_prev = acts[i]
            if single:
                # con una sola fila (B = 1) no hay sumas: A_prevᵀ δ es el producto exterior
                # y 1ᵀ δ es δ, los mismos valores que da BLAS, sin K llamadas a BLAS
                np.multiply(a_prev.transpose(0, 2, 1), delta, out=grad_W)
                np.copyto(grad_b, delta.reshape(grad_b.shape))
            else:
                np.matmul(a_prev.transpose(0, 2, 1), delta, out=grad_W)  # dL/dW = A_prevᵀ δ
                np.matmul(ones, delta, out=grad_b)  # dL/db = 1ᵀ δ
            if i > 0:
                out = bufs["delta"][i - 1]
                if delta.shape[2] == 1:  # una sola salida: δ Wᵀ es un producto exterior
                    delta = np.multiply(delta, W_T, out=out)  # (cada término, un producto)
                else:
                    delta = np.matmul(delta, W_T, out=out)  # dL/dA_prev = δ Wᵀ
                # · ReLU'(Z_prev): la máscara A_prev > 0 pasada a 0.0/1.0 es sign(A_prev)
                # (A_prev ≥ 0 tras la ReLU), los mismos bits en la mitad de tiempo
                slope = bufs["slope"][i - 1]
                np.copyto(slope, np.greater(a_prev, 0.0, out=bufs["active"][i - 1]))
                delta *= slope

    def sgd_step(self, X: np.ndarray, y: np.ndarray, learning_rates) -> np.ndarray:
        """Un paso de SGD de cada red con su tasa (K, 1, 1); devuelve las K pérdidas."""
        losses = self.loss_and_gradient(X, y, learning_rates)
        self.theta -= self.grad  # θ_k ← θ_k − lr_k·∇θ_k para las K redes
        return losses

    def subset(self, keep: np.ndarray) -> StackedMLP:
        """Una pila nueva solo con las redes `keep` (copia sus parámetros)."""
        return StackedMLP(self.layer_sizes, self.theta[keep])
