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

__all__ = ["batch_sharpness", "hessian_vector_product", "sharpness_along_gd", "top_eigenvalue"]


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


def _power_iteration(matvec, v, iterations, tolerance):
    """Iteración de la potencia sobre `matvec` desde `v`: (autovalor dominante, vector)."""
    value = 0.0
    for _ in range(iterations):
        hv = matvec(v)
        new_value = float(np.dot(v, hv))  # cociente de Rayleigh (‖v‖ = 1)
        norm = float(np.linalg.norm(hv))
        if norm == 0.0:
            return 0.0, v
        v = hv / norm
        if abs(new_value - value) <= tolerance * abs(new_value):
            return new_value, v
        value = new_value
    return value, v


def top_eigenvalue(
    model: MLP,
    X: np.ndarray,
    y: np.ndarray,
    *,
    iterations: int = 200,
    tolerance: float = 1e-5,
    seed: int = 0,
    v0: np.ndarray | None = None,
) -> tuple[float, np.ndarray]:
    """λ_max: el mayor autovalor (algebraico) de H y su autovector unitario.

    Iteración de la potencia desde `v0` (p. ej. el autovector del punto anterior de una
    trayectoria: converge en pocas iteraciones) o desde un vector aleatorio (semilla
    `seed`); para cuando el cociente de Rayleigh cambia menos de `tolerance` en términos
    relativos. La iteración encuentra el autovalor de mayor **módulo**; si es negativo
    (pasa tras una «catapulta»), se repite sobre H + σI con σ = su módulo, cuyo dominante
    es λ_max + σ. 2/λ_max es la tasa a partir de la que el descenso de gradiente completo
    se vuelve inestable en ese punto.
    """
    iterations = check_int("iterations", iterations, 1)
    if v0 is None:
        rng = np.random.default_rng(check_seed("seed", seed))
        v = rng.standard_normal(model.n_params)
    else:
        v = np.asarray(v0, dtype=np.float64).copy()
    v /= np.linalg.norm(v)

    def hvp(u):
        return hessian_vector_product(model, X, y, u)

    value, v = _power_iteration(hvp, v, iterations, tolerance)
    if value >= 0.0:
        return value, v
    sigma = abs(value)
    shifted, v = _power_iteration(lambda u: hvp(u) + sigma * u, v, iterations, tolerance)
    return shifted - sigma, v


def sharpness_along_gd(
    model: MLP,
    X: np.ndarray,
    y: np.ndarray,
    *,
    learning_rate: float,
    steps: list[int],
    seed: int = 0,
    iterations: int = 40,
) -> list[dict]:
    """λ_max a lo largo del descenso de gradiente **completo** (entrena `model` en sitio).

    En cada paso de `steps` (ordenados, empezando por 0 si se quiere el inicial) mide la
    pérdida y λ_max, con la iteración (como mucho `iterations` productos) arrancada en el
    autovector del punto anterior.
    Devuelve filas ``step``, ``loss``, ``lambda_max``; para si la pérdida deja de ser finita.
    """
    rows, t, v = [], 0, None
    with np.errstate(over="ignore", invalid="ignore"):
        for target in sorted(steps):
            while t < target:
                model.train_step(X, y, learning_rate)
                t += 1
            loss = model.loss(X, y)
            if not np.isfinite(loss):
                break
            lam, v = top_eigenvalue(
                model, X, y, tolerance=1e-4, seed=seed, v0=v, iterations=iterations
            )
            rows.append({"step": t, "loss": loss, "lambda_max": lam})
    return rows


def batch_sharpness(
    model: MLP, X: np.ndarray, y: np.ndarray, row: int, batch_sizes: list[int], seed: int = 0
) -> list[dict]:
    """λ_max de la pérdida de **un batch** de B filas al azar, con y sin la fila `row` dentro.

    Filas ``B``, ``with_row`` (el batch incluye `row`) y ``without_row`` (el mismo batch
    con otra fila en su lugar).
    """
    rng = np.random.default_rng(seed)
    others = np.setdiff1d(np.arange(len(X)), [row])
    out = []
    for B in batch_sizes:
        idx = rng.choice(others, size=B, replace=False)
        with_row = np.r_[row, idx[1:]]
        lam_with, _ = top_eigenvalue(model, X[with_row], y[with_row], tolerance=1e-4, seed=seed)
        lam_without, _ = top_eigenvalue(model, X[idx], y[idx], tolerance=1e-4, seed=seed)
        out.append({"B": B, "with_row": lam_with, "without_row": lam_without})
    return out
