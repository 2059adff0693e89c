"""El ruido del gradiente de mini-batch: varianza frente a B y escala de ruido B_simple.

Con pesos fijos θ, el gradiente de un batch de B muestras elegidas al azar es un
estimador insesgado del gradiente completo G, con varianza (traza)

    E‖g_B − G‖² = tr(Σ) / B · (N − B) / (N − 1),

donde Σ es la covarianza de los gradientes por muestra y el último factor es la
corrección por muestrear sin reemplazo. La escala de ruido simple de McCandlish et al.
(2018), ``B_simple = tr(Σ) / ‖G‖²``, es el tamaño de batch a partir del cual el ruido
deja de dominar al gradiente.

Lo mismo se ve entrenando (McCandlish et al.): los pasos hasta una pérdida objetivo
siguen ``S(B) = S_min · (1 + B_ruido / B)`` (:func:`steps_to_target`,
:func:`fit_steps_model`). Notebook 04, secciones 4 y 5.

El notebook 03 mira la dirección, no la varianza: el coseno entre el gradiente de un
batch y el completo (:func:`gradient_cosines`).

Columnas (claves de máquina): ``B``, ``batches``, ``measured_variance``,
``predicted_variance``; ``grad_sq_norm`` (‖G‖²), ``trace_sigma`` (tr(Σ)), ``b_simple``;
``epoch``, ``loss``; ``lr``, ``reached``, ``updates``, ``epochs``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..mlp import MLP
from ..training import train

__all__ = [
    "gradient",
    "gradient_cosines",
    "gradient_noise_stats",
    "minibatch_variance",
    "noise_during_training",
    "random_subset_variance",
    "slope_replicates",
]


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
        g = gradient(model, X[i : i + 1], y[i : i + 1])
        total += g
        sq += float(np.dot(g, g))
    G = total / len(X)
    g2 = float(np.dot(G, G))
    trace = sq / len(X) - g2
    return {"grad_sq_norm": g2, "trace_sigma": trace, "b_simple": trace / g2}


def _epoch_batches(perm: np.ndarray, B: int) -> list[np.ndarray]:
    """⌈N/B⌉ batches de B filas que cubren todas: el último se completa con el principio."""
    k = -(-len(perm) // B)
    ext = np.concatenate([perm, perm[: k * B - len(perm)]])
    return [ext[j * B : (j + 1) * B] for j in range(k)]


def minibatch_variance(
    model: MLP,
    X: np.ndarray,
    y: np.ndarray,
    batch_sizes: Sequence[int],
    permutations: int | None = None,
    seed: int = 0,
    min_batches: int = 64,
) -> pd.DataFrame:
    """Varianza medida E‖g_B − G‖² para cada B, con la predicción ``tr(Σ)/B·(N−B)/(N−1)``.

    Cada estimación promedia los batches de varios barajados de todas las filas: cada
    barajado se parte en ⌈N/B⌉ batches de B filas y el último, si queda incompleto, se
    completa con las primeras filas del mismo barajado. Así **cada fila participa** en
    cada barajado y cada batch sigue siendo un subconjunto uniforme de B filas (la media es
    insesgada). Con colas pesadas importa: unos pocos batches al azar casi nunca verían las
    filas extremas que dominan tr(Σ). Con ``permutations=None`` se usan los barajados
    necesarios para promediar al menos `min_batches` batches (y al menos 2). La columna
    ``per_permutation`` guarda la media de cada barajado (para un intervalo bootstrap).
    """
    rng = np.random.default_rng(seed)
    n = len(X)
    G = gradient(model, X, y)
    trace = gradient_noise_stats(model, X, y)["trace_sigma"]
    rows = []
    for B in batch_sizes:
        per_epoch = -(-n // B)
        perms = permutations or max(2, -(-min_batches // per_epoch))
        means = []
        for _ in range(perms):
            batch_values = []
            for idx in _epoch_batches(rng.permutation(n), B):
                d = gradient(model, X[idx], y[idx]) - G
                batch_values.append(float(np.dot(d, d)))
            means.append(float(np.mean(batch_values)))
        rows.append(
            {
                "B": B,
                "batches": perms * per_epoch,
                "measured_variance": float(np.mean(means)),
                "predicted_variance": trace / B * (n - B) / (n - 1),
                "per_permutation": means,
            }
        )
    return pd.DataFrame(rows)


def random_subset_variance(
    model: MLP,
    X: np.ndarray,
    y: np.ndarray,
    batch_sizes: Sequence[int],
    draws: int = 200,
    seed: int = 0,
) -> pd.DataFrame:
    """‖g_B − G‖² de `draws` batches **independientes** al azar por B (lo que muestrea SGD).

    Una fila por batch: columnas ``B``, ``draw``, ``sq_error``. Su media estima la misma
    varianza que :func:`minibatch_variance`; su mediana dice cuánto ruido tiene un batch
    *típico* (con colas pesadas, mucho menos que la media).
    """
    rng = np.random.default_rng(seed)
    n = len(X)
    G = gradient(model, X, y)
    rows = []
    for B in batch_sizes:
        for k in range(draws):
            idx = rng.choice(n, size=B, replace=False)
            d = gradient(model, X[idx], y[idx]) - G
            rows.append({"B": B, "draw": k, "sq_error": float(np.dot(d, d))})
    return pd.DataFrame(rows)


def slope_replicates(
    table: pd.DataFrame, n: int, max_batch: int, n_boot: int = 1000, seed: int = 0
) -> tuple[float, np.ndarray]:
    """Pendiente log-log de la varianza exacta (sin la corrección (N−B)/(N−1)) y sus réplicas.

    Usa los B de 2 a `max_batch` (B = 1 coincide con la predicción **por construcción**:
    cada fila es su propio batch). Las réplicas remuestrean los barajados de cada B.
    """
    rows = table[(table["B"] >= 2) & (table["B"] <= max_batch)]
    if len(rows) < 2:
        return math.nan, np.array([])
    B = rows["B"].to_numpy(float)
    corr = (n - B) / (n - 1)
    per = [np.asarray(p, float) for p in rows["per_permutation"]]
    point = float(np.polyfit(np.log(B), np.log([p.mean() for p in per] / corr), 1)[0])
    rng = np.random.default_rng(seed)
    reps = np.empty(n_boot)
    for i in range(n_boot):
        v = [p[rng.integers(0, len(p), len(p))].mean() for p in per]
        reps[i] = np.polyfit(np.log(B), np.log(v / corr), 1)[0]
    return point, reps


def noise_during_training(
    model: MLP,
    X: np.ndarray,
    y: np.ndarray,
    *,
    batch_size: int,
    learning_rate: float,
    epochs: Sequence[int],
    seed: int,
) -> pd.DataFrame:
    """B_simple en varios momentos de un entrenamiento (épocas acumuladas en `epochs`).

    Entrena `model` en sitio por tramos y mide en cada parada con todas las muestras.
    """
    rows, done = [], 0
    for k, target in enumerate(sorted(epochs)):
        if target > done:
            train(
                model,
                X,
                y,
                batch_size=batch_size,
                learning_rate=learning_rate,
                epochs=target - done,
                seed=seed + k,
            )
            done = target
        rows.append({"epoch": done, "loss": model.loss(X, y), **gradient_noise_stats(model, X, y)})
    return pd.DataFrame(rows)


def gradient_cosines(
    model: MLP, X: np.ndarray, y: np.ndarray, batch_size: int, n_batches: int = 1000, seed: int = 0
) -> np.ndarray:
    """Coseno entre el gradiente de `n_batches` batches al azar (sin reemplazo dentro de
    cada uno) y el gradiente completo, con los pesos de `model` fijos."""
    m = model.copy()
    m.loss_and_gradient(X, y)
    full = m.grad.copy()
    rng = np.random.default_rng(seed)
    out = np.empty(n_batches)
    for k in range(n_batches):
        idx = rng.choice(len(X), batch_size, replace=False)
        m.loss_and_gradient(X[idx], y[idx])
        out[k] = m.grad @ full / (np.linalg.norm(m.grad) * np.linalg.norm(full))
    return out
