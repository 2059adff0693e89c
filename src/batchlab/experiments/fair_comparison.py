"""Notebook 03: la comparación honesta de batch completo, SGD y mini-batch (secciones 3–5).

Lo que el notebook hace con los barridos y las ejecuciones, en llamadas cortas:

* la rejilla del barrido como «k de n divergen · mediana» (:func:`sweep_cells`) y, en frases,
  la tasa que eligió la regla para cada método (:func:`chosen_lr_lines`) y lo que gana cada
  uno con su propia tasa (:func:`own_rate_lines`);
* las ejecuciones nuevas a igual número de épocas, con su MSE de prueba
  (:func:`equal_epoch_runs`);
* las ejecuciones con un presupuesto de actualizaciones (:func:`budget_curves`) y su tabla
  a igual número de pasos (:func:`budget_table`).

Todo va por clave de método (``full_batch``, ``sgd``, ``mini_batch``); las etiquetas en
español (``names``) se reciben ya hechas, solo para las frases.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from .multirun import checkpoint_matrix, final_losses, many_runs, updates_to_target

__all__ = [
    "budget_curves",
    "budget_table",
    "chosen_lr_lines",
    "equal_epoch_runs",
    "own_rate_lines",
    "sweep_cells",
]


def sweep_cells(summary: pd.DataFrame) -> pd.DataFrame:
    """La rejilla del barrido (índice ``lr``, una columna por método) con una celda
    ``"k de n divergen · mediana"`` (sin mediana si no es finita) de
    :func:`batchlab.experiments.sweeps.summarize_sweep`."""
    cells = [
        f"{k} de {n} divergen" + (f" · {m:.3f}" if np.isfinite(m) else "")
        for k, n, m in zip(
            summary["diverged_runs"], summary["runs"], summary["median"], strict=True
        )
    ]
    return summary.assign(cell=cells).pivot(index="lr", columns="method", values="cell")


def chosen_lr_lines(
    chosen: pd.DataFrame, methods: Sequence[str], names: Mapping[str, str], n_runs: int
) -> list[str]:
    """Una frase por método de `methods` con la tasa que eligió la regla
    (:func:`batchlab.experiments.sweeps.choose_lr`), o por qué se queda sin tasa."""
    lines = []
    for m in methods:
        if chosen.loc[m, "reliable"]:
            lines.append(
                f"{names[m]}: lr {float(chosen.loc[m, 'lr']):g}, mediana de validación "
                f"{chosen.loc[m, 'median']:.4f}; "
                f"no divergió ni empeoró en ninguna de {n_runs} ejecuciones (IC 95 % de la "
                f"probabilidad de divergir: 0–{chosen.loc[m, 'div_high']:.0%})."
            )
        else:
            lines.append(
                f"{names[m]}: sin tasa fiable en lr_grid (con todas alguna ejecución divergió o "
                "acabó peor que al empezar): no se "
                "compara en las secciones siguientes. Añade tasas menores a lr_grid."
            )
    return lines


def own_rate_lines(
    summary: pd.DataFrame,
    chosen: pd.DataFrame,
    rates: Mapping[str, float],
    names: Mapping[str, str],
    learning_rate: float,
) -> list[str]:
    """Lo que gana cada método con su tasa (``rates``, los que tienen tasa fiable), en
    medianas de validación del barrido; el batch completo, comparado con la tasa del
    original (`learning_rate`) si el barrido la probó."""
    lines = []
    gd = summary[summary["method"] == "full_batch"].set_index("lr")
    at_lr = gd.index[np.isclose(gd.index, learning_rate)]
    if "full_batch" in rates and len(at_lr):
        before = gd.loc[at_lr[0], "median"]
        lines.append(
            f"Batch completo: {before:.4f} con lr {learning_rate:g} → "
            f"{chosen.loc['full_batch', 'median']:.4f} con su tasa ({rates['full_batch']:g})."
        )
    lines += [
        f"{names[m]} con su tasa ({rates[m]:g}): {chosen.loc[m, 'median']:.4f}."
        for m in rates
        if m != "full_batch"
    ]
    return lines


def equal_epoch_runs(
    X: np.ndarray, y: np.ndarray, test: tuple, batch_sizes: Mapping, rates: Mapping, **runs
) -> tuple[dict, dict[str, np.ndarray]]:
    """Las mismas ejecuciones para cada método con su tasa y el MSE de prueba de cada una.

    Las entrena :func:`~.multirun.many_runs` (`runs`: ``init_seeds``, ``shuffle_seeds``,
    ``epochs``, ``n_jobs``, la validación…); `test` es ``(X_prueba, y_prueba)`` y el MSE de
    prueba es inf si la ejecución divergió. Devuelve ``({método: [History]}, {método:
    array})``; dos diccionarios vacíos si no hay métodos.
    """
    if not batch_sizes:
        return {}, {}
    histories, models = many_runs(X, y, dict(batch_sizes), dict(rates), **runs)
    test = {m: final_losses(histories[m], models[m], *test) for m in batch_sizes}
    return histories, test


def budget_overrides(n: int, batch_sizes: Mapping[str, int], budgets: Mapping[str, int]) -> dict:
    """``overrides`` de :func:`~.multirun.many_runs` para que cada método se pare tras su
    presupuesto de actualizaciones (con las épocas justas para llegar, de `n` filas)."""
    return {
        m: {
            "max_updates": budgets[m],
            "epochs": math.ceil(budgets[m] / math.ceil(n / batch_sizes[m])),
        }
        for m in batch_sizes
    }


def budget_curves(
    X: np.ndarray,
    y: np.ndarray,
    batch_sizes: Mapping[str, int],
    rates: Mapping[str, float],
    budgets: Mapping[str, int],
    *,
    every: int,
    init_seeds: Sequence[int],
    shuffle_seeds: Sequence[int],
    **train_kwargs,
) -> dict[str, np.ndarray]:
    """Cada método con su tasa hasta su presupuesto de actualizaciones (``budgets``), con la
    validación cada `every` actualizaciones: ``{método: matriz ejecuciones × puntos de
    control}`` (:func:`~.multirun.checkpoint_matrix`); vacío si no hay métodos."""
    if not batch_sizes:
        return {}
    histories, _ = many_runs(
        X,
        y,
        dict(batch_sizes),
        dict(rates),
        init_seeds=init_seeds,
        shuffle_seeds=shuffle_seeds,
        epochs=1,
        eval_every=every,
        overrides=budget_overrides(len(X), batch_sizes, budgets),
        **train_kwargs,
    )
    return {m: checkpoint_matrix(hs, budgets[m], every) for m, hs in histories.items()}


def _budget_row(curves: np.ndarray, every: int, t_equal: int, target: float) -> dict[str, str]:
    """Las celdas de un método en :func:`budget_table`."""
    to_target = updates_to_target(curves[:, : t_equal + 1], every, target)  # ∞: no llega
    reached = np.isfinite(to_target)
    median, steps = np.median(curves[:, t_equal]), np.median(to_target)
    return {
        "median_at_budget": f"{median:.4f}" if np.isfinite(median) else "divergen la mayoría",
        "reached": f"{reached.sum()} de {len(to_target)}",
        "median_updates_to_target": f"{steps:.0f}" if np.isfinite(steps) else "no llega",
    }


def budget_table(
    curves: Mapping[str, np.ndarray],
    batch_sizes: Mapping[str, int],
    *,
    every: int,
    t_equal: int,
    target: float,
) -> pd.DataFrame:
    """A igual número de pasos (el punto de control `t_equal`): la mediana del MSE de
    validación (``median_at_budget``), cuántas ejecuciones alcanzan `target` en esos pasos
    (``reached``, «k de n») y la mediana de los pasos hasta el objetivo de **todas** las
    ejecuciones (``median_updates_to_target``): una que no llega cuenta como ∞, nunca se quita
    (si no llega la mitad, la mediana es «no llega»). Como texto para mostrar; índice
    ``method``, con ``B``."""
    rows = [
        {"method": m, "B": batch_sizes[m], **_budget_row(c, every, t_equal, target)}
        for m, c in curves.items()
    ]
    return pd.DataFrame(rows).set_index("method")
