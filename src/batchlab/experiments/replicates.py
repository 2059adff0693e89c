"""Réplicas sobre todo lo que varía: divisiones, inicializaciones y barajados.

Una conclusión del curso no puede depender de una división de los datos ni de unos pesos
iniciales concretos. Un :class:`Design` fija, a partir de una semilla base, ``n_splits``
divisiones entrenamiento/prueba, ``n_inits`` inicializaciones dentro de cada división y
``n_shuffles`` barajados dentro de cada inicialización. :func:`prepare_splits` prepara los datos
de cada división (ajuste, validación y prueba, sin fuga) y :func:`run_design` entrena unas
configuraciones (B, tasa, argumentos) en todas las réplicas y devuelve una tabla ordenada: una
fila por ejecución con sus claves ``split``, ``init`` y ``seed`` (las de
:data:`batchlab.stats.LEVELS`), lista para :func:`batchlab.stats.hierarchical_bootstrap`.

Con B ≥ N el barajado no cambia nada (un solo batch con todas las filas), así que esa
configuración corre un barajado por inicialización (la regla de
:func:`batchlab.experiments.grid.runs_for`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._checks import check_int, check_seed
from ..data import holdout, split_and_scale
from ..training.divergence import final_loss_or_inf
from .grid import Run, run_grid

__all__ = [
    "Config",
    "Design",
    "SplitData",
    "design_runs",
    "keys_of",
    "prepare_splits",
    "run_design",
]


@dataclass(frozen=True)
class Design:
    """Las réplicas de un experimento: divisiones × inicializaciones × barajados.

    Las semillas salen de ``base`` de forma reproducible: la división i usa la semilla
    ``base + 1000·i`` (la primera es la semilla del notebook); sus inicializaciones y sus
    barajados, semillas derivadas de (base, i, j, k), distintas en cada división.
    """

    base: int = 42
    n_splits: int = 3
    n_inits: int = 3
    n_shuffles: int = 2

    def __post_init__(self) -> None:
        check_seed("base", self.base)
        for name in ("n_splits", "n_inits", "n_shuffles"):
            check_int(name, getattr(self, name), 1)

    @property
    def splits(self) -> list[int]:
        """Las semillas de las divisiones."""
        return [self.base + 1000 * i for i in range(self.n_splits)]

    def inits(self, split: int) -> list[int]:
        """Las semillas de los pesos iniciales de la división `split`."""
        i = self.splits.index(split)
        return [_derive(self.base, 1, i, j) for j in range(self.n_inits)]

    def shuffles(self, split: int, init: int) -> list[int]:
        """Las semillas de barajado de la inicialización `init` de la división `split`."""
        i, j = self.splits.index(split), self.inits(split).index(init)
        return [_derive(self.base, 2, i, j, k) for k in range(self.n_shuffles)]

    @property
    def size(self) -> int:
        """Ejecuciones por configuración (con B < N)."""
        return self.n_splits * self.n_inits * self.n_shuffles


def _derive(*key: int) -> int:
    """Una semilla de 31 bits derivada de `key` (misma clave ⇒ misma semilla)."""
    return int(np.random.SeedSequence(list(key)).generate_state(1)[0] >> 1)


@dataclass(frozen=True)
class SplitData:
    """Los datos de una división: ajuste (entrenar), validación (elegir) y prueba (informar)."""

    split: int
    X_fit: np.ndarray
    y_fit: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray

    @property
    def n(self) -> int:
        """Filas de ajuste (N: el batch completo)."""
        return len(self.X_fit)


def prepare_splits(
    df: pd.DataFrame,
    design: Design,
    *,
    features: str = "log",
    test_size: float = 0.2,
    val_fraction: float = 0.2,
) -> dict[int, SplitData]:
    """Cada división del diseño: prueba aparte, preparación ajustada con el entrenamiento, y una
    validación separada del entrenamiento (la prueba no se toca para elegir nada)."""
    out = {}
    for s in design.splits:
        split = split_and_scale(df, test_size=test_size, seed=s, features=features)
        X_fit, X_val, y_fit, y_val = holdout(split, fraction=val_fraction, seed=s)
        out[s] = SplitData(s, X_fit, y_fit, X_val, y_val, split.X_test, split.y_test)
    return out


@dataclass(frozen=True)
class Config:
    """Una configuración: tamaño del batch (``None``: N), tasa y argumentos propios de
    ``train_many`` (p. ej. ``{"optimizer": "adam"}``); ``tags`` van a su fila de la tabla."""

    batch_size: int | None
    learning_rate: float
    options: Mapping = ()
    tags: Mapping = ()


def design_runs(configs: Sequence[Config], design: Design, data: SplitData) -> list[Run]:
    """Las ejecuciones de una división: cada configuración en cada inicialización y barajado
    (con B ≥ N, un barajado por inicialización); la fila de cada una lleva su ``split``."""
    runs = []
    for c in configs:
        B = data.n if c.batch_size is None else min(int(c.batch_size), data.n)
        for init in design.inits(data.split):
            shuffles = design.shuffles(data.split, init)
            for seed in shuffles[:1] if B >= data.n else shuffles:
                runs.append(Run(B, float(c.learning_rate), seed, init, dict(c.options),
                                {**dict(c.tags), "split": data.split}))  # fmt: skip
    return runs


def run_design(
    configs: Iterable[Config],
    design: Design,
    splits: Mapping[int, SplitData],
    *,
    n_jobs: int = 1,
    test: bool = True,
    keep: bool = False,
    **common,
):
    """Entrena cada configuración en cada réplica del diseño; una fila por ejecución.

    `common` son argumentos de ``train_many`` comunes (``epochs``, ``eval_rel``…); la
    validación de cada división se pasa sola. Columnas: ``split``, ``init``, ``seed`` y las de
    :meth:`batchlab.experiments.grid.Grid.table`, más ``test_loss`` (prueba con los pesos
    finales; inf si diverge) con `test`. Con `keep`, devuelve además ``{split: Grid}`` (las
    historias y los modelos entrenados).
    """
    configs = list(configs)
    tables, grids = [], {}
    for s, data in splits.items():
        grid = run_grid(design_runs(configs, design, data), data.X_fit, data.y_fit, n_jobs=n_jobs,
                        X_val=data.X_val, y_val=data.y_val, **common)  # fmt: skip
        table = grid.table()
        if test:
            table["test_loss"] = [
                final_loss_or_inf(h, m, data.X_test, data.y_test)
                for h, m in zip(grid.histories, grid.models, strict=True)
            ]
        tables.append(table)
        grids[s] = grid
    out = pd.concat(tables, ignore_index=True) if tables else pd.DataFrame()
    first = ["split", "init", "seed"]
    out = out[first + [c for c in out.columns if c not in first]] if len(out) else out
    return (out, grids) if keep else out


def keys_of(table: pd.DataFrame) -> np.ndarray:
    """Las claves (división, inicialización, barajado) de cada fila, como array (n, 3)."""
    return table[["split", "init", "seed"]].to_numpy()
