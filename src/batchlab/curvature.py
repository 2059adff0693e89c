"""La curvatura de la pérdida: el mayor autovalor λ_max de la hessiana (notebook 04).

La tasa de aprendizaje está limitada por la curvatura: en un cuenco cuadrático con
curvatura λ, el descenso de gradiente con tasa η converge solo si η < 2/λ. Para una red,
λ_max de la hessiana H = ∇²L(θ) da esa escala local («sharpness»).

H tiene 2 689 × 2 689 entradas, pero no hace falta construirla: la iteración de la
potencia solo necesita productos hessiana-vector, y cada uno cuesta dos gradientes:

    H v ≈ (∇L(θ + εv) − ∇L(θ − εv)) / (2ε)    (diferencias centradas, error O(ε²)).
"""

from __future__ import annotations

import numpy as np

from ._checks import check_int, check_seed
from .mlp import MLP

__all__ = ["hessian_vector_product", "top_eigenvalue"]


def _gradient_at(model: MLP, theta: np.ndarray, X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """∇L en `theta` (usa `model` como espacio de trabajo y le devuelve sus pesos)."""
    saved = model.theta.copy()
    model.theta[...] = theta
    model.forward(X)
    model.backward(y)
    grad = model.grad.copy()
    model.theta[...] = saved
    return grad


def hessian_vector_product(
    model: MLP, X: np.ndarray, y: np.ndarray, v: np.ndarray, eps: float = 1e-5
) -> np.ndarray:
    """H·v en los pesos actuales de `model` (diferencias centradas del gradiente).

    `eps` es el tamaño del paso en la dirección unitaria de `v`; el resultado se reescala
    por ‖v‖. No modifica los pesos de `model`.
    """
    v = np.asarray(v, dtype=np.float64)
    norm = float(np.linalg.norm(v))
    if norm == 0.0:
        return np.zeros_like(v)
    step = (eps / norm) * v
    g_plus = _gradient_at(model, model.theta + step, X, y)
    g_minus = _gradient_at(model, model.theta - step, X, y)
    return (g_plus - g_minus) * (norm / (2.0 * eps))


def top_eigenvalue(
    model: MLP,
    X: np.ndarray,
    y: np.ndarray,
    *,
    iterations: int = 200,
    tolerance: float = 1e-5,
    seed: int = 0,
) -> tuple[float, np.ndarray]:
    """El autovalor dominante de H (el de mayor módulo) y su autovector unitario.

    Iteración de la potencia desde un vector aleatorio (semilla `seed`); para cuando el
    cociente de Rayleigh cambia menos de `tolerance` en términos relativos. En las redes
    del curso el dominante es positivo: es λ_max, y 2/λ_max la tasa a partir de la que el
    descenso de gradiente completo se vuelve inestable en ese punto.
    """
    iterations = check_int("iterations", iterations, 1)
    rng = np.random.default_rng(check_seed("seed", seed))
    v = rng.standard_normal(model.n_params)
    v /= np.linalg.norm(v)
    value = 0.0
    for _ in range(iterations):
        hv = hessian_vector_product(model, X, y, v)
        new_value = float(np.dot(v, hv))  # cociente de Rayleigh (‖v‖ = 1)
        norm = float(np.linalg.norm(hv))
        if norm == 0.0:
            return 0.0, v
        v = hv / norm
        if abs(new_value - value) <= tolerance * abs(new_value):
            return new_value, v
        value = new_value
    return value, v
