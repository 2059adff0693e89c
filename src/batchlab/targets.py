"""Notebook 04: los pasos hasta una pérdida objetivo y la escala de ruido que se lee en ellos.

Reglas escritas una vez y usadas por el notebook y sus tests (McCandlish et al., 2018):

* los **pasos hasta un objetivo** (:func:`run_to_target`, :func:`steps_runs`), con los
  pesos al llegar (:func:`steps_and_models`), y el mejor lr por B para llegar
  (:func:`steps_by_batch`);
* el **ajuste** S(B) = S_min (1 + B_ruido/B) con bootstrap (:func:`fit_steps`,
  :func:`bootstrap_steps`);
* la **brecha de generalización** a igual pérdida de entrenamiento
  (:func:`gap_at_train_loss`), que para cada ejecución al llegar al objetivo.

Cada ejecución es un :func:`batchlab.train` con puntos de control geométricos
(``eval_rel``) y ``target_loss``; las de un mismo B (tasas × semillas) avanzan a la vez con
:func:`batchlab.lockstep.train_many` (los mismos números que ``train()`` solo) y los B se
reparten entre procesos con :func:`batchlab.lockstep.train_groups` (``n_jobs``).

Claves de máquina: ``B``, ``lr``, ``seed``, ``optimizer``; ``steps``, ``samples``,
``reached``, ``diverged``; ``train``, ``test``, ``gap``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from .history import History
from .lockstep import train_groups, uses_stack
from .mlp import MLP
from .training import train

__all__ = [
    "bootstrap_steps",
    "fit_steps",
    "gap_at_train_loss",
    "run_to_target",
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


def _outcome(history: History) -> dict:
    """``steps``, ``samples``, ``reached`` y ``diverged`` de un entrenamiento con objetivo.

    ``steps`` son las actualizaciones del punto de control que llegó al objetivo y
    ``samples`` las filas realmente procesadas hasta él (el último batch de cada época es
    más pequeño); NaN si no llegó. ``diverged`` es ``History.diverged`` (la regla de
    ``train()``).
    """
    reached = history.stop_reason == "target"
    return {
        "steps": float(history.n_updates) if reached else math.nan,
        "samples": float(history.samples_seen[-1]) if reached else math.nan,
        "reached": reached,
        "diverged": history.diverged,
    }


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

    Es :func:`batchlab.train` con ``X_val=X_eval``, ``target_loss=target``, como mucho
    `max_updates` actualizaciones y puntos de control **geométricos** (``eval_rel=rel``:
    tras cada actualización hasta t = 1/`rel` y después cada ``max(1, int(rel·t))``), así
    que los pasos se cuentan con un error < `rel` (relativo). Devuelve ``steps`` (las
    actualizaciones del punto de control que llegó; NaN si no llega), ``samples``
    (muestras realmente procesadas, con el último batch de cada época más pequeño),
    ``reached`` y ``diverged``.

    La divergencia es la de ``train()`` (``History.diverged``: una pérdida de batch no
    finita, o la media de una época o la pérdida con los pesos del final por encima de
    ``DIVERGENCE_FACTOR`` veces la inicial). Antes este módulo tenía su propio bucle con
    otra regla (la pérdida de evaluación de cada punto de control frente a
    ``DIVERGENCE_FACTOR`` veces la inicial, y una evaluación más al agotar el presupuesto):
    en las ejecuciones que rozan la divergencia, o que llegan justo al final del
    presupuesto, el resultado puede diferir del de entonces.
    """
    history = train(
        model,
        X,
        y,
        batch_size=batch_size,
        learning_rate=learning_rate,
        seed=seed,
        max_updates=max_updates,
        X_val=X_eval,
        y_val=y_eval,
        eval_rel=rel,
        target_loss=target,
        optimizer=optimizer,
        momentum=momentum,
    )
    return _outcome(history)


def _groups_by_batch(
    model: MLP, rates: dict[int, Sequence[float]], seeds: Sequence[int], n: int | None = None
):
    """Los grupos de :func:`train_groups` y la clave (B, lr, seed) de cada run, en el orden
    de los resultados; cada run entrena su copia del modelo.

    Un grupo por B (tasas × semillas) donde el apilado compensa (B ≤ ``STACK_MAX_BATCH``);
    por encima, ``train_many`` haría los runs uno tras otro con ``train()``, así que cada
    run es su propio grupo: los mismos números, y con ``n_jobs > 1`` el trabajo se reparte
    mejor entre procesos que con un bloque por B. Con `n` (filas de entrenamiento), un
    B ≥ `n` solo corre la primera semilla: su único batch tiene todas las filas y el
    barajado solo cambia el orden de la suma (las otras semillas repetirían el mismo run).
    """
    groups, keys = [], []
    for B, lrs in rates.items():
        run_seeds = seeds[:1] if n is not None and B >= n else seeds
        runs = [(float(lr), int(s)) for lr in lrs for s in run_seeds]
        chunks = [runs] if uses_stack(len(runs), B) else [[run] for run in runs]
        for chunk in chunks if runs else []:
            groups.append(
                dict(
                    models=[model.copy() for _ in chunk],
                    batch_size=int(B),
                    learning_rates=[lr for lr, _ in chunk],
                    seeds=[s for _, s in chunk],
                )
            )
            keys += [(int(B), lr, s) for lr, s in chunk]
    return groups, keys


def steps_runs(
    model: MLP,
    X: np.ndarray,
    y: np.ndarray,
    X_eval: np.ndarray,
    y_eval: np.ndarray,
    candidates: dict[int, Sequence[float]],
    **kw,
) -> pd.DataFrame:
    """La tabla de :func:`steps_and_models` (mismos argumentos), sin los modelos."""
    return steps_and_models(model, X, y, X_eval, y_eval, candidates, **kw)[0]


def steps_and_models(
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
    momentum: float = 0.9,
    rel: float = 0.015,
) -> tuple[pd.DataFrame, dict[tuple[int, float, int], MLP]]:
    """:func:`run_to_target` para cada B, cada tasa candidata y cada semilla: una fila por
    ejecución y, por ``(B, lr, semilla)``, el modelo con los pesos del punto de control que
    llegó (o del final, si no llegó), para medir algo **en el objetivo** sin reentrenar.

    Cada ejecución para en `max_epochs` épocas o en `max_updates` actualizaciones, lo
    primero que llegue (una tasa que no llega no gasta todo el presupuesto de épocas).
    Las ejecuciones de un mismo B van juntas en :func:`batchlab.lockstep.train_many` y se
    reparten entre `n_jobs` procesos (:func:`_groups_by_batch`). El resultado no depende
    de `n_jobs`. Un B ≥ N (el batch completo) corre solo la primera semilla: el barajado
    solo cambiaría el orden de la suma dentro de su único batch. `model` no cambia.
    """
    groups, keys = _groups_by_batch(model, candidates, seeds, len(X))
    histories = _train(
        groups,
        X,
        y,
        X_eval,
        y_eval,
        target,
        max_epochs,
        max_updates,
        n_jobs,
        eval_rel=rel,
        optimizer=optimizer,
        momentum=momentum,
    )
    rows = [
        {"B": B, "lr": lr, "seed": s, "optimizer": optimizer, **_outcome(h)}
        for (B, lr, s), h in zip(keys, histories, strict=True)
    ]
    models = dict(zip(keys, (m for g in groups for m in g["models"]), strict=True))
    return pd.DataFrame(rows, columns=STEPS_COLUMNS).astype(_STEPS_TYPES), models


def _train(groups, X, y, X_eval, y_eval, target, max_epochs, max_updates, n_jobs, **kw):
    """Los grupos con objetivo `target` en ``(X_eval, y_eval)`` (None: en el propio
    entrenamiento); las historias en el orden de los grupos."""
    if not groups:
        return []
    parts = train_groups(
        groups,
        X,
        y,
        n_jobs=n_jobs,
        epochs=max_epochs,
        max_updates=max_updates,
        X_val=X_eval,
        y_val=y_eval,
        target_loss=target,
        **kw,
    )
    return [h for part in parts for h in part]


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

    Cada B con su tasa (`tuned`) y cada semilla; puntos de control geométricos al 5 %
    sobre el conjunto de entrenamiento (``train()`` sin validación), las semillas de un B
    a la vez (:func:`batchlab.lockstep.train_many`) y los B repartidos en `n_jobs`
    procesos. Filas ``B``, ``lr``, ``seed``, ``steps``, ``train``, ``test``, ``gap`` (NaN si
    no llega, también si diverge: la regla de ``train()``).
    """
    groups, keys = _groups_by_batch(model, {B: [lr] for B, lr in tuned.items()}, seeds)
    histories = _train(
        groups, X, y, None, None, target, max_epochs, max_updates, n_jobs, eval_rel=0.05
    )
    trained = [m for g in groups for m in g["models"]]
    rows = []
    for (B, lr, s), h, m in zip(keys, histories, trained, strict=True):
        reached = h.stop_reason == "target"
        # la pérdida del punto de control que llegó: la de entrenamiento con esos pesos
        tr = float(h.checkpoint_loss[-1]) if reached else math.nan
        te = m.loss(X_test, y_test) if reached else math.nan
        rows.append(
            {
                "B": B,
                "lr": lr,
                "seed": s,
                "steps": _outcome(h)["steps"],
                "train": tr,
                "test": te,
                "gap": te - tr,
            }
        )
    return pd.DataFrame(rows, columns=GAP_COLUMNS).astype(_GAP_TYPES)
