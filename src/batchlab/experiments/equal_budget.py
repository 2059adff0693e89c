"""Notebook 04, sección 7: la generalización a igual pérdida y a igual presupuesto.

* la **brecha a igual pérdida** de entrenamiento, resumida por B (:func:`gap_summary`) y los
  dos B que se comparan (:func:`gap_pair`, :func:`validation_note`);
* **mismas épocas o mismas actualizaciones** (Hoffer et al.): qué B terminan su presupuesto
  (:func:`compared_pair`), las diferencias de prueba y de brecha entre el menor y el mayor
  (:func:`regime_differences`, :func:`differences_lines`) y la tabla (:func:`longer_table`).

Claves de máquina: ``B``, ``lr``, ``gap``, ``train``, ``test``, ``regime``, ``updates``,
``diverged``, ``lambda_max``, ``reached``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from .. import stats
from ..labels import spanish

__all__ = [
    "compared_pair",
    "differences_lines",
    "gap_pair",
    "gap_summary",
    "gap_table",
    "longer_table",
    "regime_differences",
    "tuned_rates",
    "validation_note",
]


def tuned_rates(steps: pd.DataFrame) -> dict[int, float]:
    """``{B: tasa}`` de la tabla de pasos, solo los B con tasa finita."""
    return {int(B): float(r.lr) for B, r in steps.iterrows() if np.isfinite(r.lr)}


def gap_summary(gaps: pd.DataFrame) -> pd.DataFrame:
    """Por B: la tasa, cuántas ejecuciones llegan (``reached``) y las medianas de ajuste,
    prueba y brecha."""
    return gaps.groupby("B").agg(
        lr=("lr", "first"),
        reached=("gap", lambda s: int(np.isfinite(s).sum())),
        train=("train", "median"),
        test=("test", "median"),
        gap=("gap", "median"),
    )


def gap_table(summary: pd.DataFrame):
    """El resumen de :func:`gap_summary` con cabeceras en español (o el aviso si está vacío)."""
    return spanish(
        summary.round(4),
        {"reached": "llegan al objetivo", "gap": "brecha (mediana)"},
        empty="Ningún B tiene una tasa ajustada (sección 3): no hay brechas que medir.",
    )


def gap_pair(summary: pd.DataFrame, Bs: Sequence[int]) -> tuple[int, int]:
    """El menor y el mayor B con al menos dos ejecuciones en el objetivo (o los extremos)."""
    reached = summary[summary["reached"] >= 2].index
    return (int(reached.min()), int(reached.max())) if len(reached) >= 2 else (Bs[0], Bs[-1])


def validation_note(med_val: pd.Series, b_g0: int, b_g1: int, diff: float, epochs: int) -> str:
    """La mediana de validación en el óptimo de los dos B, para comparar ("" si falta)."""
    if not (b_g0 in med_val.index and b_g1 in med_val.index and np.isfinite(diff)):
        return ""
    return (
        f"Para comparar: a {epochs} épocas, la mediana de validación en el óptimo es "
        f"{med_val[b_g0]:.4f} con B={b_g0} y {med_val[b_g1]:.4f} con B={b_g1} "
        f"(diferencia {med_val[b_g1] - med_val[b_g0]:+.4f})."
    )


def compared_pair(
    longer: pd.DataFrame, Bs: Sequence[int], max_epochs: int
) -> tuple[int, int, list[str]]:
    """El menor y el mayor B que terminan sin divergir con todo su presupuesto, y los avisos.

    Un B que llega al tope de `max_epochs` épocas sin las actualizaciones del más largo no
    entra en la comparación.
    """
    plan = longer[longer.regime == "updates"].groupby("B")["updates"].max()
    u_obj = plan.max() if len(plan) else 0
    short = [B for B, u in plan.items() if u < u_obj]
    lines = [
        f"B={B} llega al tope de {max_epochs} épocas con {plan[B]:.0f} de {u_obj:.0f} "
        "actualizaciones: no entra en la comparación."
        for B in short
    ]
    kept = longer[~longer["diverged"] & ~longer["B"].isin(short)]
    finished = [int(B) for B, k in kept.groupby("B")["regime"].nunique().items() if k == 2]
    h0, h1 = (finished[0], finished[-1]) if len(finished) >= 2 else (Bs[0], Bs[-1])
    if len(finished) >= 2:
        lines.append(
            f"Se comparan B={h0} y B={h1}: el menor y el mayor que terminan con todo su "
            "presupuesto."
        )
    else:
        lines.append("No hay dos B que terminen su presupuesto sin divergir: no hay comparación.")
    return h0, h1, lines


def regime_differences(longer: pd.DataFrame, regimes: Sequence[str], h0: int, h1: int) -> dict:
    """``{(régimen, "test" | "gap"): (diferencia B=h1 − B=h0, réplicas)}`` de las medianas."""
    differences = {}
    for r in regimes:
        d = longer[longer.regime == r]
        for column in ("test", "gap"):
            differences[(r, column)] = stats.median_difference(
                d.loc[d.B == h0, column], d.loc[d.B == h1, column]
            )
    return differences


def differences_lines(
    differences: Mapping, regime_names: Mapping[str, str], h0: int, h1: int
) -> list[str]:
    """Una línea por diferencia finita, con su IC de percentiles (`regime_names`: para mostrar)."""
    lines = []
    for (r, column), (v, reps) in differences.items():
        lo_, hi_ = stats.fit_interval(reps) if len(reps) else (math.nan, math.nan)
        quantity = "MSE de prueba" if column == "test" else "brecha"
        if np.isfinite(v):
            lines.append(
                f"{regime_names[r]}: {quantity}(B={h1}) − {quantity}(B={h0}) = {v:+.4f} "
                f"[IC {lo_:+.4f}, {hi_:+.4f}]"
            )
    return lines


def longer_table(longer: pd.DataFrame, regime_names: Mapping[str, str]):
    """Por régimen y B: tasa, épocas, actualizaciones, divergidas y medianas (en español)."""
    summary = longer.groupby(["regime", "B"]).agg(
        lr=("lr", "first"),
        epochs=("epochs", "first"),
        updates=("updates", "median"),
        diverged=("diverged", "sum"),
        test=("test", "median"),
        gap=("gap", "median"),
        lambda_max=("lambda_max", "median"),
    )
    return spanish(
        summary.rename(index=regime_names, level=0).round(4),
        {
            "epochs": "épocas",
            "updates": "actualizaciones",
            "diverged": "divergidas",
            "test": "MSE prueba (mediana)",
            "gap": "brecha (mediana)",
            "lambda_max": "λ_max al final (mediana)",
        },
        empty="Ningún B tiene una tasa ajustada (sección 3): no hay entrenamientos largos.",
    )
