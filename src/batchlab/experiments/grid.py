"""La rejilla de ejecuciones: el único lanzador de experimentos B × lr × semillas.

Cada barrido del curso es una lista de :class:`Run` (tamaño del batch, tasa, semilla del
barajado, semilla de la inicialización y argumentos propios de ``train_many``) que
:func:`run_grid` entrena y devuelve como una tabla ordenada (una fila por ejecución, claves de
máquina) junto con sus historias y sus modelos entrenados. Aquí viven, escritas una vez:

* la regla de **B ≥ N**: con el batch completo el barajado solo cambia el orden de la suma
  dentro del único batch, así que :func:`runs_for` corre un solo barajado por inicialización
  (las demás semillas repetirían el mismo entrenamiento);
* cómo se agrupan las ejecuciones para :func:`batchlab.training.train_groups` (las de un mismo
  B y los mismos argumentos avanzan juntas en una pila; los grupos se reparten en ``n_jobs``
  procesos). El resultado no depende de ``n_jobs`` ni de cómo se agrupe;
* qué es una ejecución divergida en una tabla: ``History.diverged``, la regla de
  :mod:`batchlab.training.divergence`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import pandas as pd

from ..labels import method_id
from ..mlp import MLP
from ..training import History, train_groups, uses_stack

__all__ = ["GRID_COLUMNS", "Grid", "Run", "Task", "run_grid", "runs_for"]

#: Ejecuciones por grupo de una pila (los grupos se reparten entre procesos).
GROUP_RUNS = 16
#: Columnas de :meth:`Grid.table` (más las claves de ``Run.tags``).
GRID_COLUMNS = [
    "method",
    "B",
    "lr",
    "seed",
    "init",
    "val_loss",
    "train_loss",
    "diverged",
    "improved",
    "reached",
    "steps",
    "samples",
    "updates",
]


class Task(NamedTuple):
    """Lo que comparten las ejecuciones de un experimento: el modelo de partida (cada ejecución
    entrena una copia) y los datos de ajuste y de evaluación (validación o prueba).

    Es una tupla: ``model, X, y, X_eval, y_eval = task``.
    """

    model: MLP
    X: np.ndarray
    y: np.ndarray
    X_eval: np.ndarray
    y_eval: np.ndarray


@dataclass(frozen=True)
class Run:
    """Una ejecución: B, tasa, semilla del barajado (``seed``) y de la inicialización.

    ``init`` es la semilla de ``MLP(layer_sizes, rng=init)``; None parte de una copia del
    modelo que se pasa a :func:`run_grid`. ``options`` son argumentos de ``train_many`` solo
    para esta ejecución (p. ej. ``{"max_updates": 100}``) y ``tags``, claves extra que se
    copian a su fila de la tabla (p. ej. ``{"regime": "updates"}``).
    """

    batch_size: int
    learning_rate: float
    seed: int
    init: int | None = None
    options: Mapping = field(default_factory=dict)
    tags: Mapping = field(default_factory=dict)


def runs_for(
    rates: Mapping[int, Iterable[float]],
    seeds: Sequence[int],
    *,
    n: int,
    inits: Sequence[int | None] = (None,),
    paired: bool = False,
    options: Mapping | None = None,
    tags: Mapping | None = None,
) -> list[Run]:
    """Las ejecuciones de ``rates = {B: [tasas]}`` con cada inicialización y barajado.

    Por defecto, cada inicialización de `inits` con cada barajado de `seeds`; con `paired`,
    la r-ésima inicialización va con el r-ésimo barajado (varían a la vez). Un B ≥ `n` (el
    batch completo de `n` filas) corre solo el primer barajado de cada inicialización.
    """
    if paired and len(inits) != len(seeds):
        raise ValueError("Con paired=True hace falta una inicialización por barajado.")
    pairs = (
        list(zip(inits, seeds, strict=True)) if paired else [(i, s) for i in inits for s in seeds]
    )
    out = []
    for B, lrs in rates.items():
        B = int(B)
        chosen = pairs
        if B >= n:  # el barajado no cambia nada: el primer barajado de cada inicialización
            first: dict = {}
            for i, s in pairs:
                first.setdefault(i, s)
            chosen = list(first.items())
        out += [
            Run(B, float(lr), int(s), i, dict(options or {}), dict(tags or {}))
            for lr in lrs
            for i, s in chosen
        ]
    return out


@dataclass
class Grid:
    """Lo entrenado por :func:`run_grid`: las ejecuciones, sus historias y sus modelos."""

    runs: list[Run]
    histories: list[History]
    models: list[MLP]
    n_samples: int

    def table(self) -> pd.DataFrame:
        """Una fila por ejecución (columnas :data:`GRID_COLUMNS` más las de ``tags``).

        ``val_loss`` y ``train_loss`` son las finales (inf si diverge); ``reached`` dice si
        paró al alcanzar su objetivo y ``steps``/``samples`` son las actualizaciones y
        muestras hasta él (NaN si no llegó); ``updates`` son las actualizaciones dadas.
        """
        rows = [
            {**_row(r, h, self.n_samples), **r.tags}
            for r, h in zip(self.runs, self.histories, strict=True)
        ]
        extra = list(dict.fromkeys(k for r in self.runs for k in r.tags))
        table = pd.DataFrame(rows, columns=GRID_COLUMNS + extra)
        return table.astype({"B": int, "lr": float, "seed": int, "diverged": bool})


def _row(r: Run, h: History, n: int) -> dict:
    reached = h.stop_reason == "target"
    return {
        "method": method_id(r.batch_size, n),
        "B": r.batch_size,
        "lr": r.learning_rate,
        "seed": r.seed,
        "init": r.init,
        "val_loss": h.final_val_loss,
        "train_loss": h.final_train_loss,
        "diverged": h.diverged,
        "improved": h.improved,
        "reached": reached,
        "steps": float(h.n_updates) if reached else math.nan,
        "samples": float(h.samples_seen[-1]) if reached else math.nan,
        "updates": h.n_updates,
    }


def _groups(runs: list[Run]) -> list[list[int]]:
    """Las posiciones de `runs` agrupadas: mismo B y mismos argumentos propios, en trozos de
    :data:`GROUP_RUNS` donde se apilan y de uno en uno donde no (``train()`` run a run)."""
    by_key: dict[tuple, list[int]] = {}
    for i, r in enumerate(runs):
        key = (r.batch_size, tuple(sorted(r.options.items())))
        by_key.setdefault(key, []).append(i)
    out = []
    for (B, _), idx in by_key.items():
        size = GROUP_RUNS if uses_stack(len(idx), B) else 1
        out += [idx[a : a + size] for a in range(0, len(idx), size)]
    return out


def run_grid(
    runs: Sequence[Run],
    X: np.ndarray,
    y: np.ndarray,
    *,
    model: MLP | None = None,
    layer_sizes: Sequence[int] = (8, 64, 32, 1),
    n_jobs: int = 1,
    **common,
) -> Grid:
    """Entrena cada ejecución de `runs` y devuelve su :class:`Grid` (mismo orden que `runs`).

    Cada ejecución parte de ``MLP(layer_sizes, rng=run.init)``, o de una copia de `model`
    si ``run.init`` es None (`model` no cambia). `common` son argumentos de ``train_many``
    comunes a todas (``epochs``, ``X_val``…); los de ``run.options`` los sustituyen.
    """
    runs = list(runs)
    if any(r.init is None for r in runs) and model is None:
        raise ValueError("Hay ejecuciones sin semilla de inicialización: pasa model=….")
    sizes = tuple(model.layer_sizes) if model is not None else tuple(layer_sizes)
    models = [model.copy() if r.init is None else MLP(sizes, rng=r.init) for r in runs]
    positions = _groups(runs)
    groups = [
        dict(
            models=[models[i] for i in idx],
            batch_size=runs[idx[0]].batch_size,
            learning_rates=[runs[i].learning_rate for i in idx],
            seeds=[runs[i].seed for i in idx],
            **runs[idx[0]].options,
        )
        for idx in positions
    ]
    parts = train_groups(groups, X, y, n_jobs=n_jobs, **common) if groups else []
    histories: list[History | None] = [None] * len(runs)
    for idx, hs in zip(positions, parts, strict=True):
        for i, h in zip(idx, hs, strict=True):
            histories[i] = h
    return Grid(runs, histories, models, len(X))
