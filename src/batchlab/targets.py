"""Notebook 04: los pasos hasta una pérdida objetivo y la escala de ruido que se lee en ellos.

Reglas escritas una vez y usadas por el notebook y sus tests (McCandlish et al., 2018):

* los **pasos hasta un objetivo** con puntos de control geométricos
  (:func:`run_to_target`, :func:`steps_runs`) y el mejor lr por B para llegar
  (:func:`steps_by_batch`);
* el **ajuste** S(B) = S_min (1 + B_ruido/B) con bootstrap (:func:`fit_steps`,
  :func:`bootstrap_steps`);
* la **brecha de generalización** a igual pérdida de entrenamiento
  (:func:`gap_at_train_loss`), que para cada ejecución al llegar al objetivo.

Claves de máquina: ``B``, ``lr``, ``seed``, ``optimizer``; ``steps``, ``samples``,
``reached``, ``diverged``; ``train``, ``test``, ``gap``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from .batching import epoch_orders, minibatches
from .mlp import MLP
from .optimizers import Adam, Nesterov
from .training import DIVERGENCE_FACTOR  # el mismo factor que train()

__all__ = [
    "bootstrap_steps",
    "fit_steps",
    "gap_at_train_loss",
    "run_to_target",
    "steps_by_batch",
    "steps_runs",
]


def _stepper(model: MLP, optimizer: str, momentum: float):
    """La función ``paso(X, y, lr)`` del optimizador pedido."""
    if optimizer == "sgd":
        return model.train_step
    if optimizer == "adam":
        return Adam(model).step
    if optimizer == "nesterov":
        return Nesterov(model, momentum=momentum).step
    raise ValueError(f"optimizer debe ser 'sgd', 'nesterov' o 'adam'; se recibió {optimizer!r}")


def run_to_target(
    model: MLP,
    X: np.ndarray,
    y: np.ndarray,
    X_eval: np.ndarray,
    y_eval: np.ndarray,
    *,
    batch_size: int,
    learning_rate: float,
    seed: int,
    target: float,
    max_updates: int,
    optimizer: str = "sgd",
    momentum: float = 0.9,
    rel: float = 0.015,
) -> dict:
    """Entrena `model` en sitio hasta que la pérdida en ``(X_eval, y_eval)`` baja de `target`.

    Misma regla de batches que ``train()`` (:mod:`batchlab.batching`). Los puntos de
    control son **geométricos**: tras cada actualización hasta t = 1/`rel` y después cada
    ``max(1, int(rel·t))``, así que los pasos se cuentan con un error < `rel` (relativo).
    Devuelve ``steps`` (NaN si no llega), ``samples`` (muestras realmente procesadas,
    con el último batch de cada época más pequeño), ``reached`` y ``diverged``.
    """
    n = len(X)
    step = _stepper(model, optimizer, momentum)
    start = model.loss(X_eval, y_eval)
    t, samples, next_check = 0, 0, 1
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for order in epoch_orders(n, seed):
            Xs, ys = X[order], y[order]
            for s in minibatches(n, batch_size):
                step(Xs[s], ys[s], learning_rate)
                t += 1
                samples += s.stop - s.start
                if t < next_check and t < max_updates:
                    continue
                loss = model.loss(X_eval, y_eval)
                if not np.isfinite(loss) or loss > DIVERGENCE_FACTOR * start:
                    return {
                        "steps": math.nan,
                        "samples": math.nan,
                        "reached": False,
                        "diverged": True,
                    }
                if loss <= target:
                    return {"steps": t, "samples": samples, "reached": True, "diverged": False}
                if t >= max_updates:
                    return {
                        "steps": math.nan,
                        "samples": math.nan,
                        "reached": False,
                        "diverged": False,
                    }
                next_check = t + max(1, int(rel * t))
    raise AssertionError("inalcanzable")  # pragma: no cover


def steps_runs(
    model: MLP,
    X: np.ndarray,
    y: np.ndarray,
    X_eval: np.ndarray,
    y_eval: np.ndarray,
    candidates: dict[int, Sequence[float]],
    *,
    seeds: Sequence[int],
    target: float,
    max_epochs: int,
    optimizer: str = "sgd",
    n_jobs: int = 1,
    max_updates: int | None = None,
) -> pd.DataFrame:
    """:func:`run_to_target` para cada B, cada tasa candidata y cada semilla (una fila cada uno).

    Cada ejecución para en `max_epochs` épocas o en `max_updates` actualizaciones, lo
    primero que llegue (una tasa que no llega no gasta todo el presupuesto de épocas).
    """
    from joblib import Parallel, delayed

    n = len(X)
    jobs = [(B, lr, s) for B, lrs in candidates.items() for lr in lrs for s in seeds]

    def one(B, lr, s):
        r = run_to_target(
            model.copy(),
            X,
            y,
            X_eval,
            y_eval,
            batch_size=B,
            learning_rate=lr,
            seed=s,
            target=target,
            max_updates=min(max_epochs * -(-n // B), max_updates or math.inf),
            optimizer=optimizer,
        )
        return {"B": B, "lr": lr, "seed": s, "optimizer": optimizer, **r}

    rows = (
        Parallel(n_jobs=n_jobs)(delayed(one)(*j) for j in jobs)
        if n_jobs > 1
        else [one(*j) for j in jobs]
    )
    cols = ["B", "lr", "seed", "optimizer", "steps", "samples", "reached", "diverged"]
    return pd.DataFrame(rows, columns=cols).astype(
        {
            "B": int,
            "lr": float,
            "seed": int,
            "steps": float,
            "samples": float,
            "reached": bool,
            "diverged": bool,
        }
    )


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
    model: MLP,
    X: np.ndarray,
    y: np.ndarray,
    X_test: np.ndarray,
    y_test: np.ndarray,
    tuned: dict[int, float],
    *,
    seeds: Sequence[int],
    target: float,
    max_epochs: int,
    n_jobs: int = 1,
    max_updates: int | None = None,
) -> pd.DataFrame:
    """Brecha prueba − entrenamiento cuando la pérdida de **entrenamiento** baja de `target`.

    Cada B con su tasa (`tuned`) y cada semilla; puntos de control geométricos al 5 %.
    Filas ``B``, ``lr``, ``seed``, ``steps``, ``train``, ``test``, ``gap`` (NaN si no llega).
    """
    from joblib import Parallel, delayed

    n = len(X)

    def one(B, lr, s):
        m = model.copy()
        r = run_to_target(
            m,
            X,
            y,
            X,
            y,
            batch_size=B,
            learning_rate=lr,
            seed=s,
            target=target,
            max_updates=min(max_epochs * -(-n // B), max_updates or math.inf),
            rel=0.05,
        )
        tr = m.loss(X, y) if r["reached"] else math.nan
        te = m.loss(X_test, y_test) if r["reached"] else math.nan
        return {
            "B": B,
            "lr": lr,
            "seed": s,
            "steps": r["steps"],
            "train": tr,
            "test": te,
            "gap": te - tr,
        }

    jobs = [(B, lr, s) for B, lr in tuned.items() for s in seeds]
    rows = (
        Parallel(n_jobs=n_jobs)(delayed(one)(*j) for j in jobs)
        if n_jobs > 1
        else [one(*j) for j in jobs]
    )
    table = pd.DataFrame(rows, columns=["B", "lr", "seed", "steps", "train", "test", "gap"])
    return table.astype(
        {
            "B": int,
            "lr": float,
            "seed": int,
            "steps": float,
            "train": float,
            "test": float,
            "gap": float,
        }
    )
