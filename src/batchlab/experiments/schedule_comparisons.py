"""Notebook 04, secciones 8–9: programas de tasa y de batch comparados con muchas ejecuciones.

* **Smith et al.**: subir B por fases frente a bajar la tasa (:func:`smith_programs`,
  :func:`run_programs`, :func:`program_table`, :func:`paired_delta`, :func:`updates_note`);
* el **experimento del blog** con decaimiento por actualización o por época
  (:func:`blog_runs`, :func:`diagnose`, :func:`blog_table`, :func:`winners_report`) y su
  consejo barajado a barajado (:func:`rule_count`).

Claves de máquina. Programas: ``program`` (``constant``, ``lower_rate``, ``raise_batch``),
``seed``, ``val`` (MSE de validación final), ``updates`` y ``samples``. Blog: ``mode``
(``per_update`` o ``per_epoch``), ``B``, ``lr``, ``curve`` (la mediana de las curvas),
``diverged`` y ``final`` (MSE de validación final).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ..labels import LABELS, spanish
from . import schedules
from .grid import Task

__all__ = [
    "BLOG_HEADERS",
    "PROGRAM_NAMES",
    "blog_runs",
    "blog_table",
    "diagnose",
    "paired_delta",
    "program_table",
    "rule_count",
    "run_programs",
    "smith_programs",
    "updates_note",
    "winners_report",
]

#: Las claves de los programas de Smith et al. (:func:`smith_programs`) y su nombre para mostrar.
PROGRAM_NAMES = {key: LABELS[key] for key in ("constant", "lower_rate", "raise_batch")}
#: Cabeceras en español de :func:`blog_table`.
BLOG_HEADERS = {
    "mode": "modo",
    "diagnosis": "diagnóstico (mediana)",
    "final": "MSE validación final (mediana)",
    "diverged": "divergidas",
}


def smith_programs(valid: pd.DataFrame, n: int, epochs: int) -> tuple:
    """``(B₀, η₀, programs)``: tres fases (50/30/20 % de `epochs`) desde el B válido más
    cercano a 32; ``programs`` (claves de :data:`PROGRAM_NAMES`) es None si no hay B válido
    o 25·B₀ > `n`.
    """
    b_s = min(valid.index, key=lambda b: abs(b - 32)) if len(valid) else None
    if b_s is None or b_s * 25 > n:
        return b_s, None, None
    lr_s = float(valid.loc[b_s, "opt"])
    phases = [max(1, round(epochs * f)) for f in (0.5, 0.3, 0.2)]
    programs = {
        "constant": [(phases[0], b_s, lr_s), (phases[1], b_s, lr_s), (phases[2], b_s, lr_s)],
        "lower_rate": [
            (phases[0], b_s, lr_s),
            (phases[1], b_s, lr_s / 5),
            (phases[2], b_s, lr_s / 25),
        ],
        "raise_batch": [
            (phases[0], b_s, lr_s),
            (phases[1], 5 * b_s, lr_s),
            (phases[2], 25 * b_s, lr_s),
        ],
    }
    return b_s, lr_s, programs


def run_programs(task: Task, programs: Mapping, seeds: Sequence[int]) -> pd.DataFrame:
    """Una fila por programa y barajado: MSE de validación final, actualizaciones y muestras."""
    model, X_fit, y_fit, X_val, y_val = task
    rows = []
    for name, phases in programs.items():
        for s in seeds:
            r = schedules.phase_run(model.copy(), X_fit, y_fit, X_val, y_val, phases, seed=s)
            rows.append(
                {
                    "program": name,
                    "seed": s,
                    "val": r["curve"][-1],
                    "updates": r["updates"],
                    "samples": r["samples"],
                }
            )
    return pd.DataFrame(rows)


def program_table(smith: pd.DataFrame) -> pd.DataFrame:
    """Mediana, mínimo y máximo del MSE de validación y el coste de cada programa (en español)."""
    table = (
        smith.groupby("program", sort=False)
        .agg(
            median=("val", "median"),
            min=("val", "min"),
            max=("val", "max"),
            updates=("updates", "median"),
            samples=("samples", "median"),
        )
        .round(4)
    )
    return spanish(table)


def paired_delta(smith: pd.DataFrame) -> np.ndarray:
    """MSE(subir B) − MSE(bajar la tasa), emparejado por barajado."""
    a = smith[smith.program == "raise_batch"].set_index("seed")["val"]
    b = smith[smith.program == "lower_rate"].set_index("seed")["val"]
    return (a - b).to_numpy()


def updates_note(smith: pd.DataFrame, b_s: int, lr_s: float) -> str:
    """B₀, η₀ y el cociente de actualizaciones entre subir B y bajar la tasa."""
    upd = smith.groupby("program")["updates"].median()
    return (
        f"B₀ = {b_s}, η₀ = {lr_s:g}. Actualizaciones: subir B / bajar la tasa = "
        f"{upd['raise_batch'] / upd['lower_rate']:.2f}."
    )


def _median_curve(res: Sequence[dict]) -> np.ndarray:
    longest = max(len(r["curve"]) for r in res)
    pad = np.array([np.r_[r["curve"], [np.inf] * (longest - len(r["curve"]))] for r in res])
    return np.median(pad, axis=0)


def blog_runs(
    task: Task,
    batch_sizes: Sequence[int],
    rates: Sequence[float],
    modes: Sequence[str],
    *,
    epochs: int,
    seeds: Sequence[int],
    per_epoch_decay: float,
) -> tuple:
    """Entrena cada modo × B × lr con cada barajado; ``(tabla de ejecuciones, curvas)``.

    Se valida en ``task.X_eval``. El modo ``"per_update"`` (el
    del blog) decae 1e-3 por actualización; ``"per_epoch"``, `per_epoch_decay` por época.
    ``curves[(mode, B, lr)]`` es la curva mediana (∞ tras divergir).
    """
    model, X_fit, y_fit, X_val, y_val = task
    curves, rows = {}, []
    for mode in modes:
        for B, lr in [(B, lr) for B in batch_sizes for lr in rates]:
            res = [
                schedules.epoch_schedule_run(
                    model.copy(),
                    X_fit,
                    y_fit,
                    X_val,
                    y_val,
                    batch_size=min(B, len(X_fit)),
                    learning_rate=lr,
                    epochs=epochs,
                    seed=s,
                    per_update_decay=1e-3 if mode == "per_update" else 0.0,
                    per_epoch_decay=per_epoch_decay if mode == "per_epoch" else 0.0,
                )
                for s in seeds
            ]
            curves[(mode, B, lr)] = _median_curve(res)
            for s, r in zip(seeds, res, strict=True):
                rows.append(
                    {"mode": mode, "B": B, "lr": lr, "seed": s, "curve": r["curve"]}
                    | {"diverged": r["diverged"], "final": r["curve"][-1]}
                )
    return pd.DataFrame(rows), curves


def diagnose(blog: pd.DataFrame, curves: Mapping, modes: Sequence[str]) -> dict:
    """El diagnóstico de la curva mediana de cada configuración, frente a la mejor del modo."""
    diagnoses = {}
    for mode in modes:
        best = blog.loc[blog["mode"] == mode, "final"].replace(np.inf, np.nan).min()
        for B, lr in blog[blog["mode"] == mode].groupby(["B", "lr"]).groups:
            med = curves[(mode, B, lr)]
            diagnoses[(mode, B, lr)] = schedules.classify_curve(med, not np.isfinite(med[-1]), best)
    return diagnoses


def blog_table(blog, diagnoses, mode_names: Mapping, originals, names: Mapping) -> pd.DataFrame:
    """Una fila por configuración: diagnóstico (con `names`), MSE final mediano y divergidas.

    Cabeceras en español (:data:`BLOG_HEADERS`), modos con `mode_names`; las tasas que no
    entrenó el blog (fuera de `originals`) llevan « +».
    """

    def row(m, B, lr):
        d = blog[(blog["mode"] == m) & (blog.B == B) & (blog.lr == lr)]
        return {
            "mode": mode_names[m],
            "B": B,
            "lr": f"{lr:g}" + ("" if (B, lr) in originals else " +"),
            "diagnosis": names[diagnoses[(m, B, lr)]],
            "final": float(np.median(d["final"])),
            "diverged": f"{int(d['diverged'].sum())} de {len(d)}",
        }

    table = pd.DataFrame([row(*k) for k in diagnoses]).set_index(["mode", "B", "lr"])
    table.index = table.index.set_names([BLOG_HEADERS.get(n, n) for n in table.index.names])
    return table.rename(columns=BLOG_HEADERS)


def winners_report(blog: pd.DataFrame, mode_names: Mapping) -> str:
    """La configuración ganadora (mediana del MSE final) de cada modo de decaimiento."""
    lines = []
    for m in mode_names:
        d = blog[blog["mode"] == m].groupby(["B", "lr"])["final"].median()
        winner = d.idxmin()
        lines.append(
            f"Decaimiento {mode_names[m]}: gana B={winner[0]}, lr={winner[1]:g} "
            f"(mediana {d.min():.4f})."
        )
    return "\n".join(lines)


def rule_count(blog: pd.DataFrame, seeds: Sequence[int]) -> int:
    """Barajados (decaimiento por época) en que la mejor tasa de B=32 es menor que la de 2048."""
    per_epoch = blog[blog["mode"] == "per_epoch"]
    count = 0
    for s in seeds:
        best_lr = {
            B: per_epoch[(per_epoch.B == B) & (per_epoch.seed == s)]
            .set_index("lr")["final"]
            .idxmin()
            for B in (32, 2048)
        }
        count += int(best_lr[32] < best_lr[2048])
    return count
