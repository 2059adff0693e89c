"""Lo que cuesta un batch: tiempo por actualización, memoria e hilos de BLAS.

Notebooks 03 (sección 2) y 04 (sección 6). Las medidas de tiempo se hacen en serie
(nunca en procesos paralelos) y con los hilos de BLAS fijados explícitamente con
threadpoolctl. Son volátiles: los notebooks no validan sus cifras.
El notebook 03 mide los µs por actualización de cada B (:func:`time_per_update`) y los
compara con un hardware paralelo ideal (:func:`ideal_parallel_cost`).

Columnas (claves de máquina): ``B``, ``us_per_update``, ``s_per_epoch``,
``samples_per_s``, ``updates_per_epoch``; ``us_{k}_threads``, ``threads_used_{k}``,
``speedup_{b}_vs_{a}``; ``forward_bytes``, ``forward_backward_bytes``,
``measured_peak_bytes``.
"""

from __future__ import annotations

import math
import tracemalloc
from collections.abc import Sequence

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_info, threadpool_limits

from ..mlp import MLP
from ..training import train
from ..training.batching import batches_per_epoch

__all__ = [
    "blas_threads_effect",
    "ideal_parallel_cost",
    "memory_per_batch",
    "time_per_update",
]


def _timed_run(model, X, y, B, seed, seconds, updates=None):
    """Un entrenamiento de una copia de `model` (tasa ínfima: solo se mide).

    Dura ~`seconds` s o, con `updates`, hace ese número de actualizaciones (20 veces menos con
    B > 512, que son lentas).
    """
    common = {"batch_size": B, "learning_rate": 1e-6, "seed": seed}
    if updates is None:
        return train(model.copy(), X, y, time_budget=seconds, **common)
    k = updates if B <= 512 else max(3, updates // 20)
    epochs = math.ceil(k / batches_per_epoch(len(X), B))
    return train(model.copy(), X, y, epochs=epochs, max_updates=k, **common)


def _median_time(model, X, y, B, seconds, repeats, seed) -> float:
    """Mediana de µs por actualización en `repeats` entrenamientos de ~`seconds` s."""
    times = []
    for r in range(repeats):
        h = _timed_run(model, X, y, B, seed + r, seconds)
        times.append(h.total_time / h.n_updates)
    return 1e6 * float(np.median(times))


def _throughput(us_per_update: float, n: int, batch_size: int) -> dict[str, float]:
    """µs por actualización → segundos por época (⌈N/B⌉ actualizaciones) y muestras/s."""
    per_epoch = batches_per_epoch(n, batch_size)
    s_per_epoch = us_per_update * 1e-6 * per_epoch
    return {
        "us_per_update": us_per_update,
        "s_per_epoch": s_per_epoch,
        "samples_per_s": n / s_per_epoch,
        "updates_per_epoch": per_epoch,
    }


def time_per_update(
    model: MLP,
    X: np.ndarray,
    y: np.ndarray,
    batch_sizes: Sequence[int],
    *,
    seconds: float = 0.2,
    updates: int | None = None,
    repeats: int = 3,
    threads: int = 1,
    seed: int = 0,
) -> pd.DataFrame:
    """µs por actualización, segundos por época y muestras/s para cada B.

    Cada repetición dura ~`seconds` s o, con `updates`, hace ese número de actualizaciones
    (20 veces menos con B > 512).

    Las repeticiones se **intercalan** (repetición 1 de todos los B, luego la 2…): una
    racha de carga en la máquina no cae entera sobre un solo B. Las muestras por segundo
    cuentan las muestras **realmente procesadas** (``History.samples_seen``: el último
    batch de cada época es más pequeño). Columnas ``B``, ``us_per_update`` (mediana),
    ``us_per_update_min`` (la menos perturbada), ``s_per_epoch``, ``samples_per_s``
    (mediana), ``samples_per_s_max`` y ``updates_per_epoch``.
    """
    n = len(X)
    runs: dict[int, list] = {B: [] for B in batch_sizes}
    with threadpool_limits(limits=threads, user_api="blas"):
        for r in range(repeats):
            for B in batch_sizes:
                h = _timed_run(model, X, y, B, seed + r, seconds, updates)
                runs[B].append((h.total_time / h.n_updates, h.samples_seen[-1] / h.total_time))
    rows = []
    for B, values in runs.items():
        per_update = np.array([v[0] for v in values])
        rate = np.array([v[1] for v in values])
        rows.append(
            {
                "B": B,
                "us_per_update": 1e6 * float(np.median(per_update)),
                "us_per_update_min": 1e6 * float(per_update.min()),
                "s_per_epoch": n / float(np.median(rate)),
                "samples_per_s": float(np.median(rate)),
                "samples_per_s_max": float(rate.max()),
                "updates_per_epoch": batches_per_epoch(n, B),
            }
        )
    return pd.DataFrame(rows)


def blas_threads_effect(
    model: MLP,
    X: np.ndarray,
    y: np.ndarray,
    batch_sizes: Sequence[int],
    *,
    threads: Sequence[int] = (1, 2),
    seconds: float = 0.3,
    repeats: int = 3,
    seed: int = 0,
) -> pd.DataFrame:
    """µs por actualización con 1, 2… hilos de BLAS (threadpoolctl), y el hilo efectivo."""
    rows = []
    for B in batch_sizes:
        row = {"B": B}
        for k in threads:
            with threadpool_limits(limits=k, user_api="blas"):
                used = max(i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas")
                row[f"us_{k}_threads"] = _median_time(model, X, y, B, seconds, repeats, seed)
                row[f"threads_used_{k}"] = used
        rows.append(row)
    table = pd.DataFrame(rows)
    if len(threads) >= 2 and len(table):
        a, b = threads[0], threads[-1]
        table[f"speedup_{b}_vs_{a}"] = table[f"us_{a}_threads"] / table[f"us_{b}_threads"]
    return table


def memory_per_batch(
    model: MLP, X: np.ndarray, y: np.ndarray, batch_sizes: Sequence[int]
) -> pd.DataFrame:
    """Memoria de un paso de entrenamiento según B: calculada y medida.

    *Calculada*: los bytes de los arrays que forward guarda para backward (la salida de
    cada capa) más el pico de backward, que es la capa más ancha: su δ y su máscara
    ``sign(A)`` vivos a la vez (los δ anteriores ya se liberaron). *Medida*: el pico de
    ``tracemalloc`` durante un ``train_step`` (NumPy informa a tracemalloc de sus
    reservas).
    """
    widest = max(model.layer_sizes[1:-1], default=model.layer_sizes[-1])
    rows = []
    for B in batch_sizes:
        m = model.copy()
        xb, yb = X[:B], y[:B]
        m.train_step(xb, yb, 0.0)  # calentamiento: buffers que se reservan una vez
        tracemalloc.start()
        m.train_step(xb, yb, 0.0)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        forward = sum(a.nbytes for a in m.activations[1:])
        backward = 2 * 8 * B * widest  # δ y sign(A) de la capa más ancha, en float64
        rows.append(
            {
                "B": B,
                "forward_bytes": forward,
                "forward_backward_bytes": forward + backward,
                "measured_peak_bytes": peak,
            }
        )
    return pd.DataFrame(rows)


def ideal_parallel_cost(cost: pd.DataFrame, parallel_width: int = 4096) -> pd.Series:
    """Hardware paralelo ideal: un paso cuesta lo mismo que con el menor B hasta
    `parallel_width` muestras y crece en proporción a partir de ahí. Índice ``B``."""
    base = float(cost.loc[cost["B"].idxmin(), "us_per_update"])
    return pd.Series(
        base * np.maximum(1.0, cost["B"].to_numpy() / parallel_width),
        index=cost["B"].to_numpy(),
        name="us_per_update",
    )
