"""Notebook 04: las medidas de sus conclusiones (tamaño del batch × tasa de aprendizaje).

Cada función recibe tablas, réplicas o números ya calculados (claves de máquina: ``B``,
``opt``, ``regime``, ``lambda_max``…) y devuelve la conclusión medida (o la lista de ellas)
de una entrada del registro :data:`batchlab.claims.nb04_specs.SPECS`; el notebook solo las
añade a ``conclusiones``. Las del presupuesto de generalización, los optimizadores, Smith et
al., el blog y los consejos están en :mod:`batchlab.claims.nb04_budget`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import replace

import numpy as np
import pandas as pd

from .engine import Claim, Rule, fit_of, median_of, rate_of
from .nb04_specs import SPECS

__all__ = [
    "b_simple_claim",
    "frontier_claim",
    "initial_bound_claim",
    "linear_pair",
    "linear_rule_claim",
    "noise_claims",
    "rate_noise_claim",
    "step_scale_claims",
    "typical_batch_claim",
]


def frontier_claim(
    Bs: Sequence[int], stable: pd.Series, stable_replicates: np.ndarray, col: Mapping, n: int
) -> Claim:
    """La máxima tasa estable crece con B (rejilla gruesa, réplicas de los barajados).

    `stable` es la tasa estable por B; `stable_replicates`, sus réplicas (una columna por B,
    en el orden de `col`).
    """
    b_lo, b_hi = Bs[0], min(Bs[1:], key=lambda b: abs(math.log(b / 512)))
    ratio = stable_replicates[:, col[b_hi]] / stable_replicates[:, col[b_lo]]
    spec = SPECS["04.rejilla.frontera"]
    return fit_of(spec, stable[b_hi] / stable[b_lo], ratio, n=n, b_lo=b_lo, b_hi=b_hi)


def linear_pair(Bs: Sequence[int]) -> tuple[int, int]:
    """Los dos B de la regla lineal: el menor y el más cercano a 128 (en escala log)."""
    return Bs[0], min(Bs[1:], key=lambda b: abs(math.log(b / 128)))


def linear_rule_claim(
    opt: pd.Series, rep_opt: np.ndarray, col: Mapping, b_a: int, b_b: int, n: int
) -> Claim:
    """La regla lineal: pendiente log-log de ε_opt entre `b_a` y `b_b` (con sus réplicas)."""
    slope = (
        math.log(opt[b_b] / opt[b_a]) / math.log(b_b / b_a)
        if np.isfinite(opt[[b_a, b_b]]).all()
        else math.nan
    )
    reps = np.log(rep_opt[:, col[b_b]] / rep_opt[:, col[b_a]]) / math.log(b_b / b_a)
    return fit_of(SPECS["04.escalado.lineal"], slope, reps, n=n, b_a=b_a, b_b=b_b)


def rate_noise_claim(b_noise_rate: float, replicates: np.ndarray, n: int) -> Claim:
    """La tasa óptima se satura pronto: B_ruido del ajuste de ε_opt por debajo de 128."""
    return fit_of(SPECS["04.escalado.b_ruido_tasa"], b_noise_rate, replicates, n=n)


def step_scale_claims(
    Bs: Sequence[int],
    b_noise_steps: float,
    replicates: np.ndarray,
    bs_vals: np.ndarray,
    n: int,
    edges: Sequence[int] = (),
) -> list[Claim]:
    """B_ruido de los pasos frente a 4·B mínimo y, si hay datos, B_simple frente a B_ruido.

    `bs_vals` son los B_simple de las ejecuciones que llegan al objetivo; `edges`, los B cuya
    tasa elegida es un extremo de sus candidatas: con alguno, los pasos de ese B son un límite
    de la búsqueda y B_ruido queda sin veredicto.
    """
    spec = replace(SPECS["04.escala.b_ruido_pasos"], rule=Rule(4 * Bs[0], "mayor"))
    motivo = (
        f"la tasa elegida con B = {', '.join(map(str, edges))} es un extremo de las candidatas: "
        "los pasos de esos B son un límite de la búsqueda, no una medida"
        if len(edges)
        else ""
    )
    found = [fit_of(spec, b_noise_steps, replicates, n=n, motivo=motivo, b4=4 * Bs[0], b_min=Bs[0])]
    ratios = (
        np.log10(bs_vals / b_noise_steps)
        if len(bs_vals) and np.isfinite(b_noise_steps) and b_noise_steps > 0
        else []
    )
    if len(ratios):
        found.append(b_simple_claim(ratios))
    return found


def b_simple_claim(ratios: Sequence[float]) -> Claim:
    """B_simple en el objetivo sobrestima B_ruido: mediana de log10(B_simple/B_ruido) > 0."""
    return median_of(SPECS["04.escala.b_simple_sobrestima"], ratios)


def noise_claims(
    slope: float, slope_replicates: np.ndarray, n_batches: int, typical: Sequence[float]
) -> list[Claim]:
    """La ley 1/B de la varianza (pendiente y réplicas) y, si hay datos, el batch típico.

    `typical` es log10(mediana / media) del error de batches al azar, uno por B.
    """
    spec = SPECS["04.ruido.ley_1_B"]
    found = [fit_of(spec, abs(slope + 1), np.abs(slope_replicates + 1), n=n_batches, slope=slope)]
    if typical:
        found.append(typical_batch_claim(typical))
    return found


def typical_batch_claim(typical: Sequence[float]) -> Claim:
    """El batch típico tiene menos ruido que la media: log10(mediana/media) < 0."""
    return median_of(SPECS["04.ruido.lote_tipico"], typical)


def initial_bound_claim(lr_above: float, k: int, n: int, epochs: int) -> Claim:
    """El batch completo no diverge con una tasa sobre 2/λ_max inicial: `k` de `n` inicios."""
    spec = SPECS["04.curvatura.sobre_cota_inicial"]
    return rate_of(spec, k, n, lr=lr_above, epochs=epochs)
