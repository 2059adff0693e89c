"""Las colas pesadas y SGD: qué cambia cada preparación de las variables (caso práctico).

Mide lo que cada preparación de :mod:`batchlab.features` cambia cuando se entrena con B = 1
(:func:`compare_pipelines`): número de condición, fila más alejada en entrenamiento y prueba,
picos de la pérdida por batch, P(divergencia) a una tasa fija en varias semillas de barajado y
MSE de prueba; con una regla escrita (:func:`choose_pipeline`) que elige la que adopta el
curso. También localiza las filas extremas y su peso en el gradiente (:func:`extreme_rows`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..data import split_and_scale
from ..features import PIPELINES, condition_number, max_abs_z
from ..stats import bootstrap_interval, wilson_interval
from .baselines import final_test_mse
from .grid import Run, run_grid

__all__ = ["choose_pipeline", "compare_pipelines", "extreme_rows"]


def extreme_rows(
    X: np.ndarray, y: np.ndarray, model, feature_names, threshold: float = 20.0
) -> pd.DataFrame:
    """Las filas con alguna variable a más de `threshold` σ y su peso en el gradiente.

    `X` son las variables ya estandarizadas del entrenamiento. Para cada fila se mide
    ‖∇ℓᵢ‖² con los pesos de `model` (sin entrenarlo) y su parte de Σᵢ‖∇ℓᵢ‖² (= N·tr de la
    matriz de segundos momentos del gradiente por muestra: el ruido de SGD con B = 1).
    Índice ``position`` (fila de `X`); columnas ``feature`` (la variable más alejada),
    ``z``, ``share_grad`` (fracción de Σ‖∇ℓᵢ‖²), de la más alejada a la menos.
    """
    X, y = np.asarray(X, dtype=np.float64), np.asarray(y, dtype=np.float64).reshape(len(X), -1)
    far = np.abs(X).max(axis=1)
    norms = np.empty(len(X))
    probe = model.copy()
    for i in range(len(X)):
        probe.loss_and_gradient(X[i : i + 1], y[i : i + 1])
        norms[i] = float(np.vdot(probe.grad, probe.grad))
    rows = np.flatnonzero(far > threshold)
    rows = rows[np.argsort(-far[rows])]
    names = [feature_names[int(np.abs(X[i]).argmax())] for i in rows]
    return pd.DataFrame(
        {"feature": names, "z": far[rows], "share_grad": norms[rows] / norms.sum()},
        index=pd.Index(rows, name="position"),
    )


def compare_pipelines(
    df: pd.DataFrame,
    *,
    seed: int = 42,
    test_size: float = 0.2,
    pipelines=PIPELINES,
    learning_rate: float = 0.001,
    epochs: int = 2,
    shuffle_seeds=tuple(range(10)),
    model_seed: int = 0,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Compara las preparaciones con SGD de una muestra (B = 1) a una tasa fija.

    Para cada preparación: la misma división (`seed`, `test_size`), los mismos pesos
    iniciales (`model_seed`) y una ejecución por semilla de barajado de `shuffle_seeds`
    (``train_many``, `epochs` épocas). Devuelve dos tablas con claves de máquina:

    * resumen (índice ``pipeline``): ``condition`` (:func:`condition_number` del
      entrenamiento preparado), ``max_z_train``, ``max_z_test``, ``spike`` (máximo / mediana
      de la pérdida por batch en la primera época de la primera semilla; inf si divergió
      en ella), ``diverged`` (k), ``runs`` (n), ``p_div_low`` y ``p_div_high`` (intervalo
      de Wilson del 95 % de k/n), ``median_test_mse`` (diverge ⇒ inf) y ``mse_low``,
      ``mse_high`` (intervalo bootstrap del 95 % de esa mediana);
    * por ejecución (índice ``pipeline``, ``shuffle_seed``): ``test_mse`` y ``diverged``.

    Una ejecución diverge si ``train`` lo detecta o si su MSE de prueba final no es finito
    o supera ``baselines.DIVERGENCE_FACTOR`` veces el inicial (así también cuenta la que explota
    en su última época).
    """
    seeds = [int(s) for s in shuffle_seeds]
    summary, runs = [], []
    for name in pipelines:
        split = split_and_scale(df, test_size=test_size, seed=seed, features=name)
        cells = [Run(1, learning_rate, s, model_seed) for s in seeds]
        grid = run_grid(
            cells, split.X_train, split.y_train, epochs=epochs,
            X_val=split.X_test, y_val=split.y_test,
        )  # fmt: skip
        hs, models = grid.histories, grid.models
        mses = [
            final_test_mse(h, m, split.X_test, split.y_test)
            for h, m in zip(hs, models, strict=True)
        ]
        for s, v in zip(seeds, mses, strict=True):
            runs.append({"pipeline": name, "shuffle_seed": s, "test_mse": v,
                         "diverged": not np.isfinite(v)})  # fmt: skip
        k = int(sum(not np.isfinite(v) for v in mses))
        p_low, p_high = wilson_interval(k, len(seeds))
        mse_low, mse_high = bootstrap_interval(mses)
        summary.append(
            {
                "pipeline": name,
                "condition": condition_number(split.X_train),
                "max_z_train": float(max_abs_z(split.X_train).max()),
                "max_z_test": float(max_abs_z(split.X_test).max()),
                "spike": _spike(hs[0], len(split.X_train)),
                "diverged": k,
                "runs": len(seeds),
                "p_div_low": p_low,
                "p_div_high": p_high,
                "median_test_mse": float(np.median(mses)),
                "mse_low": mse_low,
                "mse_high": mse_high,
            }
        )
    return (
        pd.DataFrame(summary).set_index("pipeline"),
        pd.DataFrame(runs).set_index(["pipeline", "shuffle_seed"]),
    )


def choose_pipeline(summary: pd.DataFrame) -> str | None:
    """La regla del curso: entre las preparaciones sin ninguna divergencia en sus n
    ejecuciones, la de menor mediana del MSE de prueba; None si ninguna se libra."""
    safe = summary[(summary["diverged"] == 0) & np.isfinite(summary["median_test_mse"])]
    if safe.empty:
        return None
    return str(safe["median_test_mse"].idxmin())


def _spike(history, n_rows: int) -> float:
    """Máximo / mediana de la pérdida por batch en la primera época (inf si no la terminó)."""
    if history.epochs_completed == 0:
        return float("inf")
    first = np.asarray(history.update_loss[:n_rows])
    return float(first.max() / np.median(first))
