"""Notebook 04, sección 7: la generalización a igual pérdida y a igual presupuesto.

* la **brecha a igual pérdida** de entrenamiento, resumida por B (:func:`gap_summary`) y los
  dos B que se comparan (:func:`gap_pair`, :func:`validation_note`);
* **mismas épocas o mismas actualizaciones** (Hoffer et al.): qué B terminan su presupuesto
  (:func:`compared_pair`), las diferencias de prueba y de brecha entre el menor y el mayor
  (:func:`regime_differences`, :func:`differences_lines`) y la tabla (:func:`longer_table`).

Claves de máquina: ``B``, ``lr``, ``gap``, ``train``, ``test``, ``regime``, ``updates``,
``diverged``, ``lambda_max``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from .. import stats
from ..labels import spanish


def tuned_rates(pasos: pd.DataFrame) -> dict[int, float]:
    """``{B: tasa}`` de la tabla de pasos, solo los B con tasa finita."""
    return {int(B): float(r.lr) for B, r in pasos.iterrows() if np.isfinite(r.lr)}


def gap_summary(brechas: pd.DataFrame) -> pd.DataFrame:
    """Por B: la tasa, cuántas ejecuciones llegan y las medianas de ajuste, prueba y brecha."""
    return brechas.groupby("B").agg(
        lr=("lr", "first"),
        llegan=("gap", lambda s: int(np.isfinite(s).sum())),
        train=("train", "median"),
        test=("test", "median"),
        gap=("gap", "median"),
    )


def gap_table(resumen_gen: pd.DataFrame):
    """El resumen de :func:`gap_summary` con cabeceras en español (o el aviso si está vacío)."""
    return spanish(
        resumen_gen.round(4),
        {"llegan": "llegan al objetivo", "gap": "brecha (mediana)"},
        empty="Ningún B tiene una tasa ajustada (sección 3): no hay brechas que medir.",
    )


def gap_pair(resumen_gen: pd.DataFrame, Bs: Sequence[int]) -> tuple[int, int]:
    """El menor y el mayor B con al menos dos ejecuciones en el objetivo (o los extremos)."""
    llegan = resumen_gen[resumen_gen["llegan"] >= 2].index
    return (int(llegan.min()), int(llegan.max())) if len(llegan) >= 2 else (Bs[0], Bs[-1])


def gap_difference(brechas: pd.DataFrame, b_g0: int, b_g1: int) -> tuple[float, np.ndarray]:
    """brecha(B=`b_g1`) − brecha(B=`b_g0`) de las medianas, con sus réplicas bootstrap."""
    return stats.median_difference(
        brechas.loc[brechas.B == b_g0, "gap"], brechas.loc[brechas.B == b_g1, "gap"]
    )


def validation_note(med_val: pd.Series, b_g0: int, b_g1: int, dif: float, epochs: int) -> str:
    """La mediana de validación en el óptimo de los dos B, para comparar ("" si falta)."""
    if not (b_g0 in med_val.index and b_g1 in med_val.index and np.isfinite(dif)):
        return ""
    return (
        f"Para comparar: a {epochs} épocas, la mediana de validación en el óptimo es "
        f"{med_val[b_g0]:.4f} con B={b_g0} y {med_val[b_g1]:.4f} con B={b_g1} "
        f"(diferencia {med_val[b_g1] - med_val[b_g0]:+.4f})."
    )


def compared_pair(
    largo: pd.DataFrame, Bs: Sequence[int], max_epochs: int
) -> tuple[int, int, list[str]]:
    """El menor y el mayor B que terminan sin divergir con todo su presupuesto, y los avisos.

    Un B que llega al tope de `max_epochs` épocas sin las actualizaciones del más largo no
    entra en la comparación.
    """
    plan = largo[largo.regime == "updates"].groupby("B")["updates"].max()
    u_obj = plan.max() if len(plan) else 0
    cortos = [B for B, u in plan.items() if u < u_obj]
    lines = [
        f"B={B} llega al tope de {max_epochs} épocas con {plan[B]:.0f} de {u_obj:.0f} "
        "actualizaciones: no entra en la comparación."
        for B in cortos
    ]
    fin = largo[~largo["diverged"] & ~largo["B"].isin(cortos)].groupby("B")["regime"].nunique()
    fin = [int(B) for B, k in fin.items() if k == 2]
    h0, h1 = (fin[0], fin[-1]) if len(fin) >= 2 else (Bs[0], Bs[-1])
    if len(fin) >= 2:
        lines.append(
            f"Se comparan B={h0} y B={h1}: el menor y el mayor que terminan con todo su "
            "presupuesto."
        )
    else:
        lines.append("No hay dos B que terminen su presupuesto sin divergir: no hay comparación.")
    return h0, h1, lines


def regime_differences(largo: pd.DataFrame, regimes: Sequence[str], h0: int, h1: int) -> dict:
    """``{(régimen, "test" | "gap"): (diferencia B=h1 − B=h0, réplicas)}`` de las medianas."""
    dif_reg = {}
    for r in regimes:
        d = largo[largo.regime == r]
        for col_ in ("test", "gap"):
            dif_reg[(r, col_)] = stats.median_difference(
                d.loc[d.B == h0, col_], d.loc[d.B == h1, col_]
            )
    return dif_reg


def differences_lines(
    dif_reg: Mapping, regimenes: Mapping[str, str], h0: int, h1: int
) -> list[str]:
    """Una línea por diferencia finita, con su IC de percentiles."""
    lines = []
    for (r, col_), (v, reps) in dif_reg.items():
        lo_, hi_ = stats.fit_interval(reps) if len(reps) else (math.nan, math.nan)
        que = "MSE de prueba" if col_ == "test" else "brecha"
        if np.isfinite(v):
            lines.append(
                f"{regimenes[r]}: {que}(B={h1}) − {que}(B={h0}) = {v:+.4f} "
                f"[IC {lo_:+.4f}, {hi_:+.4f}]"
            )
    return lines


def longer_table(largo: pd.DataFrame, regimenes: Mapping[str, str]):
    """Por régimen y B: tasa, épocas, actualizaciones, divergidas y medianas (en español)."""
    resumen_largo = largo.groupby(["regime", "B"]).agg(
        lr=("lr", "first"),
        épocas=("epochs", "first"),
        actualizaciones=("updates", "median"),
        divergen=("diverged", "sum"),
        prueba=("test", "median"),
        brecha=("gap", "median"),
        lambda_max=("lambda_max", "median"),
    )
    return spanish(
        resumen_largo.rename(index=regimenes, level=0).round(4),
        {
            "divergen": "divergidas",
            "prueba": "MSE prueba (mediana)",
            "brecha": "brecha (mediana)",
            "lambda_max": "λ_max al final (mediana)",
        },
        empty="Ningún B tiene una tasa ajustada (sección 3): no hay entrenamientos largos.",
    )
