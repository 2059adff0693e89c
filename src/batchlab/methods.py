"""Notebook 03: batch completo, SGD y mini-batch, comparados con justicia.

Los tres métodos son el mismo ``train()`` con otro tamaño de batch B. Los resultados se
guardan por **clave de método** (:func:`method_id`: ``"full_batch"``, ``"sgd"``,
``"mini_batch"``), que no depende de N; el B de cada ejecución va en su ``History`` (o
en la columna ``B``). Las etiquetas en español salen de :mod:`batchlab.labels`.
Comparaciones: a igual número de épocas (:func:`compare_methods`,
:func:`epoch_table`), de actualizaciones (:func:`loss_at_updates`) y de tiempo
(:func:`race`).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence

import numpy as np
import pandas as pd

from .batching import batches_per_epoch
from .data import HousingSplit
from .labels import method_label
from .mlp import MLP
from .training import History, train

__all__ = [
    "ORIGINAL_PUBLISHED",
    "checkpoint_matrix",
    "compare_methods",
    "cost_per_update",
    "epoch_table",
    "final_losses",
    "gradient_cosines",
    "ideal_parallel_cost",
    "loss_at_updates",
    "lottery",
    "many_runs",
    "method_id",
    "method_labels",
    "original_orders",
    "race",
    "reproduce_original",
    "run_seeds",
    "runs_table",
    "updates_to_target",
]

#: Formas de las tres matrices de pesos que el original sacaba con ``randn``.
ORIGINAL_SHAPES = ((8, 64), (64, 32), (32, 1))
#: Pérdidas de entrenamiento que imprimió el original (épocas 2, 4, 6, 8 y 10), por método.
ORIGINAL_PUBLISHED = {
    "full_batch": (2.1975, 2.0170, 1.8635, 1.7325, 1.6202),
    "sgd": (0.4071, 0.3140, 0.2908, 0.2757, 0.2655),
    "mini_batch": (0.5006, 0.4386, 0.4167, 0.3805, 0.3922),
}


def original_orders(n: int, seed: int = 42) -> Iterator[np.ndarray]:
    """Los órdenes de las filas del material original, época a época.

    El original llamaba a ``np.random.seed(42)`` en el constructor de cada red, sacaba
    sus tres matrices de pesos con ``randn`` y después una ``np.random.permutation(n)``
    por época del mismo estado global. Se pasan a ``train(..., orders=...)`` (un
    iterador nuevo por entrenamiento).
    """
    legacy = np.random.RandomState(seed)
    for shape in ORIGINAL_SHAPES:
        legacy.randn(*shape)
    while True:
        yield legacy.permutation(n)


def method_id(batch_size: int, n: int) -> str:
    """La clave del método según B y las N filas: ``full_batch``, ``sgd`` o ``mini_batch``."""
    if batch_size >= n:
        return "full_batch"
    return "sgd" if batch_size == 1 else "mini_batch"


def method_labels(batch_sizes: Sequence[int], n: int) -> dict[str, str]:
    """``{clave del método: etiqueta en español}`` de unos tamaños de batch (para mostrar)."""
    return {
        key: method_label(key, b)
        for key, b in zip(_method_ids(batch_sizes, n), batch_sizes, strict=True)
    }


def _method_ids(batch_sizes: Sequence[int], n: int) -> list[str]:
    """Las claves de `batch_sizes`; cada método una sola vez (si no, se pisarían)."""
    ids = [method_id(b, n) for b in batch_sizes]
    if len(set(ids)) != len(ids):
        raise ValueError(f"Cada método una sola vez: los tamaños {list(batch_sizes)} dan {ids}.")
    return ids


def compare_methods(
    model: MLP,
    X: np.ndarray,
    y: np.ndarray,
    batch_sizes: Sequence[int],
    learning_rates: float | Sequence[float],
    *,
    epochs: int,
    seed: int,
    **train_kwargs,
) -> dict[str, History]:
    """Entrena una copia de `model` (mismos pesos iniciales) por tamaño de batch.

    `learning_rates` es una tasa común o una por método. Devuelve
    ``{clave del método: History}`` en el orden de `batch_sizes`.
    """
    lrs = (
        [learning_rates] * len(batch_sizes) if np.isscalar(learning_rates) else list(learning_rates)
    )
    if len(lrs) != len(batch_sizes):
        raise ValueError("Da una tasa de aprendizaje común o una por tamaño de batch.")
    ids = _method_ids(batch_sizes, len(X))
    return {
        key: train(
            model.copy(),
            X,
            y,
            batch_size=bs,
            learning_rate=lr,
            epochs=epochs,
            seed=seed,
            **train_kwargs,
        )
        for key, bs, lr in zip(ids, batch_sizes, lrs, strict=True)
    }


def epoch_table(histories: dict[str, History]) -> pd.DataFrame:
    """Pérdida por época de cada método.

    Columnas ``(clave, "train")`` y, si hubo validación/prueba, ``(clave, "test")``;
    índice ``epoch`` desde 1.
    """
    columns = {}
    for name, h in histories.items():
        columns[(name, "train")] = pd.Series(h.train_loss)
        if h.val_loss is not None:
            columns[(name, "test")] = pd.Series(h.val_loss)
    table = pd.DataFrame(columns)
    table.index = pd.RangeIndex(1, len(table) + 1, name="epoch")
    return table


def loss_at_updates(
    model: MLP,
    split: HousingSplit,
    batch_sizes: Sequence[int],
    learning_rate: float,
    n_updates: int,
    seed: int,
) -> pd.DataFrame:
    """Pérdida de prueba de cada método tras exactamente `n_updates` actualizaciones.

    Índice ``method``; columnas ``updates``, ``epochs_seen`` (muestras / N) y
    ``test_mse``.
    """
    rows = []
    n = len(split.X_train)
    for key, bs in zip(_method_ids(batch_sizes, n), batch_sizes, strict=True):
        m = model.copy()
        h = train(
            m,
            split.X_train,
            split.y_train,
            batch_size=bs,
            learning_rate=learning_rate,
            epochs=math.ceil(n_updates / batches_per_epoch(n, bs)),
            seed=seed,
            max_updates=n_updates,
        )
        rows.append(
            {
                "method": key,
                "updates": h.n_updates,
                "epochs_seen": h.samples_seen[-1] / n,
                "test_mse": m.loss(split.X_test, split.y_test),
            }
        )
    return pd.DataFrame(rows).set_index("method")


def race(
    model: MLP,
    split: HousingSplit,
    batch_sizes: Sequence[int],
    learning_rates: Sequence[float],
    time_budget: float,
    seed: int,
    checkpoints: int = 40,
) -> dict[str, History]:
    """Cada método entrena `time_budget` segundos, evaluando la prueba por el camino.

    Unos `checkpoints` puntos de control por época (uno por actualización con el batch
    completo). Los resultados dependen de la velocidad de la máquina. Devuelve
    ``{clave del método: History}``.
    """
    n = len(split.X_train)
    out = {}
    for key, bs, lr in zip(_method_ids(batch_sizes, n), batch_sizes, learning_rates, strict=True):
        out[key] = train(
            model.copy(),
            split.X_train,
            split.y_train,
            batch_size=bs,
            learning_rate=lr,
            epochs=10**6,
            seed=seed,
            X_val=split.X_test,
            y_val=split.y_test,
            eval_every=max(1, batches_per_epoch(n, bs) // checkpoints),
            time_budget=time_budget,
        )
    return out


# -- muchas ejecuciones por configuración (issue 11) ---------------------------------------
def run_seeds(n_runs: int, model_seed: int, offset: int = 0) -> tuple[list[int], list[int]]:
    """Semillas de las `n_runs` ejecuciones de una configuración: la r parte de los pesos
    ``MLP(rng=model_seed + offset + r)`` y baraja con ``1000 + model_seed + offset + r``
    (varían a la vez la inicialización y el orden). Devuelve ``(iniciales, barajado)``."""
    base = model_seed + offset
    return [base + r for r in range(n_runs)], [1000 + base + r for r in range(n_runs)]


def many_runs(
    X: np.ndarray,
    y: np.ndarray,
    batch_sizes: dict[str, int],
    learning_rates: dict[str, float],
    *,
    init_seeds: Sequence[int],
    shuffle_seeds: Sequence[int],
    n_jobs: int = 1,
    overrides: dict[str, dict] | None = None,
    **train_kwargs,
) -> tuple[dict[str, list[History]], dict[str, list[MLP]]]:
    """Las mismas ejecuciones (pesos y barajado) para cada método, cada uno con su tasa.

    ``batch_sizes`` y ``learning_rates`` van por clave de método. Los métodos avanzan en
    grupos independientes (:func:`batchlab.lockstep.train_groups`, ``n_jobs`` procesos;
    los números no dependen de ``n_jobs``); ``overrides[método]`` cambia argumentos de
    ``train_many`` solo para ese método (p. ej. ``max_updates``). Devuelve
    ``({método: [History]}, {método: [MLP entrenado]})``, una entrada por ejecución.
    """
    from .lockstep import train_groups  # lockstep importa training: aquí, sin ciclo

    keys = list(batch_sizes)
    models = {k: [MLP(rng=s) for s in init_seeds] for k in keys}
    groups = [
        dict(
            models=models[k],
            batch_size=batch_sizes[k],
            learning_rates=learning_rates[k],
            seeds=list(shuffle_seeds),
            **(overrides or {}).get(k, {}),
        )
        for k in keys
    ]
    parts = train_groups(groups, X, y, n_jobs=n_jobs, **train_kwargs)
    return dict(zip(keys, parts, strict=True)), models


def final_losses(histories: list[History], models: list[MLP], X, y) -> np.ndarray:
    """Pérdida de cada ejecución en (X, y) con sus pesos finales; inf si divergió."""
    with np.errstate(over="ignore", invalid="ignore"):
        return np.array(
            [
                math.inf if h.diverged else m.loss(X, y)
                for h, m in zip(histories, models, strict=True)
            ]
        )


def runs_table(histories: dict[str, list[History]], losses: dict[str, np.ndarray]) -> pd.DataFrame:
    """Resumen por método de unas ejecuciones: B, lr, «k de n» divergidas y la mediana,
    el mínimo y el máximo de `losses` entre las que no divergieron. Índice ``method``."""
    rows = []
    for key, hs in histories.items():
        ok = np.asarray(losses[key])[[not h.diverged for h in hs]]
        k = sum(h.diverged for h in hs)
        rows.append(
            {
                "method": key,
                "B": hs[0].batch_size,
                "lr": hs[0].learning_rate,
                "diverged": f"{k} de {len(hs)}",
                "median": float(np.median(ok)) if len(ok) else math.nan,
                "min": float(ok.min()) if len(ok) else math.nan,
                "max": float(ok.max()) if len(ok) else math.nan,
            }
        )
    return pd.DataFrame(rows).set_index("method")


def checkpoint_matrix(histories: list[History], n_updates: int, every: int) -> np.ndarray:
    """Pérdida en los puntos de control 0, every, 2·every… ≤ n_updates, una fila por
    ejecución; inf desde que una ejecución divergió (nunca su último valor finito)."""
    n_points = n_updates // every + 1
    out = np.full((len(histories), n_points), math.inf)
    for i, h in enumerate(histories):
        losses = np.asarray(h.checkpoint_loss[:n_points], dtype=float)
        out[i, : len(losses)] = losses
        if h.diverged and len(losses):
            out[i, len(losses) - 1 :] = math.inf  # el punto de la divergencia, inclusive
    return np.where(np.isfinite(out), out, math.inf)


def updates_to_target(curves: np.ndarray, every: int, target: float) -> np.ndarray:
    """Primera actualización (múltiplo de `every`) con pérdida ≤ `target`, por ejecución;
    inf si no la alcanza."""
    hit = curves <= target
    first = np.where(hit.any(axis=1), hit.argmax(axis=1) * every, math.inf)
    return first.astype(float)


def gradient_cosines(
    model: MLP, X: np.ndarray, y: np.ndarray, batch_size: int, n_batches: int = 1000, seed: int = 0
) -> np.ndarray:
    """Coseno entre el gradiente de `n_batches` batches al azar (sin reemplazo dentro de
    cada uno) y el gradiente completo, con los pesos de `model` fijos."""
    m = model.copy()
    m.loss_and_gradient(X, y)
    full = m.grad.copy()
    rng = np.random.default_rng(seed)
    out = np.empty(n_batches)
    for k in range(n_batches):
        idx = rng.choice(len(X), batch_size, replace=False)
        m.loss_and_gradient(X[idx], y[idx])
        out[k] = m.grad @ full / (np.linalg.norm(m.grad) * np.linalg.norm(full))
    return out


def cost_per_update(
    model: MLP,
    X: np.ndarray,
    y: np.ndarray,
    batch_sizes: Sequence[int],
    *,
    repeats: int = 5,
    updates: int = 200,
) -> pd.DataFrame:
    """Mediana de µs por actualización de cada B (volátil: es tiempo).

    Las repeticiones se intercalan (B₁, B₂, …, B₁, B₂, …) para que la carga de la máquina
    afecte a todos por igual; un hilo de BLAS, en serie. Con B > 512 se hacen 20 veces
    menos actualizaciones. Columnas ``B`` y ``us_per_update``.
    """
    from threadpoolctl import threadpool_limits

    n = len(X)
    times: dict[int, list[float]] = {b: [] for b in batch_sizes}
    with threadpool_limits(limits=1, user_api="blas"):
        for r in range(repeats):
            for b in batch_sizes:
                k = updates if b <= 512 else max(3, updates // 20)
                h = train(
                    model.copy(),
                    X,
                    y,
                    batch_size=b,
                    learning_rate=1e-6,
                    epochs=math.ceil(k / batches_per_epoch(n, b)),
                    max_updates=k,
                    seed=r,
                )
                times[b].append(1e6 * h.total_time / h.n_updates)
    return pd.DataFrame(
        {"B": list(batch_sizes), "us_per_update": [float(np.median(times[b])) for b in batch_sizes]}
    )


def ideal_parallel_cost(cost: pd.DataFrame, parallel_width: int = 4096) -> pd.Series:
    """Hardware paralelo ideal: un paso cuesta lo mismo que con el menor B hasta
    `parallel_width` muestras y crece en proporción a partir de ahí. Índice ``B``."""
    base = float(cost.loc[cost["B"].idxmin(), "us_per_update"])
    return pd.Series(
        base * np.maximum(1.0, cost["B"].to_numpy() / parallel_width),
        index=cost["B"].to_numpy(),
        name="us_per_update",
    )


def lottery(
    X: np.ndarray,
    y: np.ndarray,
    subsets: dict[str, np.ndarray],
    *,
    learning_rate: float,
    init_seeds: Sequence[int],
    shuffle_seeds: Sequence[int],
    epochs: int = 3,
) -> dict[str, list[bool]]:
    """SGD (B = 1) con las mismas semillas sobre varios subconjuntos de filas
    (``{nombre: máscara booleana}``): qué ejecuciones divergen en cada uno."""
    from .lockstep import train_many

    out = {}
    for name, keep in subsets.items():
        hs = train_many(
            [MLP(rng=s) for s in init_seeds],
            X[keep],
            y[keep],
            batch_size=1,
            learning_rates=learning_rate,
            seeds=list(shuffle_seeds),
            epochs=epochs,
        )
        out[name] = [h.diverged for h in hs]
    return out


def reproduce_original(
    X: np.ndarray, y: np.ndarray, model: MLP, learning_rate: float = 0.001
) -> pd.DataFrame:
    """Las 15 cifras publicadas del original (3 métodos × épocas 2, 4, 6, 8, 10) frente a
    las nuestras, con sus órdenes (:func:`original_orders`). Índice ``(method, epoch)``;
    columnas ``published``, ``batchlab`` (4 decimales) y ``match``."""
    rows = []
    sizes = {"full_batch": len(X), "sgd": 1, "mini_batch": 32}
    for key, published in ORIGINAL_PUBLISHED.items():
        h = train(
            model.copy(),
            X,
            y,
            batch_size=sizes[key],
            learning_rate=learning_rate,
            epochs=10,
            orders=original_orders(len(X)),
        )
        ours = np.round(h.train_loss[1::2], 4) if not h.diverged else [math.nan] * 5
        for epoch, p, o in zip((2, 4, 6, 8, 10), published, ours, strict=True):
            rows.append(
                {
                    "method": key,
                    "epoch": epoch,
                    "published": p,
                    "batchlab": float(o),
                    "match": bool(p == o),
                }
            )
    return pd.DataFrame(rows).set_index(["method", "epoch"])
