"""Estadística del curso: intervalos bootstrap y de Wilson, réplicas de ajustes.

La base común de los experimentos y de las conclusiones (:mod:`batchlab.claims`): no entrena
ni dibuja nada. Un valor NaN o infinito (una ejecución divergida) cuenta como «peor que
cualquier otro» (:func:`as_values`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np

from ._checks import check_int

__all__ = [
    "as_values",
    "bootstrap_interval",
    "fit_interval",
    "median_difference",
    "wilson_interval",
]


def as_values(values: Sequence[float]) -> np.ndarray:
    """Vector de floats con NaN → +inf (una ejecución sin resultado cuenta como la peor)."""
    x = np.asarray(values, dtype=np.float64).ravel()
    return np.where(np.isnan(x), np.inf, x)


def bootstrap_interval(
    values: Sequence[float],
    statistic: Callable[..., np.ndarray] = np.median,
    *,
    level: float = 0.95,
    n_resamples: int = 4000,
    seed: int = 0,
) -> tuple[float, float]:
    """Intervalo bootstrap de percentiles de `statistic` (misma semilla ⇒ mismo intervalo).

    Los valores infinitos (ejecuciones divergidas, con pérdida ``inf``) cuentan como
    «peor que cualquier otro»: la mediana los admite mientras sean menos de la mitad.
    """
    x = as_values(values)
    if x.size == 0:
        raise ValueError("bootstrap_interval necesita al menos un valor")
    rng = np.random.default_rng(seed)
    resamples = x[rng.integers(0, x.size, size=(n_resamples, x.size))]
    stats = statistic(resamples, axis=1)
    alpha = (1.0 - level) / 2.0
    # «lower»/«higher» eligen valores observados: sin interpolar entre un número e inf.
    low = np.quantile(stats, alpha, method="lower")
    high = np.quantile(stats, 1.0 - alpha, method="higher")
    return float(low), float(high)


def wilson_interval(k: int, n: int, level: float = 0.95) -> tuple[float, float]:
    """Intervalo de Wilson para una proporción k/n (bien definido también con k = 0 o k = n)."""
    if n <= 0 or not 0 <= k <= n:
        raise ValueError(f"Se necesita 0 ≤ k ≤ n y n ≥ 1; se recibió k={k}, n={n}")
    z = _normal_quantile(0.5 + level / 2.0)
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    low = 0.0 if k == 0 else max(0.0, centre - half)  # exactos en los extremos
    high = 1.0 if k == n else min(1.0, centre + half)
    return low, high


def fit_interval(replicates: np.ndarray, level: float = 0.95) -> tuple[float, float]:
    """Intervalo de percentiles de unas réplicas bootstrap (ignora las NaN)."""
    r = np.asarray(replicates, float)
    r = r[np.isfinite(r)]
    if r.size == 0:
        return math.nan, math.nan
    a = (1 - level) / 2
    return float(np.quantile(r, a)), float(np.quantile(r, 1 - a))


def _normal_quantile(p: float) -> float:
    """Cuantil de la normal estándar (bisección sobre erf; sin SciPy)."""
    lo, hi = -10.0, 10.0
    for _ in range(100):
        mid = (lo + hi) / 2
        if 0.5 * (1 + math.erf(mid / math.sqrt(2))) < p:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def median_difference(
    a: Sequence[float], b: Sequence[float], n_rep: int = 2000, seed: int = 0
) -> tuple[float, np.ndarray]:
    """median(b) − median(a) sobre los valores finitos, y `n_rep` réplicas bootstrap.

    Cada grupo se remuestrea con reemplazo por separado (ejecuciones independientes). Con
    menos de dos valores finitos en un grupo devuelve ``(nan, array vacío)``.
    """
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    a, b = a[np.isfinite(a)], b[np.isfinite(b)]
    if len(a) < 2 or len(b) < 2:
        return math.nan, np.array([])
    rng = np.random.default_rng(seed)
    ia = rng.integers(0, len(a), size=(check_int("n_rep", n_rep, 1), len(a)))
    ib = rng.integers(0, len(b), size=(n_rep, len(b)))
    reps = np.median(b[ib], axis=1) - np.median(a[ia], axis=1)
    return float(np.median(b) - np.median(a)), reps
