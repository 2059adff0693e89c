"""Notebook 04: el registro de sus conclusiones (tamaño del batch × tasa de aprendizaje).

Cada función recibe tablas, réplicas o números ya calculados (claves de máquina: ``B``,
``opt``, ``regime``, ``lambda_max``…) y devuelve la conclusión medida (o la lista de ellas) con
el motor de :mod:`batchlab.claims.engine`; el notebook solo las añade a ``conclusiones``. Las
del presupuesto de generalización, los optimizadores, Smith et al., el blog y los consejos
están en :mod:`batchlab.claims.nb04_budget`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from .engine import Claim, Rule, fit_claim, median_claim, rate_claim

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
    return fit_claim(
        "04.rejilla.frontera",
        f"La máxima tasa estable crece con B entre B={b_lo} y B={b_hi}",
        stable[b_hi] / stable[b_lo],
        stable_replicates[:, col[b_hi]] / stable_replicates[:, col[b_lo]],
        medida=f"ε_estable({b_hi}) / ε_estable({b_lo}) en la rejilla gruesa (réplicas: "
        "barajados remuestreados)",
        rule=Rule(1.0, "mayor"),
        n=n,
        frases={
            "se cumple": f"La frontera de divergencia sube con B: "
            f"ε_estable({b_hi})/ε_estable({b_lo}) "
            "= {valor:.2f} [IC {ic_bajo:.2f}, {ic_alto:.2f}].",
            "no se cumple": "La frontera no sube con B en estos datos ({valor:.2f} [{ic_bajo:.2f}, "
            "{ic_alto:.2f}]).",
            "no concluyente": "Con {n} ejecuciones por celda no se distingue si la frontera "
            "sube con "
            "B ({valor:.2f} [{ic_bajo:.2f}, {ic_alto:.2f}]).",
        },
    )


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
    return fit_claim(
        "04.escalado.lineal",
        f"La regla lineal (tasa ∝ B) se cumple entre B={b_a} y B={b_b}",
        slope,
        np.log(rep_opt[:, col[b_b]] / rep_opt[:, col[b_a]]) / math.log(b_b / b_a),
        medida=f"pendiente log-log de ε_opt entre B={b_a} y B={b_b}",
        rule=Rule(0.8, "mayor"),
        n=n,
        frases={
            "se cumple": "Entre esos B la tasa óptima crece casi en proporción: pendiente "
            "{valor:.2f} [IC {ic_bajo:.2f}, {ic_alto:.2f}].",
            "no se cumple": "La tasa óptima crece mucho menos que B: pendiente {valor:.2f} "
            "[IC {ic_bajo:.2f}, {ic_alto:.2f}] (la regla lineal pide 1).",
            "no concluyente": "La pendiente de la tasa óptima no queda fijada: {valor:.2f} "
            "[IC {ic_bajo:.2f}, {ic_alto:.2f}].",
        },
    )


def rate_noise_claim(b_noise_rate: float, replicates: np.ndarray, n: int) -> Claim:
    """La tasa óptima se satura pronto: B_ruido del ajuste de ε_opt por debajo de 128."""
    return fit_claim(
        "04.escalado.b_ruido_tasa",
        "La tasa óptima deja de crecer con B a partir de un B_ruido pequeño (< 128)",
        b_noise_rate,
        replicates,
        medida="B_ruido del ajuste ε_max/(1 + B_ruido/B) (bootstrap sobre barajados)",
        rule=Rule(128, "menor"),
        n=n,
        frases={
            "se cumple": "La mejor tasa se satura pronto: B_ruido = {valor:.3g} [IC {ic_bajo:.3g}, "
            "{ic_alto:.3g}]; por encima apenas crece con B.",
            "no se cumple": "La mejor tasa sigue creciendo con B hasta B_ruido = {valor:.3g} "
            "[IC {ic_bajo:.3g}, {ic_alto:.3g}].",
            "no concluyente": "El ajuste no fija B_ruido: {valor:.3g} con IC [{ic_bajo:.3g}, "
            "{ic_alto:.3g}]; harían falta B más pequeños o más ejecuciones.",
        },
    )


def step_scale_claims(
    Bs: Sequence[int], b_noise_steps: float, replicates: np.ndarray, bs_vals: np.ndarray, n: int
) -> list[Claim]:
    """B_ruido de los pasos frente a 4·B mínimo y, si hay datos, B_simple frente a B_ruido.

    `bs_vals` son los B_simple de las ejecuciones que llegan al objetivo.
    """
    found = [
        fit_claim(
            "04.escala.b_ruido_pasos",
            f"Multiplicar B por 4 desde B={Bs[0]} divide casi por 4 los pasos hasta el objetivo "
            f"(B_ruido de los pasos > {4 * Bs[0]})",
            b_noise_steps,
            replicates,
            medida="B_ruido del ajuste S_min(1 + B_ruido/B) (bootstrap sobre barajados)",
            rule=Rule(4 * Bs[0], "mayor"),
            n=n,
            frases={
                "se cumple": "Los pasos escalan casi perfectamente al principio: B_ruido = "
                "{valor:.3g} [IC {ic_bajo:.3g}, {ic_alto:.3g}].",
                "no se cumple": "Los pasos dejan de bajar enseguida: B_ruido = {valor:.3g} "
                "[IC {ic_bajo:.3g}, {ic_alto:.3g}].",
                "no concluyente": "Los pasos no fijan B_ruido: {valor:.3g} [IC {ic_bajo:.3g}, "
                "{ic_alto:.3g}].",
            },
        )
    ]
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
    return median_claim(
        "04.escala.b_simple_sobrestima",
        "B_simple en el objetivo es mayor que el B_ruido de los pasos",
        ratios,
        medida="log10(B_simple en el objetivo / B_ruido de los pasos), por ejecución",
        rule=Rule(0.0, "mayor"),
        frases={
            "se cumple": "En el objetivo, B_simple sobrestima la escala crítica: mediana de "
            "log10(B_simple/B_ruido) = {valor:.2f} [IC {ic_bajo:.2f}, {ic_alto:.2f}], n = {n}.",
            "no se cumple": "B_simple queda por debajo de B_ruido (log10 = {valor:.2f} "
            "[{ic_bajo:.2f}, {ic_alto:.2f}]).",
            "no concluyente": "B_simple y B_ruido no se distinguen (log10 = {valor:.2f} "
            "[{ic_bajo:.2f}, {ic_alto:.2f}]).",
        },
    )


def noise_claims(
    slope: float, slope_replicates: np.ndarray, n_batches: int, typical: Sequence[float]
) -> list[Claim]:
    """La ley 1/B de la varianza (pendiente y réplicas) y, si hay datos, el batch típico.

    `typical` es log10(mediana / media) del error de batches al azar, uno por B.
    """
    found = [
        fit_claim(
            "04.ruido.ley_1_B",
            "La varianza del gradiente de un batch cae como 1/B (pendiente entre −1.1 y −0.9)",
            abs(slope + 1),
            np.abs(slope_replicates + 1),
            medida="|pendiente + 1| de log varianza exacta frente a log B (2 ≤ B ≤ N/16)",
            rule=Rule(0.1, "menor"),
            n=n_batches,
            frases={
                "se cumple": f"La ley 1/B se cumple: pendiente {slope:.3f} (|pendiente + 1| = "
                "{valor:.3f} [IC {ic_bajo:.3f}, {ic_alto:.3f}]).",
                "no se cumple": f"La varianza no cae como 1/B: pendiente {slope:.3f} "
                f"(|pendiente + 1| = {{valor:.3f}} [IC {{ic_bajo:.3f}}, {{ic_alto:.3f}}]).",
                "no concluyente": f"Pendiente {slope:.3f}: con estos barajados no se decide si "
                f"es −1 (|pendiente + 1| = {{valor:.3f}} [IC {{ic_bajo:.3f}}, {{ic_alto:.3f}}]).",
            },
        )
    ]
    if typical:
        found.append(typical_batch_claim(typical))
    return found


def typical_batch_claim(typical: Sequence[float]) -> Claim:
    """El batch típico tiene menos ruido que la media: log10(mediana/media) < 0."""
    return median_claim(
        "04.ruido.lote_tipico",
        "El batch típico tiene mucho menos ruido que la media tr(Σ)/B",
        typical,
        medida="log10(mediana / media) de ‖g_B − G‖² en batches al azar, por B (2 ≤ B ≤ 256)",
        rule=Rule(0.0, "menor"),
        frases={
            "se cumple": "La media la dominan unos pocos batches: log10(mediana/media) = "
            "{valor:.2f} [IC {ic_bajo:.2f}, {ic_alto:.2f}] sobre {n} tamaños.",
            "no se cumple": "El batch típico es tan ruidoso como la media ({valor:.2f} "
            "[{ic_bajo:.2f}, {ic_alto:.2f}]).",
            "no concluyente": "Mediana y media no se distinguen ({valor:.2f} [{ic_bajo:.2f}, "
            "{ic_alto:.2f}]).",
        },
    )


def initial_bound_claim(lr_above: float, k: int, n: int, epochs: int) -> Claim:
    """El batch completo no diverge con una tasa sobre 2/λ_max inicial: `k` de `n` inicios."""
    return rate_claim(
        "04.curvatura.sobre_cota_inicial",
        "El batch completo entrena sin divergir con una tasa por encima de 2/λ_max inicial",
        k,
        n,
        medida=f"inicializaciones (model_seed + 1…) que, con B=N y lr = {lr_above:g} por "
        f"encima de su 2/λ_max inicial, no divergen en {epochs} épocas",
        rule=Rule(0.5, "mayor"),
        frases={
            "se cumple": f"Con lr = {lr_above:g}, por encima de 2/λ_max inicial, el batch completo "
            "no diverge en {k} de {n} inicializaciones: la curvatura inicial no es el límite.",
            "no se cumple": f"Con lr = {lr_above:g}, por encima de 2/λ_max inicial, el batch "
            "completo diverge ({k} de {n} sin divergir).",
            "no concluyente": f"Con lr = {lr_above:g} no se decide ({{k}} de {{n}} sin divergir).",
        },
    )
