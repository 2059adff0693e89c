"""El ruido del gradiente de mini-batch: varianza frente a B y escala de ruido B_simple.

Con pesos fijos θ, el gradiente de un batch de B muestras elegidas al azar es un
estimador insesgado del gradiente completo G, con varianza (traza)

    E‖g_B − G‖² = tr(Σ) / B · (N − B) / (N − 1),

donde Σ es la covarianza de los gradientes por muestra y el último factor es la
corrección por muestrear sin reemplazo. La escala de ruido simple de McCandlish et al.
(2018), ``B_simple = tr(Σ) / ‖G‖²``, es el tamaño de batch a partir del cual el ruido
deja de dominar al gradiente.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .mlp import MLP
from .training import train

__all__ = ["gradient", "gradient_noise_stats", "minibatch_variance", "noise_during_training"]


def gradient(model: MLP, X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Gradiente del MSE medio sobre ``(X, y)`` respecto a θ (una copia)."""
    model.forward(X)
    model.backward(y)
    return model.grad.copy()


def gradient_noise_stats(model: MLP, X: np.ndarray, y: np.ndarray) -> dict[str, float]:
    """‖G‖², tr(Σ) y B_simple con los gradientes de **cada** muestra (exactos, sin muestreo).

    Recorre las filas de una en una acumulando Σ g_i y Σ ‖g_i‖²; así no guarda una
    matriz N × n_parámetros.
    """
    total = np.zeros_like(model.theta)
    sq = 0.0
    for i in range(len(X)):
        g = gradient(model, X[i:i + 1], y[i:i + 1])
        total += g
        sq += float(np.dot(g, g))
    G = total / len(X)
    g2 = float(np.dot(G, G))
    trace = sq / len(X) - g2
    return {"|G|²": g2, "tr(Σ)": trace, "B_simple": trace / g2}


def minibatch_variance(
    model: MLP, X: np.ndarray, y: np.ndarray, batch_sizes: Sequence[int],
    permutations: int = 2, seed: int = 0,
) -> pd.DataFrame:
    """Varianza medida E‖g_B − G‖² para cada B, con la predicción ``tr(Σ)/B·(N−B)/(N−1)``.

    Cada estimación promedia los batches **disjuntos** de `permutations` barajados de
    todas las filas (una época de batches por barajado, sin el último incompleto). Cada
    batch es un subconjunto uniforme de B filas, así que la media es insesgada, y cada
    fila participa: con colas pesadas, unos pocos batches al azar casi nunca verían las
    filas extremas que dominan tr(Σ) y subestimarían la varianza.
    """
    rng = np.random.default_rng(seed)
    n = len(X)
    G = gradient(model, X, y)
    trace = gradient_noise_stats(model, X, y)["tr(Σ)"]
    rows = []
    for B in batch_sizes:
        total, count = 0.0, 0
        for _ in range(permutations):
            perm = rng.permutation(n)
            for start in range(0, n - B + 1, B):
                d = gradient(model, X[perm[start:start + B]], y[perm[start:start + B]]) - G
                total += float(np.dot(d, d))
                count += 1
        rows.append({"B": B, "batches": count, "varianza medida": total / count,
                     "predicción tr(Σ)/B": trace / B * (n - B) / (n - 1)})
    return pd.DataFrame(rows)


def noise_during_training(
    model: MLP, X: np.ndarray, y: np.ndarray, *, batch_size: int, learning_rate: float,
    epochs: Sequence[int], seed: int,
) -> pd.DataFrame:
    """B_simple en varios momentos de un entrenamiento (épocas acumuladas en `epochs`).

    Entrena `model` en sitio por tramos y mide en cada parada con todas las muestras.
    """
    rows, done = [], 0
    for k, target in enumerate(sorted(epochs)):
        if target > done:
            train(model, X, y, batch_size=batch_size, learning_rate=learning_rate,
                  epochs=target - done, seed=seed + k)
            done = target
        rows.append({"época": done, "pérdida": model.loss(X, y),
                     **gradient_noise_stats(model, X, y)})
    return pd.DataFrame(rows)
