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

Todos los parámetros viven en un único vector ``theta`` (θ) y sus gradientes en
``grad``; ``weights[i]`` y ``biases[i]`` son vistas de trozos de θ, así que la
actualización de SGD es una sola operación, ``θ -= lr·∇θ``. Para cambiar pesos a mano,
escribe dentro de ellos (``W[...] = …``), no reasignes la lista.

Este módulo no importa nada de gráficos.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ._checks import check_seed, is_int

__all__ = ["MLP", "gradient_check", "mse"]


def mse(y_pred: np.ndarray, y_true: np.ndarray) -> float:
    """Error cuadrático medio."""
    err = np.asarray(y_pred, dtype=np.float64) - np.asarray(y_true, dtype=np.float64)
    return float(np.vdot(err, err)) / err.size


def _as_generator(rng: np.random.Generator | int) -> np.random.Generator:
    """Acepta un `Generator` o una semilla entera."""
    if isinstance(rng, np.random.Generator):
        return rng
    if not is_int(rng):
        raise TypeError(
            "rng debe ser un numpy.random.Generator o una semilla entera, "
            f"p. ej. MLP(rng=np.random.default_rng(0)); se recibió {rng!r}"
        )
    return np.random.default_rng(check_seed("rng", rng))


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
        if len(sizes) < 2 or not all(is_int(n) and n >= 1 for n in sizes):
            raise ValueError(
                "layer_sizes debe ser una secuencia de al menos dos enteros positivos "
                f"(entrada, ..., salida), p. ej. (8, 64, 32, 1); se recibió {layer_sizes!r}"
            )
        gen = _as_generator(rng)
        self.layer_sizes = tuple(int(n) for n in sizes)
        # Todos los parámetros viven en un único vector θ y todos los gradientes en otro
        # del mismo tamaño; W1, b1, W2, … son vistas (no copias) de trozos de θ.
        self.theta = np.empty(self.n_params)
        self.grad = np.zeros(self.n_params)
        self._bind_views()
        for W, b in zip(self.weights, self.biases, strict=True):
            W[...] = gen.standard_normal(W.shape) * np.sqrt(2.0 / W.shape[0])  # He
            b[...] = 0.0

    def _bind_views(self) -> None:
        """Crea las vistas W_i, b_i (y sus gradientes) sobre los vectores θ y ∇θ."""
        self.weights, self.biases, self.grad_weights, self.grad_biases = [], [], [], []
        offset = 0
        for n_in, n_out in zip(self.layer_sizes[:-1], self.layer_sizes[1:], strict=True):
            for params, grads, shape in (
                (self.weights, self.grad_weights, (n_in, n_out)),
                (self.biases, self.grad_biases, (n_out,)),
            ):
                size = int(np.prod(shape))
                params.append(self.theta[offset : offset + size].reshape(shape))
                grads.append(self.grad[offset : offset + size].reshape(shape))
                offset += size
        # Las mismas vistas agrupadas por capa, en el orden en que las recorre cada
        # pasada (se construyen una vez, no en cada actualización).
        self._forward_layers = list(zip(self.weights, self.biases, strict=True))
        self._backward_layers = [
            (i, self.weights[i], self.grad_weights[i], self.grad_biases[i])
            for i in reversed(range(self.n_layers))
        ]
        self._ones = np.ones(0)  # vector de unos para 1ᵀδ; crece con el batch
        # activations[i] es la entrada de la capa i (activations[0] = X) y
        # activations[-1] la salida de la red; las rellena forward().
        self.activations: list[np.ndarray | None] = [None] * len(self.layer_sizes)

    # -- descripción ---------------------------------------------------------------
    @property
    def n_layers(self) -> int:
        """Número de capas con pesos."""
        return len(self.layer_sizes) - 1

    @property
    def n_params(self) -> int:
        """Número total de parámetros entrenables (pesos y sesgos)."""
        sizes = self.layer_sizes
        return sum((n_in + 1) * n_out for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True))

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
        twin.theta = self.theta.copy()
        twin.grad = np.zeros_like(self.grad)
        twin._bind_views()
        return twin

    def __getstate__(self) -> dict:
        """Para pickle (p. ej. joblib): solo la arquitectura y θ; las vistas se rehacen."""
        return {"layer_sizes": self.layer_sizes, "theta": self.theta}

    def __setstate__(self, state: dict) -> None:
        """Reconstruye θ, ∇θ y las vistas W_i, b_i atadas a ellos (no copias sueltas)."""
        self.layer_sizes = tuple(state["layer_sizes"])
        self.theta = np.array(state["theta"], dtype=np.float64)
        self.grad = np.zeros_like(self.theta)
        self._bind_views()

    def __repr__(self) -> str:
        arch = " → ".join(str(n) for n in self.layer_sizes)
        return f"MLP({arch}, {self.n_params} parámetros)"

    # -- cálculo -------------------------------------------------------------------
    def forward(self, X: np.ndarray) -> np.ndarray:
        """Propagación hacia delante; devuelve la salida (m, n_salidas).

        Guarda en ``self.activations`` la entrada de cada capa para :meth:`backward`.
        """
        acts = self.activations
        acts[0] = a = X
        last = self.n_layers - 1
        for i, (W, b) in enumerate(self._forward_layers):
            z = np.dot(a, W)  # Z = A_prev W (np.dot: menos sobrecoste que @ en matrices pequeñas)
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
        m = delta.shape[0]
        if self._ones.shape[0] < m:
            self._ones = np.ones(m)
        ones = self._ones[:m]
        for i, W, grad_W, grad_b in self._backward_layers:  # de la última capa a la primera
            a_prev = acts[i]
            np.dot(a_prev.T, delta, out=grad_W)  # dL/dW = A_prevᵀ δ
            np.dot(ones, delta, out=grad_b)  # dL/db = 1ᵀ δ (la suma de las filas de δ)
            if i > 0:
                delta = np.dot(delta, W.T)  # dL/dA_prev = δ Wᵀ
                # · ReLU'(Z_prev): como A = ReLU(Z) ≥ 0, sign(A) vale 1 donde Z > 0 y 0 donde
                # no (en batches pequeños es más rápido que multiplicar por la máscara A > 0)
                delta *= np.sign(a_prev)

    def loss_and_gradient(self, X: np.ndarray, y: np.ndarray, scale: float = 1.0) -> float:
        """Pérdida del batch ``(X, y)`` y ``scale · ∇θ`` en ``self.grad``, en una pasada.

        La retropropagación es lineal en δ: multiplicar δ de la salida por `scale` (p. ej.
        la tasa de aprendizaje) escala todos los gradientes sin ningún paso extra.
        """
        out = self.forward(X)
        delta = out - y
        size = y.size  # la media del MSE es sobre todos los elementos de y
        loss = float(np.vdot(delta, delta)) / size
        delta *= 2.0 * scale / size
        self._backpropagate(delta)
        return loss

    def train_step(self, X: np.ndarray, y: np.ndarray, learning_rate: float) -> float:
        """Un paso de SGD sobre el batch ``(X, y)``; devuelve la pérdida del batch.

        Con ``scale = learning_rate``, el vector de gradientes recibe directamente
        ``lr · ∇θ`` y la actualización es una única resta en sitio sobre θ. (Por eso, tras
        este método, ``grad`` contiene ``lr · ∇θ``; para el gradiente en sí usa
        :meth:`backward`.)
        """
        loss = self.loss_and_gradient(X, y, learning_rate)
        self.theta -= self.grad  # θ ← θ − lr·∇θ: una sola resta para todos los parámetros
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


def gradient_check(model: MLP, X: np.ndarray, y: np.ndarray, eps: float = 1e-6) -> dict[str, float]:
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
