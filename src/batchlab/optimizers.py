"""Optimizadores además del SGD de :meth:`batchlab.MLP.train_step`.

Trabajan sobre el vector de parámetros θ del modelo (``model.theta``) y su gradiente
(``model.grad``), con operaciones en sitio y buffers reservados una sola vez.
"""

from __future__ import annotations

import math

import numpy as np

from ._checks import is_real
from .mlp import MLP

__all__ = ["Adam", "Nesterov", "check_momentum"]


def check_momentum(momentum: object) -> float:
    """El momento μ de Nesterov: un número real en [0, 1) (μ = 0 es SGD)."""
    if not is_real(momentum) or not 0.0 <= float(momentum) < 1.0:
        raise ValueError(
            f"momentum debe ser un número en [0, 1) (p. ej. 0.9; 0 es SGD); se recibió {momentum!r}"
        )
    return float(momentum)


class Adam:
    """Adam (Kingma y Ba, 2015): pasos escalados por la raíz del segundo momento.

    ``m ← β₁m + (1−β₁)g``, ``v ← β₂v + (1−β₂)g²`` y
    ``θ ← θ − lr · m̂ / (√v̂ + ε)``, con ``m̂, v̂`` corregidos del sesgo inicial.
    """

    def __init__(self, model: MLP, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8):
        self.model = model
        self.beta1, self.beta2, self.eps = beta1, beta2, eps
        self.m = np.zeros_like(model.theta)
        self.v = np.zeros_like(model.theta)
        self._tmp = np.empty_like(model.theta)
        self.t = 0

    def step(self, X: np.ndarray, y: np.ndarray, learning_rate: float) -> float:
        """Un paso de Adam sobre el batch ``(X, y)``; devuelve la pérdida del batch."""
        loss = self.model.loss_and_gradient(X, y)
        g, m, v, tmp = self.model.grad, self.m, self.v, self._tmp
        self.t += 1
        np.subtract(g, m, out=tmp)
        tmp *= 1.0 - self.beta1
        m += tmp  # m ← β₁m + (1−β₁)g
        np.multiply(g, g, out=tmp)
        tmp -= v
        tmp *= 1.0 - self.beta2
        v += tmp  # v ← β₂v + (1−β₂)g²
        bias1 = 1.0 - self.beta1**self.t
        bias2 = 1.0 - self.beta2**self.t
        np.sqrt(v, out=tmp)
        tmp /= math.sqrt(bias2)
        tmp += self.eps
        np.divide(m, tmp, out=tmp)
        tmp *= learning_rate / bias1
        self.model.theta -= tmp  # θ ← θ − lr · m̂ / (√v̂ + ε)
        return loss


class Nesterov:
    """SGD con momento de Nesterov (forma de Sutskever et al., 2013, la de PyTorch).

    ``v ← μv + g`` y ``θ ← θ − lr · (g + μv)``: el paso mira «por delante» en la
    dirección del momento. Con μ = 0 es SGD. Es el paso de ``train(optimizer="nesterov")``.
    """

    def __init__(self, model: MLP, momentum: float = 0.9):
        self.model = model
        self.momentum = check_momentum(momentum)
        self.v = np.zeros_like(model.theta)
        self._tmp = np.empty_like(model.theta)

    def step(self, X: np.ndarray, y: np.ndarray, learning_rate: float) -> float:
        """Un paso sobre el batch ``(X, y)``; devuelve la pérdida del batch."""
        loss = self.model.loss_and_gradient(X, y)
        g, v, tmp = self.model.grad, self.v, self._tmp
        v *= self.momentum
        v += g  # v ← μv + g
        np.multiply(v, self.momentum, out=tmp)
        tmp += g
        tmp *= learning_rate
        self.model.theta -= tmp  # θ ← θ − lr·(g + μv)
        return loss
