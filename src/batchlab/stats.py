"""Estadística del curso: intervalos bootstrap (también jerárquicos), de Wilson y de ajustes.

La base común de los experimentos y de las conclusiones (:mod:`batchlab.claims`): no entrena
ni dibuja nada. Un valor NaN o infinito (una ejecución divergida, o una que no llegó a su
objetivo) cuenta como «peor que cualquier otro» (:func:`as_values`): nunca se descarta.

Las ejecuciones del curso varían en tres niveles anidados: la **división** de los datos, la
**inicialización** de los pesos dentro de cada división y el **barajado** dentro de cada
inicialización. :func:`hierarchical_bootstrap` remuestrea en ese orden (divisiones, después
inicializaciones dentro de cada división, después barajados), así que su intervalo incluye la
variación entre divisiones e inicializaciones, no solo la del barajado.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np

from ._checks import check_int

__all__ = [
    "LEVELS",
    "as_values",
    "bootstrap_interval",
    "design_counts",
    "fit_interval",
    "hierarchical_bootstrap",
    "hull",
    "median_difference",
    "median_inf",
    "percentile_interval",
    "wilson_interval",
]

#: Los niveles de una réplica, del exterior al interior (columnas de las tablas de ejecuciones).
LEVELS = ("split", "init", "seed")


def as_values(values: Sequence[float]) -> np.ndarray:
    """Vector de floats con NaN → +inf (una ejecución sin resultado cuenta como la peor)."""
    x = np.asarray(values, dtype=np.float64).ravel()
    return np.where(np.isnan(x), np.inf, x)


def median_inf(values: Sequence[float]) -> float:
    """La mediana contando lo no finito como peor que todo (inf si es la mitad o más);
    NaN sin valores."""
    x = as_values(values)
    return float(np.median(x)) if x.size else math.nan


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


# -- el bootstrap jerárquico ------------------------------------------------------------
def _clusters(keys: np.ndarray) -> dict:
    """``{división: {inicialización: [filas]}}`` de unas claves (n, 3)."""
    tree: dict = {}
    for row, (split, init, _) in enumerate(keys):
        tree.setdefault(split, {}).setdefault(init, []).append(row)
    return {s: {i: np.array(r) for i, r in inits.items()} for s, inits in tree.items()}


def _draw(trees: dict[str, dict], rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Una réplica: las mismas divisiones e inicializaciones para todos los grupos (emparejadas)
    y, dentro de cada par, los barajados de cada grupo remuestreados por separado."""
    splits = sorted(set().union(*(t.keys() for t in trees.values())))
    chosen = [splits[i] for i in rng.integers(0, len(splits), len(splits))]
    picks: dict[str, list] = {g: [] for g in trees}
    for split in chosen:
        inits = sorted(set().union(*(t.get(split, {}).keys() for t in trees.values())))
        for init in (inits[i] for i in rng.integers(0, len(inits), len(inits))):
            for g, tree in trees.items():
                rows = tree.get(split, {}).get(init)
                if rows is not None:
                    picks[g].append(rows[rng.integers(0, len(rows), len(rows))])
    return {g: np.concatenate(p) if p else np.array([], int) for g, p in picks.items()}


def hierarchical_bootstrap(
    groups: dict[str, tuple[np.ndarray, np.ndarray]],
    statistic: Callable[[dict[str, np.ndarray]], float],
    *,
    n_boot: int = 1000,
    seed: int = 0,
) -> tuple[float, np.ndarray]:
    """`statistic` de unos grupos de ejecuciones y sus réplicas bootstrap jerárquicas.

    ``groups = {nombre: (claves, valores)}``: las claves de cada ejecución (un array (n, 3) de
    división, inicialización y barajado, :data:`LEVELS`) y su valor. ``statistic`` recibe
    ``{nombre: valores}`` y devuelve un número (p. ej. el cociente de dos medianas). Cada
    réplica remuestrea con reemplazo las divisiones, después las inicializaciones de cada
    división y después los barajados de cada inicialización; los grupos comparten las
    divisiones y las inicializaciones de cada réplica (las comparaciones van emparejadas, como
    las ejecuciones: mismos datos y mismos pesos iniciales). Devuelve ``(valor con todos los
    datos, réplicas)``; misma semilla ⇒ mismas réplicas.
    """
    data = {g: (np.asarray(k), as_values(v)) for g, (k, v) in groups.items()}
    trees = {g: _clusters(k) for g, (k, _) in data.items()}
    rng = np.random.default_rng(seed)
    reps = np.empty(check_int("n_boot", n_boot, 1))
    with np.errstate(all="ignore"):
        estimate = float(statistic({g: v for g, (_, v) in data.items()}))
        for b in range(n_boot):
            rows = _draw(trees, rng)
            reps[b] = statistic({g: data[g][1][r] for g, r in rows.items()})
    return estimate, reps


def percentile_interval(replicates: np.ndarray, level: float = 0.95) -> tuple[float, float]:
    """Intervalo de percentiles de unas réplicas; ±inf cuentan (un cociente con una mediana
    infinita), las NaN no. ``(nan, nan)`` sin réplicas utilizables."""
    r = np.asarray(replicates, float)
    r = r[~np.isnan(r)]
    if r.size == 0:
        return math.nan, math.nan
    a = (1 - level) / 2
    return (
        float(np.quantile(r, a, method="lower")),
        float(np.quantile(r, 1 - a, method="higher")),
    )


def hull(*intervals: tuple[float, float]) -> tuple[float, float]:
    """El menor intervalo que contiene a todos (para no quedarse con el más estrecho)."""
    finite = [iv for iv in intervals if not any(math.isnan(x) for x in iv)]
    if not finite:
        return math.nan, math.nan
    return min(lo for lo, _ in finite), max(hi for _, hi in finite)


def design_counts(keys: np.ndarray) -> dict[str, int]:
    """Cuántas divisiones, inicializaciones por división y barajados por inicialización hay
    (el mínimo en cada nivel: lo que una conclusión puede decir que tiene siempre)."""
    tree = _clusters(np.asarray(keys))
    if not tree:
        return {"n_divisiones": 0, "n_inicializaciones": 0, "n_barajados": 0}
    return {
        "n_divisiones": len(tree),
        "n_inicializaciones": min(len(inits) for inits in tree.values()),
        "n_barajados": min(len(rows) for inits in tree.values() for rows in inits.values()),
    }
