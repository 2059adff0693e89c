"""Notebook 04: generalización entre tamaños de batch, comparada con intervalos.

* :func:`equal_updates_epochs`: las épocas y actualizaciones de cada B para que todos den
  las actualizaciones del menor B (Hoffer et al., 2017, «entrena más»), con un tope de épocas;
* :func:`train_longer`: cada B con su tasa entrenado (a) las mismas épocas y (b) las mismas
  actualizaciones; pérdida de entrenamiento y de prueba, brecha y λ_max al final;
* :func:`sharpness_replicates`: el λ_max final con las mismas actualizaciones en cada réplica
  (división × inicialización × barajado) de un :class:`~batchlab.experiments.replicates.Design`.

Claves de máquina: ``regime`` (``"epochs"`` / ``"updates"``), ``B``, ``lr``, ``seed``,
``epochs``, ``updates``, ``train``, ``test``, ``gap``, ``diverged``, ``lambda_max``, ``init``
y, en las réplicas, ``split``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import pandas as pd

from .._checks import check_int
from ..hessian import sharpness_of
from ..training import batches_per_epoch
from .grid import Task, run_grid, runs_for
from .replicates import Design

__all__ = [
    "LONGER_COLUMNS",
    "equal_updates_epochs",
    "sharpness_replicates",
    "train_longer",
]

#: columnas de :func:`train_longer`
LONGER_COLUMNS = [
    "regime",
    "B",
    "lr",
    "seed",
    "epochs",
    "updates",
    "train",
    "test",
    "gap",
    "diverged",
    "lambda_max",
    "init",
]


def equal_updates_epochs(
    n: int, batch_sizes: Sequence[int], epochs: int, max_epochs: int
) -> dict[int, tuple[int, int]]:
    """Por B, ``(épocas, actualizaciones)`` para dar las actualizaciones que hace el menor B
    en `epochs` épocas (``epochs · ⌈n/B_min⌉``), con como mucho `max_epochs` épocas: un B
    que no cabe en el tope da ``max_epochs · ⌈n/B⌉`` actualizaciones (menos que el resto).
    """
    epochs = check_int("epochs", epochs, 1)
    max_epochs = check_int("max_epochs", max_epochs, 1)
    sizes = sorted({int(B) for B in batch_sizes})
    if not sizes:
        return {}
    budget = epochs * -(-n // sizes[0])
    out = {}
    for B in sizes:
        per_epoch = -(-n // B)
        ep = min(-(-budget // per_epoch), max_epochs)
        out[B] = (ep, min(budget, ep * per_epoch))
    return out


def train_longer(
    task: Task,
    tuned: dict[int, float],
    *,
    seeds: Sequence[int],
    epochs: int,
    max_epochs: int,
    n_jobs: int = 1,
    sharpness_tolerance: float = 1e-4,
    inits: Sequence[int] | None = None,
    regimes: Sequence[str] = ("epochs", "updates"),
) -> pd.DataFrame:
    """Cada B de `tuned` (con su tasa) y cada semilla, entrenado en dos regímenes (`regimes`):

    * ``"epochs"``: `epochs` épocas para todos (los B grandes dan menos actualizaciones);
    * ``"updates"``: las actualizaciones del menor B (:func:`equal_updates_epochs`, tope
      `max_epochs` épocas).

    Lo entrena :func:`batchlab.experiments.grid.run_grid` (`n_jobs` procesos); un régimen
    idéntico al otro (el menor B) se entrena una vez. Al final: MSE de entrenamiento y de
    prueba, brecha prueba − entrenamiento y, solo en ``"updates"``, λ_max de la pérdida de
    entrenamiento (NaN si diverge). La prueba es ``task.X_eval``. Con `inits`, la ejecución
    r-ésima parte de ``MLP(rng=inits[r])`` con el barajado ``seeds[r]`` (columna ``init``; sin
    ellos, de una copia de ``task.model`` e ``init`` vacía).
    """
    model, X, y, X_test, y_test = task
    n = len(X)
    plan_updates = equal_updates_epochs(n, list(tuned), epochs, max_epochs)
    plans = {}
    for B in sorted(tuned):
        plans[("epochs", B)] = (epochs, epochs * batches_per_epoch(n, B))
        plans[("updates", B)] = plan_updates[B]
    plans = {key: plan for key, plan in plans.items() if key[0] in regimes}
    unique = list(dict.fromkeys((B, ep, up) for (_, B), (ep, up) in plans.items()))
    paired = {"inits": list(inits), "paired": True} if inits is not None else {}
    runs = [
        run
        for B, ep, up in unique
        for run in runs_for(
            {B: [tuned[B]]},
            list(seeds),
            n=n,
            options={"epochs": ep, "max_updates": up},
            **paired,
        )  # fmt: skip
    ]
    grid = run_grid(runs, X, y, model=model, n_jobs=n_jobs)
    keys = [(r.batch_size, r.options["epochs"], r.options["max_updates"]) for r in runs]
    sharp = {(B, ep, up) for (regime, B), (ep, up) in plans.items() if regime == "updates"}
    measured = [i for i, key in enumerate(keys) if key in sharp]
    lams = dict.fromkeys(range(len(runs)), math.nan)
    values = sharpness_of(
        [grid.models[i] for i in measured],
        X,
        y,
        [grid.histories[i].diverged for i in measured],
        n_jobs=n_jobs,
        tolerance=sharpness_tolerance,
    )
    lams.update(zip(measured, values, strict=True))
    out = []
    for (regime, B), plan in plans.items():
        for i, key in enumerate(keys):
            if key != (B, *plan):
                continue
            h, m = grid.histories[i], grid.models[i]
            tr = m.loss(X, y) if not h.diverged else math.nan
            te = m.loss(X_test, y_test) if not h.diverged else math.nan
            out.append(
                {
                    "regime": regime,
                    "B": B,
                    "lr": float(tuned[B]),
                    "seed": runs[i].seed,
                    "epochs": plan[0],
                    "updates": h.n_updates,
                    "train": tr,
                    "test": te,
                    "gap": te - tr,
                    "diverged": bool(h.diverged),
                    "lambda_max": lams[i],
                    "init": runs[i].init,
                }
            )
    return pd.DataFrame(out, columns=LONGER_COLUMNS)


def sharpness_replicates(
    splits: Mapping, design: Design, tuned: dict[int, float], **budget
) -> pd.DataFrame:
    """λ_max al final con las mismas actualizaciones (el régimen ``"updates"`` de
    :func:`train_longer`) en cada réplica de `design`: cada división de `splits`
    (:func:`replicates.prepare_splits`), sus inicializaciones y sus barajados.

    `budget` son ``epochs``, ``max_epochs`` y ``n_jobs`` de :func:`train_longer`. Las filas de
    :func:`train_longer` con ``split`` delante (con ``init`` y ``seed``: las claves de
    :func:`batchlab.stats.hierarchical_bootstrap`).
    """
    tables = []
    for s, data in splits.items() if tuned else ():  # sin B con tasa, ninguna ejecución
        pairs = [(i, k) for i in design.inits(s) for k in design.shuffles(s, i)]
        task = Task(None, data.X_fit, data.y_fit, data.X_test, data.y_test)
        table = train_longer(task, tuned, seeds=[k for _, k in pairs], regimes=("updates",),
                             inits=[i for i, _ in pairs], **budget)  # fmt: skip
        tables.append(table.assign(split=s))
    columns = ["split", *LONGER_COLUMNS]
    if not tables:
        return pd.DataFrame(columns=columns)
    return pd.concat(tables, ignore_index=True)[columns]
