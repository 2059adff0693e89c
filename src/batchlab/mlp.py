"""Un perceptrón multicapa (MLP) escrito a mano con NumPy.

Arquitectura por defecto 8 → 64 → 32 → 1: capas ocultas con ReLU, salida lineal,
pérdida MSE, todo en float64. Los datos van por filas: `X` tiene forma (m, n_entradas)
y cada capa calcula ``Z = A_prev @ W + b``.

Se lee de arriba abajo como el apéndice de la lección:

* :meth:`MLP.forward` guarda lo que la retropropagación necesita (la entrada de cada
  capa; como ``ReLU(z) > 0`` si y solo si ``z > 0``, la salida de la ReLU basta para
  conocer su derivada);
* :meth:`MLP.backward` aplica la regla de la cadena capa a capa y deja los gradientes
  en arrays reservados una sola vez;
* :meth:`MLP.train_step` hace forward, backward y la actualización de SGD en sitio,
  sin diccionarios ni copias por actualización: es el bucle caliente del curso.

Este módulo no importa nada de gráficos.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["MLP", "gradient_check", "mse"]


def mse(y_pred: np.ndarray, y_true: np.ndarray) -> float:
    """Error cuadrático medio."""
    err = np.asarray(y_pred, dtype=np.float64) - np.asarray(y_true, dtype=np.float64)
    return float(np.vdot(err, err)) / err.size


def _as_generator(rng: np.random.Generator | int) -> np.random.Generator:
    """Acepta un `Generator` o una semilla entera."""
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, bool) or not isinstance(rng, int | np.integer):
        raise TypeError(
            "rng debe ser un numpy.random.Generator o una semilla entera, "
            f"p. ej. MLP(rng=np.random.default_rng(0)); se recibió {rng!r}"
        )
    return np.random.default_rng(int(rng))


class MLP:
    """Red densa con ReLU en las capas ocultas y salida lineal.

    Parámetros
    ----------
    layer_sizes:
        Neuronas por capa, de la entrada a la salida; por defecto ``(8, 64, 32, 1)``.
    rng:
        `numpy.random.Generator` (o semilla entera) para la inicialización de He:
        ``W ~ N(0, 2 / n_entradas)`` y sesgos a cero.
    """

    def __init__(
        self,
        layer_sizes: Sequence[int] = (8, 64, 32, 1),
        *,
        rng: np.random.Generator | int,
    ) -> None:
        sizes = tuple(layer_sizes)
        if len(sizes) < 2 or not all(
            isinstance(n, int | np.integer) and not isinstance(n, bool) and n >= 1
            for n in sizes
        ):
            raise ValueError(
                "layer_sizes debe ser una secuencia de al menos dos enteros positivos "
                f"(entrada, ..., salida), p. ej. (8, 64, 32, 1); se recibió {layer_sizes!r}"
            )
        gen = _as_generator(rng)
        self.layer_sizes = tuple(int(n) for n in sizes)
        pairs = list(zip(self.layer_sizes[:-1], self.layer_sizes[1:], strict=True))
        self.weights = [gen.standard_normal((n_in, n_out)) * np.sqrt(2.0 / n_in)
                        for n_in, n_out in pairs]
        self.biases = [np.zeros(n_out) for _, n_out in pairs]
        self.grad_weights = [np.zeros_like(W) for W in self.weights]
        self.grad_biases = [np.zeros_like(b) for b in self.biases]
        # activations[i] es la entrada de la capa i (activations[0] = X) y
        # activations[-1] la salida de la red; las rellena forward().
        self.activations: list[np.ndarray | None] = [None] * (len(pairs) + 1)

    # -- descripción ---------------------------------------------------------------
    @property
    def n_layers(self) -> int:
        """Número de capas con pesos."""
        return len(self.weights)

    @property
    def n_params(self) -> int:
        """Número total de parámetros entrenables (pesos y sesgos)."""
        return sum(W.size + b.size for W, b in zip(self.weights, self.biases, strict=True))

    def parameters(self) -> list[tuple[str, np.ndarray, np.ndarray]]:
        """Lista ``(nombre, parámetro, gradiente)``: W1, b1, W2, b2, …"""
        out = []
        for i in range(self.n_layers):
            out.append((f"W{i + 1}", self.weights[i], self.grad_weights[i]))
            out.append((f"b{i + 1}", self.biases[i], self.grad_biases[i]))
        return out

    def copy(self) -> MLP:
        """Copia independiente con los mismos pesos (para comparar métodos desde el mismo punto)."""
        twin = object.__new__(MLP)
        twin.layer_sizes = self.layer_sizes
        twin.weights = [W.copy() for W in self.weights]
        twin.biases = [b.copy() for b in self.biases]
        twin.grad_weights = [np.zeros_like(W) for W in self.weights]
        twin.grad_biases = [np.zeros_like(b) for b in self.biases]
        twin.activations = [None] * (self.n_layers + 1)
        return twin

    def __repr__(self) -> str:
        arch = " → ".join(str(n) for n in self.layer_sizes)
        return f"MLP({arch}, {self.n_params:,} parámetros)"

    # -- cálculo -------------------------------------------------------------------
    def forward(self, X: np.ndarray) -> np.ndarray:
        """Propagación hacia delante; devuelve la salida (m, n_salidas).

        Guarda en ``self.activations`` la entrada de cada capa para :meth:`backward`.
        """
        acts = self.activations
        acts[0] = a = X
        last = self.n_layers - 1
        for i, (W, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            z = a @ W
            z += b
            if i < last:
                np.maximum(z, 0.0, out=z)  # ReLU en sitio: z pasa a ser la activación
            acts[i + 1] = a = z
        return a

    def backward(self, y: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Gradientes del MSE respecto a cada parámetro, tras un :meth:`forward`.

        Devuelve ``(grad_weights, grad_biases)``, listas alineadas con
        ``weights`` y ``biases`` (arrays reservados una vez y sobrescritos).
        """
        out = self.activations[-1]
        if out is None:
            raise RuntimeError("Llama a forward(X) antes de backward(y).")
        delta = out - y
        delta *= 2.0 / y.size  # dL/dZ de la salida para L = mean((ŷ - y)²)
        self._backpropagate(delta)
        return self.grad_weights, self.grad_biases

    def _backpropagate(self, delta: np.ndarray) -> None:
        """Regla de la cadena desde dL/dZ de la salida hasta la primera capa."""
        acts = self.activations
        for i in range(self.n_layers - 1, -1, -1):
            np.matmul(acts[i].T, delta, out=self.grad_weights[i])  # dL/dW = A_prevᵀ δ
            np.sum(delta, axis=0, out=self.grad_biases[i])  # dL/db = Σ_filas δ
            if i > 0:
                delta = delta @ self.weights[i].T  # dL/dA_prev = δ Wᵀ
                delta *= acts[i] > 0  # · ReLU'(Z_prev)

    def train_step(self, X: np.ndarray, y: np.ndarray, learning_rate: float) -> float:
        """Un paso de SGD sobre el batch ``(X, y)``; devuelve la pérdida del batch.

        La retropropagación es lineal en δ: si δ de la salida se multiplica por la tasa
        de aprendizaje, los buffers de gradiente reciben directamente ``lr · ∇`` y la
        actualización queda en una resta en sitio por parámetro.
        """
        out = self.forward(X)
        delta = out - y
        size = y.size  # la media del MSE es sobre todos los elementos de y
        loss = float(np.vdot(delta, delta)) / size
        delta *= 2.0 * learning_rate / size
        self._backpropagate(delta)
        for W, gW, b, gb in zip(
            self.weights, self.grad_weights, self.biases, self.grad_biases, strict=True
        ):
            W -= gW
            b -= gb
        return loss

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Predicciones (m, n_salidas) para ``X`` (m, n_entradas)."""
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != self.layer_sizes[0]:
            raise ValueError(
                f"X debe tener forma (m, {self.layer_sizes[0]}) para esta red; "
                f"tiene forma {X.shape}"
            )
        return self.forward(X)

    def loss(self, X: np.ndarray, y: np.ndarray) -> float:
        """MSE de la red sobre ``(X, y)``."""
        return mse(self.predict(X), y)


def gradient_check(
    model: MLP, X: np.ndarray, y: np.ndarray, eps: float = 1e-6
) -> dict[str, float]:
    """Compara los gradientes de :meth:`MLP.backward` con diferencias centrales.

    Para cada parámetro devuelve el error relativo
    ``‖g_analítico − g_numérico‖ / (‖g_analítico‖ + ‖g_numérico‖)`` (0 si ambos son 0).
    En float64, con ``eps = 1e-6``, un backward correcto da errores de ~1e-9.
    """
    model.forward(X)
    model.backward(y)
    errors: dict[str, float] = {}
    for name, param, grad in model.parameters():
        analytic = grad.copy()
        numeric = np.empty_like(param)
        flat, num_flat = param.reshape(-1), numeric.reshape(-1)
        for k in range(flat.size):
            saved = flat[k]
            flat[k] = saved + eps
            plus = mse(model.forward(X), y)
            flat[k] = saved - eps
            minus = mse(model.forward(X), y)
            flat[k] = saved
            num_flat[k] = (plus - minus) / (2.0 * eps)
        denom = np.linalg.norm(analytic) + np.linalg.norm(numeric)
        errors[name] = 0.0 if denom == 0 else float(np.linalg.norm(analytic - numeric) / denom)
    return errors
