"""De unas ejecuciones a una conclusión: el intervalo sale de sus réplicas, con su diseño.

Atajos sobre :func:`batchlab.claims.spec.measure` para los dos casos del curso:

* :func:`from_replicates` — una magnitud con sus réplicas bootstrap (p. ej. las de
  :func:`batchlab.stats.hierarchical_bootstrap`): el intervalo de percentiles al nivel de la
  regla y el diseño contado en las claves (división, inicialización, barajado);
* :func:`proportion` — «k de n» ejecuciones que cumplen algo (p. ej. divergen): el intervalo es
  el menor que contiene al de Wilson (el azar de n ejecuciones) y al del bootstrap jerárquico
  (la variación entre divisiones e inicializaciones), así que nunca es más estrecho que ninguno.
"""

from __future__ import annotations

import numpy as np

from ..stats import (
    design_counts,
    hierarchical_bootstrap,
    hull,
    percentile_interval,
    wilson_interval,
)
from .spec import Claim, Spec, measure

__all__ = ["from_replicates", "proportion"]


def from_replicates(
    spec: Spec,
    estimate: float,
    replicates: np.ndarray,
    keys: np.ndarray,
    *,
    n: int | None = None,
    motivo: str = "",
    **fmt,
) -> Claim:
    """La conclusión de `spec` para `estimate` con el intervalo de sus `replicates`.

    `keys` son las claves (división, inicialización, barajado) de las ejecuciones que la
    sostienen: dan el diseño y, si no se da `n`, el número de ejecuciones.
    """
    keys = np.asarray(keys)
    interval = percentile_interval(replicates, spec.rule.level)
    n = len(keys) if n is None else n
    return measure(spec, estimate, interval, n=n, design=design_counts(keys), motivo=motivo, **fmt)


def proportion(
    spec: Spec,
    hits: np.ndarray,
    keys: np.ndarray,
    *,
    n_boot: int = 1000,
    seed: int = 0,
    motivo: str = "",
    **fmt,
) -> Claim:
    """«k de n»: la proporción de ejecuciones con ``hits`` verdadero, con su intervalo.

    Las plantillas de `spec` pueden usar además ``{k}`` (y ``{n}``).
    """
    hits = np.asarray(hits, bool)
    keys = np.asarray(keys)
    k, n = int(hits.sum()), len(hits)
    if n == 0:
        return measure(spec, np.nan, (np.nan, np.nan), n=0, design=design_counts(keys),
                       motivo=motivo or "no hay ejecuciones", k=0, **fmt)  # fmt: skip
    _, reps = hierarchical_bootstrap(
        {"x": (keys, hits.astype(float))}, lambda g: float(np.mean(g["x"])), n_boot=n_boot,
        seed=seed,
    )  # fmt: skip
    level = spec.rule.level
    interval = hull(wilson_interval(k, n, level), percentile_interval(reps, level))
    return measure(spec, k / n, interval, n=n, design=design_counts(keys), motivo=motivo, k=k,
                   **fmt)  # fmt: skip
