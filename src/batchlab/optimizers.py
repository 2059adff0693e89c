"""Los optimizadores del curso: SGD, Nesterov y Adam, cada uno con su gemelo apilado.

Cada optimizador tiene dos versiones, una al lado de la otra:

* la de **un modelo** (:class:`SGD`, :class:`Nesterov`, :class:`Adam`), que trabaja sobre el
  vector de parámetros θ (``model.theta``) y su gradiente (``model.grad``) con operaciones en
  sitio y buffers reservados una sola vez; es la que usa :func:`batchlab.train`;
* la **apilada** (:class:`StackedSGD`, :class:`StackedNesterov`, :class:`StackedAdam`), el
  mismo paso para K redes con un eje delantero de run (una pila de
  :mod:`batchlab.training`), que usa :func:`batchlab.training.train_many`.

:data:`OPTIMIZERS` es el único registro: su clave es el valor de ``optimizer=…`` y es también
la validación (:func:`get_optimizer`). Un optimizador sin gemelo apilado hace que
``train_many`` falle con un mensaje, nunca que entrene otra cosa. Su nombre para mostrar
está en :data:`batchlab.labels.OPTIMIZER_NAMES` (un test comprueba que no falta ninguno).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ._checks import is_real
from .mlp import MLP

__all__ = [
    "OPTIMIZERS",
    "SGD",
    "Adam",
    "Nesterov",
    "Optimizer",
    "StackedAdam",
    "StackedNesterov",
    "StackedSGD",
    "check_momentum",
    "get_optimizer",
]


def check_momentum(momentum: object) -> float:
    """El momento μ de Nesterov: un número real en [0, 1) (μ = 0 es SGD)."""
    if not is_real(momentum) or not 0.0 <= float(momentum) < 1.0:
        raise ValueError(
            f"momentum debe ser un número en [0, 1) (p. ej. 0.9; 0 es SGD); se recibió {momentum!r}"
        )
    return float(momentum)


class SGD:
    """SGD sin momento: el paso en sitio de :meth:`batchlab.MLP.train_step` (sin estado).

    ``θ ← θ − lr·∇θ``. `momentum` se acepta para tener la misma firma que los demás y se ignora.
    """

    def __init__(self, model: MLP, momentum: float = 0.0):
        self.model = model
        self.step = model.train_step


def adam_update(theta, g, m, v, tmp, t: int, betas: tuple, learning_rate) -> None:
    """El paso t de Adam, en su sitio: actualiza `m`, `v` y `theta` (`tmp` es memoria de trabajo).

    Una sola red o una pila: `learning_rate` es un número o una columna (K, 1). `betas` es
    ``(β₁, β₂, ε)``. Lo usan :class:`Adam` y :class:`StackedAdam`.
    """
    beta1, beta2, eps = betas
    np.subtract(g, m, out=tmp)
    tmp *= 1.0 - beta1
    m += tmp  # m ← β₁m + (1−β₁)g
    np.multiply(g, g, out=tmp)
    tmp -= v
    tmp *= 1.0 - beta2
    v += tmp  # v ← β₂v + (1−β₂)g²
    bias1 = 1.0 - beta1**t
    bias2 = 1.0 - beta2**t
    np.sqrt(v, out=tmp)
    tmp /= math.sqrt(bias2)
    tmp += eps
    np.divide(m, tmp, out=tmp)
    tmp *= learning_rate / bias1
    theta -= tmp  # θ ← θ − lr · m̂ / (√v̂ + ε)


class Adam:
    """Adam (Kingma y Ba, 2015): pasos escalados por la raíz del segundo momento.

    ``m ← β₁m + (1−β₁)g``, ``v ← β₂v + (1−β₂)g²`` y
    ``θ ← θ − lr · m̂ / (√v̂ + ε)``, con ``m̂, v̂`` corregidos del sesgo inicial.
    """

    BETA1, BETA2, EPS = 0.9, 0.999, 1e-8  # los valores por defecto (también de StackedAdam)

    def __init__(self, model: MLP, beta1: float = BETA1, beta2: float = BETA2, eps: float = EPS):
        self.model = model
        self.beta1, self.beta2, self.eps = beta1, beta2, eps
        self.m = np.zeros_like(model.theta)
        self.v = np.zeros_like(model.theta)
        self._tmp = np.empty_like(model.theta)
        self.t = 0

    def step(self, X: np.ndarray, y: np.ndarray, learning_rate: float) -> float:
        """Un paso de Adam sobre el batch ``(X, y)``; devuelve la pérdida del batch."""
        loss = self.model.loss_and_gradient(X, y)
        self.t += 1
        betas = (self.beta1, self.beta2, self.eps)
        adam_update(self.model.theta, self.model.grad, self.m, self.v, self._tmp, self.t, betas,
                    learning_rate)  # fmt: skip
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


class StackedSGD:
    """:class:`SGD` para una pila: ``θ_k ← θ_k − lr_k·∇θ_k`` (sin estado)."""

    def __init__(self, stack, momentum: float = 0.0) -> None:
        self.stack = stack
        self.step = stack.sgd_step

    def subset(self, stack, keep: np.ndarray) -> StackedSGD:
        """El optimizador de la pila reducida `stack` (SGD no guarda estado)."""
        return StackedSGD(stack)


class StackedAdam:
    """:class:`Adam` para una pila: estado (K, P) y un mismo paso t."""

    def __init__(self, stack, m=None, v=None, t: int = 0) -> None:
        self.stack = stack
        self.m = np.zeros_like(stack.theta) if m is None else m
        self.v = np.zeros_like(stack.theta) if v is None else v
        self._tmp = np.empty_like(stack.theta)
        self.t = t

    def step(self, X: np.ndarray, y: np.ndarray, learning_rates: np.ndarray) -> np.ndarray:
        """Un paso de Adam de cada red; `learning_rates` es (K, 1, 1)."""
        losses = self.stack.loss_and_gradient(X, y, 1.0)
        self.t += 1
        betas = (Adam.BETA1, Adam.BETA2, Adam.EPS)
        adam_update(self.stack.theta, self.stack.grad, self.m, self.v, self._tmp, self.t, betas,
                    learning_rates.reshape(-1, 1))  # fmt: skip
        return losses

    def subset(self, stack, keep: np.ndarray) -> StackedAdam:
        """El estado de las redes `keep`, para la pila reducida `stack`."""
        return StackedAdam(stack, self.m[keep], self.v[keep], self.t)


class StackedNesterov:
    """:class:`Nesterov` para una pila: velocidad (K, P), un mismo μ."""

    def __init__(self, stack, momentum: float, v=None) -> None:
        self.stack, self.momentum = stack, momentum
        self.v = np.zeros_like(stack.theta) if v is None else v
        self._tmp = np.empty_like(stack.theta)

    def step(self, X: np.ndarray, y: np.ndarray, learning_rates: np.ndarray) -> np.ndarray:
        """Un paso de Nesterov de cada red; `learning_rates` es (K, 1, 1)."""
        losses = self.stack.loss_and_gradient(X, y, 1.0)
        g, v, tmp = self.stack.grad, self.v, self._tmp
        v *= self.momentum
        v += g  # v ← μv + g
        np.multiply(v, self.momentum, out=tmp)
        tmp += g
        tmp *= learning_rates.reshape(-1, 1)
        self.stack.theta -= tmp  # θ ← θ − lr·(g + μv)
        return losses

    def subset(self, stack, keep: np.ndarray) -> StackedNesterov:
        """La velocidad de las redes `keep`, para la pila reducida `stack`."""
        return StackedNesterov(stack, self.momentum, self.v[keep])


# -- el registro ---------------------------------------------------------------------
@dataclass(frozen=True)
class Optimizer:
    """Una entrada de :data:`OPTIMIZERS`: cómo crear el paso de un modelo y el de una pila.

    ``single(model, momentum)`` devuelve un objeto con ``step(X_b, y_b, lr) -> pérdida``;
    ``stacked(stack, momentum)`` (None si no existe) uno con ``step(X_b, y_b, lrs) ->
    pérdidas`` y ``subset(stack, keep)``. ``uses_momentum`` dice si lee `momentum`.
    """

    single: Callable
    stacked: Callable | None
    uses_momentum: bool = False


#: Los optimizadores de ``train()`` y ``train_many``: clave de ``optimizer=…`` → sus dos pasos.
OPTIMIZERS: dict[str, Optimizer] = {
    "sgd": Optimizer(SGD, StackedSGD),
    "nesterov": Optimizer(Nesterov, StackedNesterov, uses_momentum=True),
    "adam": Optimizer(
        lambda model, momentum: Adam(model), lambda stack, momentum: StackedAdam(stack)
    ),
}


def get_optimizer(name: object, *, stacked: bool = False) -> Optimizer:
    """La entrada de `name` en :data:`OPTIMIZERS`; con `stacked`, exige su gemelo apilado."""
    if not isinstance(name, str) or name not in OPTIMIZERS:
        known = ", ".join(repr(k) for k in OPTIMIZERS)
        raise ValueError(f"optimizer debe ser uno de {known}; se recibió {name!r}")
    entry = OPTIMIZERS[name]
    if stacked and entry.stacked is None:
        raise ValueError(
            f"El optimizador {name!r} no tiene versión apilada, así que train_many no puede "
            "entrenarlo; añade su clase apilada en batchlab.optimizers o usa train() run a run."
        )
    return entry
