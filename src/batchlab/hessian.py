"""La curvatura de la pérdida: el mayor autovalor λ_max de la hessiana (notebooks 04 y 05).

La tasa de aprendizaje está limitada por la curvatura: en un cuenco cuadrático con
curvatura λ, el descenso de gradiente con tasa η converge solo si η < 2/λ. Para una red,
λ_max de la hessiana H = ∇²L(θ) da esa escala local («sharpness»).

H tiene 2 689 × 2 689 entradas, pero no hace falta construirla: basta con productos
hessiana-vector H·v, que se calculan **exactos** derivando la retropropagación en la
dirección v (el «operador R» de Pearlmutter, 1994): una pasada hacia delante y otra hacia
atrás que llevan, junto a cada activación y cada δ, su derivada en la dirección v. La
derivada de la ReLU es 0 o 1 y no cambia dentro de cada trozo, así que el resultado es la
hessiana de cada trozo lineal de la red (la que existe en casi todo punto).

Por qué no diferencias finitas del gradiente, (∇L(θ + εv) − ∇L(θ − εv))/(2ε): con miles
de filas, a menudo alguna preactivación cruza el 0 de una ReLU entre θ − εv y
θ + εv, y su salto de gradiente dividido por 2ε mete un término enorme y no simétrico.

λ_max es el mayor autovalor **algebraico**, y la hessiana de una red no es definida positiva
(al final de los entrenamientos del notebook 04 tiene autovalores negativos pequeños). La
iteración de la potencia busca el de mayor **módulo** y converge despacio cuando los dos
mayores están cerca; Lanczos (``scipy.sparse.linalg.eigsh``, ARPACK) busca directamente el
mayor algebraico y aquí converge con 7-10 productos H·v.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from scipy.sparse.linalg import ArpackNoConvergence, LinearOperator, eigsh

from ._checks import check_int, check_seed
from .mlp import MLP

__all__ = ["hessian_vector_product", "sharpness_of", "top_eigenvalue"]


def _split(model: MLP, v: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """Trocea `v` (con la forma de θ) en (dW_i, db_i) por capa, como ``model.theta``."""
    out, offset = [], 0
    for W, b in zip(model.weights, model.biases, strict=True):
        dW = v[offset : offset + W.size].reshape(W.shape)
        offset += W.size
        out.append((dW, v[offset : offset + b.size]))
        offset += b.size
    return out


def hessian_vector_product(model: MLP, X: np.ndarray, y: np.ndarray, v: np.ndarray) -> np.ndarray:
    """H·v exacto en los pesos actuales de `model` (operador R; no modifica `model`).

    Hacia delante, junto a Z_i = A_{i−1} W_i + b_i va su derivada en la dirección v,
    R(Z_i) = R(A_{i−1}) W_i + A_{i−1} dW_i + db_i, y R(A_i) = ReLU'(Z_i) ⊙ R(Z_i). Hacia
    atrás, junto a δ_i va R(δ_i), y R(∇W_i) = R(A_{i−1})ᵀ δ_i + A_{i−1}ᵀ R(δ_i).
    """
    v = np.asarray(v, dtype=np.float64)
    layers = list(zip(model.weights, model.biases, _split(model, v), strict=True))
    last = len(layers) - 1
    acts, racts, masks = [X], [None], []
    a, ra = X, None
    for i, (W, b, (dW, db)) in enumerate(layers):
        z = a @ W + b
        rz = a @ dW + db
        if ra is not None:
            rz += ra @ W
        if i < last:
            mask = (z > 0).astype(np.float64)  # ReLU'(Z): multiplicar por float es más rápido
            masks.append(mask)
            z *= mask
            rz *= mask
        acts.append(z)
        racts.append(rz)
        a, ra = z, rz
    scale = 2.0 / y.size  # L = mean((ŷ − y)²)
    delta, rdelta = scale * (a - y), scale * ra
    out = []
    for i in reversed(range(len(layers))):
        W, _, (dW, _) = layers[i]
        r_grad_W = acts[i].T @ rdelta
        if racts[i] is not None:
            r_grad_W += racts[i].T @ delta
        out.append(rdelta.sum(axis=0))
        out.append(r_grad_W.ravel())
        if i > 0:
            delta, rdelta = delta @ W.T, rdelta @ W.T + delta @ dW.T
            delta *= masks[i - 1]
            rdelta *= masks[i - 1]
    return np.concatenate(out[::-1])


def top_eigenvalue(
    model: MLP,
    X: np.ndarray,
    y: np.ndarray,
    *,
    iterations: int = 1000,
    tolerance: float = 1e-6,
    seed: int = 0,
    v0: np.ndarray | None = None,
) -> tuple[float, np.ndarray]:
    """λ_max: el mayor autovalor (algebraico) de H y su autovector unitario.

    Lanczos (``eigsh(which="LA")``) sobre :func:`hessian_vector_product`, desde `v0` (p. ej.
    el autovector del punto anterior de una trayectoria) o desde un vector aleatorio
    (semilla `seed`: mismo punto y semilla, mismo resultado), con una base de Krylov de 6
    vectores (en esta red bastan 7-10 productos H·v); `tolerance` es la
    precisión relativa pedida e `iterations` el máximo de reinicios. Si no converge, devuelve
    ``(nan, v0)``. 2/λ_max es la tasa a partir de la que el descenso de gradiente completo
    se vuelve inestable en ese punto.
    """
    iterations = check_int("iterations", iterations, 1)
    n = model.n_params
    if v0 is None:
        v0 = np.random.default_rng(check_seed("seed", seed)).standard_normal(n)
    v0 = np.asarray(v0, dtype=np.float64)
    op = LinearOperator(
        (n, n), matvec=lambda u: hessian_vector_product(model, X, y, u.ravel()), dtype=np.float64
    )
    try:
        values, vectors = eigsh(
            op, k=1, which="LA", v0=v0, tol=tolerance, maxiter=iterations, ncv=min(6, n)
        )
    except ArpackNoConvergence:
        return float("nan"), v0 / np.linalg.norm(v0)
    return float(values[0]), vectors[:, 0]


def sharpness_of(
    models: Sequence[MLP],
    X: np.ndarray,
    y: np.ndarray,
    diverged: Sequence[bool],
    *,
    n_jobs: int = 1,
    tolerance: float = 1e-4,
) -> list[float]:
    """λ_max de cada modelo ya entrenado (NaN si su run divergió), repartidos en `n_jobs`
    procesos (joblib); el resultado no depende de `n_jobs`."""
    todo = [m for m, d in zip(models, diverged, strict=True) if not d]
    if check_int("n_jobs", n_jobs, 1) > 1 and len(todo) > 1:
        from joblib import Parallel, delayed

        values = Parallel(n_jobs=min(n_jobs, len(todo)))(
            delayed(_top_value)(m, X, y, tolerance) for m in todo
        )
    else:
        values = [_top_value(m, X, y, tolerance) for m in todo]
    it = iter(values)
    return [math.nan if d else next(it) for d in diverged]


def _top_value(model: MLP, X: np.ndarray, y: np.ndarray, tolerance: float) -> float:
    return top_eigenvalue(model, X, y, tolerance=tolerance)[0]
