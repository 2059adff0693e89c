"""Notebook 04, secciones 1–2: la rejilla B × tasa, su lectura y el ajuste de ε_opt(B).

* los **parámetros** del notebook (:data:`MINIMUM`, :data:`MIN_LENGTH`) y sus tamaños de
  batch (:func:`batch_sizes_for`, 0 es N);
* la **rejilla refinada** (:func:`refined_grid`): la gruesa y, alrededor del óptimo de cada B,
  cuartos de década; las avisos de sus banderas (:func:`flag_warnings`);
* la **curvatura en el óptimo** (:func:`curvature_table`, :func:`curvature_report`);
* el **ajuste** ε_opt(B) = ε_max/(1 + B_ruido/B) con los B que dan bastantes
  actualizaciones (:func:`fit_batches`, :func:`fit_rates`, :func:`rate_fit_report`).

Claves de máquina: ``B``, ``lr``, ``opt``, ``stable``, ``flags``, ``lambda_max``,
``final_bound``, ``sharpness_ratio``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from .. import stats
from ..features import PIPELINES
from . import scaling
from .grid import Task

__all__ = [
    "CURVATURE_HEADERS",
    "MINIMUM",
    "MIN_LENGTH",
    "OPTIMA_HEADERS",
    "batch_sizes_for",
    "check_features",
    "curvature_report",
    "curvature_table",
    "excluded_note",
    "finite_optima",
    "fit_batches",
    "fit_rates",
    "flag_warnings",
    "flags_note",
    "rate_fit_report",
    "refined_grid",
    "stability_lines",
]

#: Mínimo de cada parámetro numérico del notebook 04 (``bl.check_parameters``).
MINIMUM = {
    "batch_sizes": 0,
    "epochs": 1,
    "n_jobs": 1,
    "n_boot": 20,
    "fit_min_updates": 1,
    "target_max_epochs": 1,
    "steps_max_batch": 0,
    "steps_max_updates": 1,
    "noise_batches": 1,
    "noise_draws": 5,
    "noise_epochs": 0,
    "curvature_steps": 0,
    "gen_loss": 0.001,
    "gen_epochs": 1,
    "gen_max_epochs": 1,
    "gen_splits": 1,
    "gen_inits": 1,
    "gen_shuffles": 1,
    "blog_epochs": 1,
    "timing_seconds": 0.001,
    "timing_repeats": 1,
    "animation_updates": 1,
}
#: Longitud mínima de los parámetros que son listas.
MIN_LENGTH = {"batch_sizes": 3, "sweep_seeds": 3, "steps_seeds": 2, "blog_seeds": 2}
#: Cabeceras en español de la tabla de óptimos (:func:`scaling.optimal_rates`).
OPTIMA_HEADERS = {
    "opt": "tasa óptima",
    "stable": "máxima estable",
    "flags": "banderas",
    "median": "mediana en el óptimo",
    "runs": "ejecuciones",
}
#: Cabeceras en español de la tabla de curvatura (:func:`curvature_table`).
CURVATURE_HEADERS = {
    "opt": "tasa óptima",
    "lambda_max": "λ_max al final (mediana)",
    "final_bound": "2/λ_max al final",
    "sharpness_ratio": "η_opt·λ_max/2",
}
_FLAG_WARNINGS = {
    "todas divergen": "todas las tasas divergen con algún barajado: amplía `lr_grid` hacia abajo.",
    "borde inferior": "la mejor tasa está en el borde inferior de la rejilla: amplía `lr_grid`.",
    "borde superior": "la mejor tasa está en el borde superior de la rejilla: amplía `lr_grid`.",
    "en la frontera": "el óptimo está en la frontera (la tasa siguiente diverge alguna vez).",
}


def check_features(features: str) -> None:
    """Rechaza una preparación de variables desconocida, nombrando las que hay."""
    if features not in PIPELINES:
        raise ValueError(f"features debe ser uno de {PIPELINES}; se recibió {features!r}")


def batch_sizes_for(batch_sizes: Sequence[int], n: int) -> list[int]:
    """Los tamaños distintos, con 0 cambiado por `n` y recortados a `n` (al menos 3)."""
    sizes = sorted({n if b == 0 else min(b, n) for b in batch_sizes})
    if len(sizes) < 3:
        raise ValueError(
            f"batch_sizes da {len(sizes)} tamaños distintos tras cambiar 0 por N={n} y recortar "
            'a N: el ajuste de ε_opt(B) necesita al menos 3 (p. ej. -y "batch_sizes: [8, 128, 0]").'
        )
    return sizes


def refined_grid(
    task: Task, batch_sizes: Sequence[int], grid_lrs: Sequence[float], **kw
) -> pd.DataFrame:
    """La rejilla gruesa y, para cada B con óptimo, los cuartos de década que le faltan.

    `kw` pasa a :func:`scaling.grid_runs` (``epochs``, ``seeds``, ``n_jobs``).
    """
    coarse = scaling.grid_runs(*task, {B: grid_lrs for B in batch_sizes}, **kw)
    opt0 = scaling.optimal_rates(coarse)
    fine = {
        B: [lr for lr in scaling.quarter_decades(o) if lr not in grid_lrs]
        for B, o in opt0["opt"].items()
        if np.isfinite(o)
    }
    return pd.concat([coarse, scaling.grid_runs(*task, fine, **kw)], ignore_index=True)


def finite_optima(optima: pd.DataFrame) -> dict:
    """``{B: tasa óptima}`` de los B que tienen una tasa sin divergencias."""
    return {B: o for B, o in optima["opt"].items() if np.isfinite(o)}


def stability_lines(lam0: float, lam_fin: pd.Series) -> dict:
    """Las líneas 2/λ_max (inicial y final en el óptimo de cada B) de las figuras."""
    return {
        "2/λ_max inicial": 2 / lam0,
        "2/λ_max al final, en el óptimo de cada B": {B: 2 / v for B, v in lam_fin.items() if v > 0},
    }


def flag_warnings(optima: pd.DataFrame) -> list[str]:
    """Un aviso por B cuya tasa óptima lleva una bandera (la más grave primero)."""
    lines = []
    for B, row in optima.iterrows():
        for flag, text in _FLAG_WARNINGS.items():
            if flag in row["flags"]:
                lines.append(f"B={B}: {text}")
                break
    return lines


def curvature_table(optima: pd.DataFrame, lam_fin: pd.Series) -> pd.DataFrame:
    """Por B: ``opt``, ``lambda_max`` final (mediana), ``final_bound`` (2/λ_max) y
    ``sharpness_ratio`` (η_opt·λ_max/2); cabeceras para mostrar en :data:`CURVATURE_HEADERS`."""
    table = pd.DataFrame(
        {
            "opt": optima.loc[lam_fin.index, "opt"],
            "lambda_max": lam_fin,
            "final_bound": 2 / lam_fin.where(lam_fin > 0),
        }
    )
    table["sharpness_ratio"] = table["opt"] * table["lambda_max"] / 2
    return table


def curvature_report(table: pd.DataFrame, lam0: float, final_runs: pd.DataFrame) -> str:
    """Cuántos B superan 2/λ_max inicial y dónde queda η_opt·λ_max/2 al final.

    `final_runs` son las ejecuciones en el óptimo (columna ``diverged``).
    """
    if not len(table):
        return "Ningún B tiene tasa óptima: no hay λ_max final que medir."
    k0 = int((table["opt"] > 2 / lam0).sum())
    r = table["sharpness_ratio"]
    n_b = len(table)
    text = (
        f"La tasa óptima supera 2/λ_max inicial ({2 / lam0:.3g}) en {k0} de {n_b} B. "
        f"Al final, η_opt·λ_max/2 va de {r.min():.2f} a {r.max():.2f}: por debajo de 0.9 "
        f"(paso estable allí) en {int((r < 0.9).sum())} de {n_b} B, entre 0.9 y 1.1 (en el "
        f"borde de la estabilidad) en {int(r.between(0.9, 1.1).sum())} y por encima de 1.1 "
        f"en {int((r > 1.1).sum())}."
    )
    n_div = int(final_runs["diverged"].sum())
    if n_div:
        text += f"\n{n_div} ejecuciones en el óptimo divergieron: no tienen λ_max final."
    return text


def fit_batches(index: Sequence[int], n: int, epochs: int, min_updates: int) -> list[int]:
    """Los B que dan al menos `min_updates` actualizaciones en `epochs` épocas."""
    return [B for B in index if epochs * -(-n // B) >= min_updates]


def excluded_note(index: Sequence[int], n: int, epochs: int, min_updates: int) -> str:
    """El aviso de los B que quedan fuera del ajuste ("" si no queda ninguno)."""
    inside = fit_batches(index, n, epochs, min_updates)
    outside = [B for B in index if B not in inside]
    if not outside:
        return ""
    return (
        f"Fuera del ajuste (menos de {min_updates} actualizaciones en {epochs} épocas): "
        + ", ".join(f"B={B} ({epochs * -(-n // B)})" for B in outside)
        + "."
    )


def fit_rates(
    optima: pd.DataFrame, rep_opt: np.ndarray, col: Mapping, b_fit: Sequence[int]
) -> tuple[tuple[float, float], np.ndarray]:
    """El ajuste ``(ε_max, B_ruido)`` de los óptimos de `b_fit` y el de cada réplica."""
    fit = scaling.fit_optimal_rate(b_fit, list(optima.loc[b_fit, "opt"]))
    replicates = np.array(
        [scaling.fit_optimal_rate(b_fit, row[[col[B] for B in b_fit]]) for row in rep_opt]
    )
    return fit, replicates


def rate_fit_report(fit, replicates: np.ndarray, n_boot: int, b_valid: Sequence) -> str:
    """El ajuste con su IC y, si B_ruido es interior, hasta dónde valdría la regla lineal.

    `b_valid` son los B con tasa sin divergencias; la regla lineal se aplica desde el menor.
    """
    eps_max, b_noise = fit
    lo_b, hi_b = stats.fit_interval(replicates[:, 1])
    lines = [
        f"Ajuste: ε_max = {eps_max:.3g}, B_ruido = {b_noise:.3g} [IC 95 % {lo_b:.3g}, "
        f"{hi_b:.3g}] ({np.isfinite(replicates[:, 1]).sum()} réplicas válidas de {n_boot})."
    ]
    if np.isfinite(b_noise) and not 0.011 < b_noise < 0.99e7:
        lines.append(
            "Ojo: B_ruido está en un extremo de la búsqueda (0.01 o 1e7): los B de la rejilla no "
            "lo identifican (la curva ajustada es plana, o crece como B, en todo su rango)."
        )
    elif np.isfinite(b_noise):
        b0 = float(b_valid[0])
        # la regla lineal (desde b0) queda a menos de ×1.78 (un cuarto de década) del ajuste
        # mientras (B + B_ruido)/(b0 + B_ruido) ≤ 1.78
        b_linear = [1.78 * b0 + 0.78 * b for b in (b_noise, lo_b, hi_b)]
        lines.append(
            f"Si la curva ajustada fuera la verdadera, la regla lineal desde B={b0:.0f} valdría "
            f"(a menos de un cuarto de década) hasta B ≈ {b_linear[0]:.0f} y por encima de "
            f"B ≈ {4 * b_noise:.0f} la tasa óptima apenas crecería (pendiente local < 0.2). "
            f"Con el IC de B_ruido, esos B van de {b_linear[1]:.0f} a {b_linear[2]:.0f} y de "
            f"{4 * lo_b:.0f} a {4 * hi_b:.0f}: compáralos con los óptimos medidos de la tabla."
        )
    return "\n".join(lines)


def flags_note(optima: pd.DataFrame, pair: Sequence[int]) -> str:
    """El aviso de las banderas de los óptimos de los B de `pair` que las llevan ("" si ninguno)."""
    flagged = {B: f for B, f in optima.loc[list(pair), "flags"].items() if f}
    if not flagged:
        return ""
    which = " y ".join(f"B={B} ({f})" for B, f in flagged.items())
    if len(flagged) == 1:
        return f"Ojo: el óptimo de {which} lleva bandera."
    return f"Ojo: los óptimos de {which} llevan banderas."
