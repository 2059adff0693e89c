"""Notebook 04: los pasos hasta una pérdida objetivo y la escala de ruido que se lee en ellos.

Reglas escritas una vez y usadas por el notebook y sus tests (McCandlish et al., 2018):

* los **pasos hasta un objetivo** (:func:`steps_runs`), con los
  pesos al llegar (:func:`steps_and_models`), y el mejor lr por B para llegar
  (:func:`steps_by_batch`);
* el **ajuste** S(B) = S_min (1 + B_ruido/B) con bootstrap (:func:`fit_steps`,
  :func:`bootstrap_steps`);
* la **brecha de generalización** a igual pérdida de entrenamiento
  (:func:`gap_at_train_loss`), que para cada ejecución al llegar al objetivo.

Cada ejecución es un :func:`batchlab.train` con puntos de control geométricos
(``eval_rel``) y ``target_loss``, lanzada por :func:`batchlab.experiments.grid.run_grid`
(la regla de B ≥ N y el reparto entre procesos, ``n_jobs``, son los suyos).

Claves de máquina: ``B``, ``lr``, ``seed``, ``optimizer``; ``steps``, ``samples``,
``reached``, ``diverged``; ``train``, ``test``, ``gap``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ..mlp import MLP
from .grid import Task, run_grid, runs_for
from .replicates import Config, Design, design_runs

__all__ = [
    "bootstrap_steps",
    "fit_steps",
    "gap_at_train_loss",
    "gap_replicates",
    "steps_and_models",
    "steps_by_batch",
    "steps_runs",
]

#: columnas de :func:`steps_runs`
STEPS_COLUMNS = ["B", "lr", "seed", "optimizer", "steps", "samples", "reached", "diverged"]
#: columnas de :func:`gap_at_train_loss`
GAP_COLUMNS = ["B", "lr", "seed", "steps", "train", "test", "gap"]
_STEPS_TYPES = {"B": int, "lr": float, "seed": int, "steps": float, "samples": float}
_STEPS_TYPES |= {"reached": bool, "diverged": bool}
_GAP_TYPES = {**dict.fromkeys(GAP_COLUMNS, float), "B": int, "seed": int}


def steps_runs(task: Task, candidates: dict, **kw) -> pd.DataFrame:
    """La tabla de :func:`steps_and_models` (mismos argumentos), sin los modelos."""
    return steps_and_models(task, candidates, **kw)[0]


def steps_and_models(
    task: Task,
    candidates: dict[int, Sequence[float]],
    *,
    seeds: Sequence[int],
    target: float,
    max_epochs: int,
    optimizer: str = "sgd",
    n_jobs: int = 1,
    max_updates: int | None = None,
    momentum: float = 0.9,
    rel: float = 0.015,
) -> tuple[pd.DataFrame, dict[tuple[int, float, int], MLP]]:
    """Un ``train()`` con objetivo para cada B, cada tasa candidata y cada semilla: una fila por
    ejecución y, por ``(B, lr, semilla)``, el modelo con los pesos del punto de control que
    llegó (o del final, si no llegó), para medir algo **en el objetivo** sin reentrenar.

    Cada ejecución para en `max_epochs` épocas o en `max_updates` actualizaciones, lo
    primero que llegue (una tasa que no llega no gasta todo el presupuesto de épocas).
    Las ejecuciones de un mismo B van juntas en :func:`batchlab.training.train_many` y se
    reparten entre `n_jobs` procesos (:func:`_groups_by_batch`). El resultado no depende
    de `n_jobs`. Un B ≥ N (el batch completo) corre solo la primera semilla: el barajado
    solo cambiaría el orden de la suma dentro de su único batch. Se evalúa en
    ``task.X_eval``; ``task.model`` no cambia.
    """
    model, X, y, X_eval, y_eval = task
    runs = runs_for(candidates, list(seeds), n=len(X))
    grid = run_grid(
        runs, X, y, model=model, n_jobs=n_jobs, epochs=max_epochs, max_updates=max_updates,
        X_val=X_eval, y_val=y_eval, target_loss=target, eval_rel=rel, optimizer=optimizer,
        momentum=momentum,
    )  # fmt: skip
    table = grid.table().assign(optimizer=optimizer)[STEPS_COLUMNS].astype(_STEPS_TYPES)
    keys = [(r.batch_size, r.learning_rate, r.seed) for r in grid.runs]
    return table, dict(zip(keys, grid.models, strict=True))


def steps_by_batch(runs: pd.DataFrame) -> pd.DataFrame:
    """Por B, la tasa que llega antes: menor mediana de pasos entre las que llegan en más de
    la mitad de sus ejecuciones. Índice ``B``; columnas ``lr``, ``steps``, ``samples``,
    ``reached`` (k) y ``runs`` (n). Un B sin tasa así queda con NaN."""
    rows = []
    for B, d in runs.groupby("B"):
        best = None
        for lr, c in d.groupby("lr"):
            k = int(c["reached"].sum())
            if 2 * k <= len(c):
                continue
            med = float(c["steps"].fillna(np.inf).median())
            if best is None or med < best["steps"]:
                best = {
                    "B": int(B),
                    "lr": float(lr),
                    "steps": med,
                    "samples": float(c["samples"].fillna(np.inf).median()),
                    "reached": k,
                    "runs": len(c),
                }
        rows.append(
            best
            or {
                "B": int(B),
                "lr": math.nan,
                "steps": math.nan,
                "samples": math.nan,
                "reached": 0,
                "runs": 0,
            }
        )
    table = pd.DataFrame(rows, columns=["B", "lr", "steps", "samples", "reached", "runs"])
    return table.astype({"lr": float, "steps": float, "samples": float}).set_index("B")


def fit_steps(batch_sizes: Sequence[float], steps: Sequence[float]) -> tuple[float, float]:
    """(S_min, B_ruido) de S(B) = S_min (1 + B_ruido/B); mínimos cuadrados relativos.

    Lineal en 1/B; cada punto pesa igual en escala logarítmica. NaN con menos de 3 puntos.
    """
    B, S = np.asarray(batch_sizes, float), np.asarray(steps, float)
    ok = np.isfinite(S) & (S > 0)
    if ok.sum() < 3:
        return math.nan, math.nan
    B, S = B[ok], S[ok]
    A = np.c_[np.ones_like(B), 1 / B] / S[:, None]
    (s_min, slope), *_ = np.linalg.lstsq(A, np.ones_like(S), rcond=None)
    if s_min <= 0:
        return math.nan, math.nan
    return float(s_min), float(slope / s_min)


def bootstrap_steps(runs: pd.DataFrame, n_boot: int = 500, seed: int = 0) -> np.ndarray:
    """Réplicas (S_min, B_ruido): se remuestrean las semillas dentro de cada (B, lr)."""
    rng = np.random.default_rng(seed)
    cells = [
        (B, lr, c["steps"].fillna(np.inf).to_numpy()) for (B, lr), c in runs.groupby(["B", "lr"])
    ]
    out = np.full((n_boot, 2), np.nan)
    for i in range(n_boot):
        best: dict[int, float] = {}
        for B, _lr, s in cells:
            pick = s[rng.integers(0, len(s), len(s))]
            if 2 * np.isfinite(pick).sum() <= len(pick):
                continue
            best[B] = min(best.get(B, np.inf), float(np.median(pick)))
        out[i] = fit_steps(list(best), list(best.values()))
    return out


def gap_at_train_loss(
    task: Task, tuned: dict, *, seeds: Sequence[int], target: float, max_epochs: int, **budget
) -> pd.DataFrame:
    """Brecha prueba − entrenamiento cuando la pérdida de **entrenamiento** baja de `target`.

    Cada B con su tasa (`tuned`) y cada semilla; puntos de control geométricos al 5 %
    sobre el conjunto de entrenamiento (``train()`` sin validación), las semillas de un B
    a la vez (:func:`batchlab.training.train_many`) y los B repartidos en `n_jobs`
    procesos. Filas ``B``, ``lr``, ``seed``, ``steps``, ``train``, ``test``, ``gap`` (NaN si
    no llega, también si diverge: la regla de ``train()``). La prueba es ``task.X_eval``.
    `budget` (``max_updates``, ``n_jobs``) y `max_epochs`, como en :func:`steps_and_models`.
    """
    model, X, y, X_test, y_test = task
    runs = runs_for({B: [lr] for B, lr in tuned.items()}, list(seeds), n=len(X))
    grid = run_grid(
        runs, X, y, model=model, epochs=max_epochs, target_loss=target, eval_rel=0.05, **budget
    )
    return pd.DataFrame(_gap_rows(grid, X_test, y_test), columns=GAP_COLUMNS).astype(_GAP_TYPES)


def gap_replicates(
    splits: Mapping, design: Design, tuned: dict, *, target: float, max_epochs: int, **budget
) -> pd.DataFrame:
    """:func:`gap_at_train_loss` en cada réplica de `design` (división × inicialización ×
    barajado, :mod:`batchlab.experiments.replicates`), con los B y las tasas de `tuned`.

    `splits` son los datos de cada división (:func:`replicates.prepare_splits`): se entrena en
    su ajuste y la brecha es con su prueba. Mismas filas que :func:`gap_at_train_loss`, más
    ``split`` e ``init`` delante (las claves de :func:`batchlab.stats.hierarchical_bootstrap`).
    """
    columns = ["split", "init", *GAP_COLUMNS]
    configs = [Config(int(B), float(lr)) for B, lr in tuned.items()]
    if not configs:  # ningún B con tasa: ninguna ejecución (la conclusión lo dirá)
        return pd.DataFrame(columns=columns).astype({**_GAP_TYPES, "split": int, "init": int})
    tables = []
    for data in splits.values():
        runs = design_runs(configs, design, data)
        grid = run_grid(runs, data.X_fit, data.y_fit, epochs=max_epochs, target_loss=target,
                        eval_rel=0.05, **budget)  # fmt: skip
        rows = _gap_rows(grid, data.X_test, data.y_test)
        for row, run in zip(rows, grid.runs, strict=True):
            row.update(split=run.tags["split"], init=run.init)
        tables.append(pd.DataFrame(rows))
    out = pd.concat(tables, ignore_index=True) if tables else pd.DataFrame(columns=columns)
    return out[columns].astype({**_GAP_TYPES, "split": int, "init": int})


def _gap_rows(grid, X_test: np.ndarray, y_test: np.ndarray) -> list[dict]:
    """Una fila por ejecución de `grid`: pasos, pérdida de entrenamiento y de prueba al llegar
    al objetivo y su brecha (NaN si no llega, también si diverge: la regla de ``train()``)."""
    rows = []
    for r, h, m in zip(grid.runs, grid.histories, grid.models, strict=True):
        reached = h.stop_reason == "target"
        # la pérdida del punto de control que llegó: la de entrenamiento con esos pesos
        tr = float(h.checkpoint_loss[-1]) if reached else math.nan
        te = m.loss(X_test, y_test) if reached else math.nan
        steps = float(h.n_updates) if reached else math.nan
        row = {"B": r.batch_size, "lr": r.learning_rate, "seed": r.seed, "steps": steps}
        rows.append({**row, "train": tr, "test": te, "gap": te - tr})
    return rows
