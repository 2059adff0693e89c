"""Notebook 04, secciones 3–4 y 8: la escala crítica del batch medida de tres maneras.

* los **pasos hasta el objetivo**: las tasas candidatas de cada B (:func:`step_candidates`) y
  su tabla (:func:`steps_table`);
* **B_simple** al inicio y en el objetivo, sin reentrenar (:func:`b_simple_at_target`), junto
  a las otras dos estimaciones (:func:`scale_estimates`, :func:`scale_report`) y durante un
  entrenamiento (:func:`noise_along_training`);
* la **varianza** del gradiente de un batch (:func:`variance_table`,
  :func:`typical_ratios`, :func:`slope_report`);
* los pasos de **Nesterov y Adam** frente a SGD (:func:`optimizer_candidates`,
  :func:`optimizer_fits`, :func:`optimizer_report`).

Claves de máquina: ``B``, ``lr``, ``seed``, ``reached``, ``steps``, ``b_simple``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from .. import stats
from ..labels import spanish
from . import noise, scaling, targets

__all__ = [
    "ESTIMATE_LABELS",
    "STEPS_HEADERS",
    "b_simple_at_target",
    "b_simple_summary",
    "estimate_labels",
    "noise_along_training",
    "optimizer_candidates",
    "edge_batches",
    "optimizer_fits",
    "optimizer_report",
    "optimizer_table",
    "scale_estimates",
    "scale_report",
    "slope_report",
    "step_candidates",
    "steps_table",
    "typical_ratios",
    "variance_table",
]

#: Cabeceras en español de la tabla de pasos (:func:`targets.steps_by_batch`).
STEPS_HEADERS = {
    "lr": "tasa para llegar antes",
    "steps": "actualizaciones (mediana)",
    "samples": "muestras procesadas (mediana)",
    "reached": "llegan",
    "runs": "ejecuciones",
}
#: Nombre para mostrar de cada estimación de la escala crítica (:func:`scale_estimates`).
ESTIMATE_LABELS = {
    "rate_fit": "(a) ajuste de ε_opt",
    "steps": "(b) pasos hasta el objetivo",
    "b_simple": "(c) B_simple en el objetivo",
}
_NOISE_COLUMNS = ["epoch", "loss", "grad_sq_norm", "trace_sigma", "b_simple"]


def step_candidates(valid: pd.DataFrame, optima: pd.DataFrame, max_batch: int) -> dict:
    """Tres tasas por B (la estable y ¼ y ½ década por debajo); `max_batch` 0: todos los B."""
    batches = [
        B
        for B in valid.index
        if (B <= max_batch or max_batch == 0) and np.isfinite(valid.loc[B, "stable"])
    ]
    return {
        B: sorted({scaling.round_rate(optima.loc[B, "stable"] * 10**k) for k in (-0.5, -0.25, 0)})
        for B in batches
    }


def steps_table(steps: pd.DataFrame):
    """La tabla de pasos hasta el objetivo, con cabeceras en español (o el aviso si no hay)."""
    return spanish(
        steps,
        STEPS_HEADERS,
        empty="Ningún B tiene una tasa sin divergencias: no hay pasos hasta el objetivo que "
        "contar.",
    )


def b_simple_at_target(
    step_runs: pd.DataFrame, steps: pd.DataFrame, at_target: Mapping, X, y
) -> pd.DataFrame:
    """B_simple de los pesos al llegar al objetivo, en las ejecuciones de la tasa elegida.

    `at_target[(B, lr, seed)]` es el modelo de esa ejecución al alcanzar el objetivo.
    """
    chosen = step_runs[step_runs["reached"] & (step_runs["lr"] == step_runs["B"].map(steps["lr"]))]
    return pd.DataFrame(
        [
            {"B": r.B, "seed": r.seed}
            | noise.gradient_noise_stats(at_target[(r.B, r.lr, r.seed)], X, y)
            for r in chosen.itertuples()
        ],
        columns=["B", "seed", "grad_sq_norm", "trace_sigma", "b_simple"],
    )


def scale_estimates(by_rate: tuple, by_steps: tuple, bs_vals: np.ndarray) -> dict:
    """Las tres estimaciones ``(valor, bajo, alto)`` de la escala crítica.

    Claves ``rate_fit``, ``steps`` y ``b_simple``; sus nombres, en :data:`ESTIMATE_LABELS`.
    """
    return {
        "rate_fit": by_rate,
        "steps": by_steps,
        "b_simple": (
            float(np.median(bs_vals)) if len(bs_vals) else math.nan,
            float(bs_vals.min()) if len(bs_vals) else math.nan,
            float(bs_vals.max()) if len(bs_vals) else math.nan,
        ),
    }


def estimate_labels(estimates: Mapping) -> dict:
    """Las estimaciones de :func:`scale_estimates` con su nombre para mostrar como clave."""
    return {ESTIMATE_LABELS[k]: v for k, v in estimates.items()}


def scale_report(b_simple_0: float, estimates: Mapping) -> str:
    """B_simple inicial y cada estimación con su intervalo (o «sin datos»)."""
    lines = [f"B_simple con los pesos iniciales: {b_simple_0:.3g}."]
    for k, (v, lo, hi) in estimates.items():
        name = ESTIMATE_LABELS[k]
        kind = "rango de las ejecuciones" if k == "b_simple" else "IC 95 %"
        lines.append(
            f"{name}: {v:.3g} [{kind} {lo:.3g}, {hi:.3g}]"
            if np.isfinite(v)
            else f"{name}: sin datos."
        )
    return "\n".join(lines)


def b_simple_summary(b_simple_obj: pd.DataFrame) -> pd.DataFrame:
    """Mediana, mínimo, máximo y número de ejecuciones de B_simple en el objetivo, por B."""
    return (
        b_simple_obj.groupby("B")["b_simple"]
        .agg(["median", "min", "max", "count"])
        .pipe(spanish, {"count": "llegan"})
    )


def _shape(values: pd.Series) -> str:
    d = np.diff(values)
    if (d > 0).all():
        return "crece siempre"
    return "baja siempre" if (d < 0).all() else "no es monótono"


def noise_along_training(
    model, X, y, valid: pd.DataFrame, epochs: Sequence[int], seed: int
) -> tuple[pd.DataFrame, str]:
    """B_simple en las épocas `epochs` de un entrenamiento con el B válido más cercano a 32.

    Devuelve la tabla (filas finitas) y el texto que la presenta.
    """
    if not len(valid):
        text = "Ningún B tiene una tasa sin divergencias: no hay entrenamiento de referencia."
        return pd.DataFrame(columns=_NOISE_COLUMNS), text
    b_ref = min(valid.index, key=lambda b: abs(b - 32))
    lr_ref = float(valid.loc[b_ref, "opt"])
    with np.errstate(all="ignore"):  # si diverge, sus filas no finitas se descartan abajo
        table = noise.noise_during_training(
            model.copy(),
            X,
            y,
            batch_size=int(b_ref),
            learning_rate=lr_ref,
            epochs=epochs,
            seed=seed,
        )
    table = table[np.isfinite(table["b_simple"])]
    text = f"Entrenamiento con B={b_ref}, lr={lr_ref:g}:"
    if len(table) >= 2:
        peak = table.loc[table["b_simple"].idxmax(), "epoch"]
        text += (
            f"\nB_simple es máximo en la época {peak:g} y {_shape(table['b_simple'])} entre "
            "las épocas medidas."
        )
    return table, text


def variance_table(variance: pd.DataFrame, random_draws: pd.DataFrame) -> pd.DataFrame:
    """La varianza exacta por B con la media y la mediana del error de batches al azar."""
    table = variance.drop(columns="per_permutation").set_index("B")
    g = random_draws.groupby("B")["sq_error"]
    table["random_mean"], table["random_median"] = g.mean(), g.median()
    return table


def typical_ratios(random_draws: pd.DataFrame, batch_sizes: Sequence[int]) -> list[float]:
    """log10(mediana / media) del error de batches al azar, para 2 ≤ B ≤ 256."""
    g = random_draws.groupby("B")["sq_error"]
    small = [b for b in batch_sizes if 2 <= b <= 256]
    return [math.log10(g.median()[b] / g.mean()[b]) for b in small]


def slope_report(slope: float, replicates: np.ndarray) -> str:
    """La pendiente de log varianza frente a log B con su IC 95 % de percentiles."""
    return (
        f"Pendiente medida: {slope:.3f} [IC 95 % {np.quantile(replicates, 0.025):.3f}, "
        f"{np.quantile(replicates, 0.975):.3f}]."
    )


def optimizer_candidates(optima: pd.DataFrame, candidates: Mapping) -> dict:
    """Las tasas candidatas de Nesterov (la estable de SGD / 10, ±¼ década) y de Adam."""
    return {
        "nesterov": {
            B: [scaling.round_rate(optima.loc[B, "stable"] * 10**k / 10) for k in (-0.25, 0, 0.25)]
            for B in candidates
        },
        "adam": {B: [0.01, 0.03162, 0.1] for B in candidates},
    }


def edge_batches(opt_runs: Mapping, tables: Mapping) -> dict[str, list[int]]:
    """Por optimizador, los B cuya tasa elegida (``tables[k]["lr"]``) es la menor o la mayor de
    las que se probaron con ese B (las de ``opt_runs[k]``): allí el óptimo puede estar fuera."""
    out = {}
    for k, runs in opt_runs.items():
        tried = runs.groupby("B")["lr"].agg(["min", "max"])
        chosen = tables[k]["lr"].dropna()
        out[k] = [
            int(B)
            for B, lr in chosen.items()
            if B in tried.index and tried.loc[B, "min"] < tried.loc[B, "max"]
            and lr in (tried.loc[B, "min"], tried.loc[B, "max"])
        ]  # fmt: skip
    return out


def optimizer_fits(opt_runs: Mapping, n_boot: int, seed: int) -> tuple[dict, dict, dict]:
    """Por optimizador: la tabla de pasos, el ajuste ``(S_min, B_ruido)`` y sus réplicas."""
    tables = {k: targets.steps_by_batch(r) for k, r in opt_runs.items()}
    fits = {k: targets.fit_steps(list(t.index), list(t["steps"])) for k, t in tables.items()}
    replicates = {
        k: targets.bootstrap_steps(r, n_boot=n_boot, seed=seed) for k, r in opt_runs.items()
    }
    return tables, fits, replicates


def optimizer_report(tables: Mapping, fits: Mapping, replicates: Mapping) -> str:
    """Una línea por optimizador: B_ruido con su IC, S_min y las tasas elegidas."""
    lines = []
    for k in tables:
        lo, hi = stats.fit_interval(replicates[k][:, 1])
        if np.isfinite(fits[k][1]):
            lines.append(
                f"{k}: B_ruido = {fits[k][1]:.3g} [IC {lo:.3g}, {hi:.3g}], "
                f"S_min = {fits[k][0]:.3g}; tasas elegidas: "
                + ", ".join(f"B={B}: {lr:g}" for B, lr in tables[k]["lr"].items())
            )
        else:
            lines.append(
                f"{k}: sin ajuste (hacen falta tres B que lleguen al objetivo, con S_min > 0)."
            )
    return "\n".join(lines)


def optimizer_table(tables: Mapping):
    """Las actualizaciones hasta el objetivo por B de cada optimizador (cabeceras en español)."""
    comp = pd.DataFrame({k: t["steps"] for k, t in tables.items()})
    return spanish(
        comp,
        {"sgd": "SGD", "nesterov": "Nesterov", "adam": "Adam"},
        empty="Ningún B tiene una tasa sin divergencias: no hay pasos que comparar.",
    )
