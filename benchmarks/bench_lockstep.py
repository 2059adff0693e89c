"""Benchmark de ``train_many``: K entrenamientos a la vez frente a K llamadas a ``train()``.

Mide el rendimiento (actualizaciones de run por segundo) con los datos y la arquitectura
del curso (8→64→32→1, float64, SGD, N = 16 512) para K = 1, 4, 16 y 64 runs (distintas
semillas) y B = 1, 32 y 512:

* ``secuencial``: K llamadas a ``batchlab.train``, una tras otra;
* ``lockstep``: una llamada a ``batchlab.training.train_many`` con los K modelos (con
  B grande, ella misma elige ``train()`` run a run).

Como en ``bench_training.py`` se cuentan los bucles de época (``History.total_time``: el
barajado y las evaluaciones quedan fuera, igual para ambos); cada medida es la mediana de
varias repeticiones, las dos formas se intercalan y alternan el orden, y BLAS va a un
hilo (threadpoolctl). Aparte, dos grupos independientes (B = 1 y B = 4) con
``train_groups`` en serie y con ``n_jobs=2`` (tiempo de reloj de la llamada entera).

    python benchmarks/bench_lockstep.py            # o: make bench
    python benchmarks/bench_lockstep.py --tiny     # comprobación rápida (tests)
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

import batchlab as bl
from batchlab.lockstep import STACK_MAX_BATCH, train_groups
from batchlab.training import train_many

HERE = Path(__file__).resolve().parent
LEARNING_RATE = 1e-3
LAYERS = (8, 64, 32, 1)

FULL = dict(
    ks=(1, 4, 16, 64),
    batches=(1, 32, 512),
    updates={1: 1500, 32: 300, 512: 20},
    repeats=3,
    rows=None,
    group_k=16,
    group_updates=3000,
)
TINY = dict(
    ks=(1, 4),
    batches=(1, 32),
    updates={1: 40, 32: 8},
    repeats=1,
    rows=512,
    group_k=2,
    group_updates=20,
)


def fresh_models(k: int) -> list[bl.MLP]:
    """K modelos con pesos iniciales distintos (y siempre los mismos)."""
    return [bl.MLP(LAYERS, rng=np.random.default_rng(i)) for i in range(k)]


def run_sequential(X, y, k, batch_size, updates) -> float:
    """K llamadas a ``train()``; segundos de sus bucles de época."""
    epochs = -(-updates * batch_size // len(X))
    return sum(
        bl.train(
            m,
            X,
            y,
            batch_size=batch_size,
            learning_rate=LEARNING_RATE,
            epochs=epochs,
            seed=i,
            max_updates=updates,
        ).total_time
        for i, m in enumerate(fresh_models(k))
    )


def run_lockstep(X, y, k, batch_size, updates) -> float:
    """Una llamada a ``train_many``; segundos de sus bucles de época (todos los runs)."""
    epochs = -(-updates * batch_size // len(X))
    histories = train_many(
        fresh_models(k),
        X,
        y,
        batch_size=batch_size,
        learning_rates=LEARNING_RATE,
        seeds=list(range(k)),
        epochs=epochs,
        max_updates=updates,
    )
    return sum(h.total_time for h in histories)


def benchmark(X, y, cfg) -> pd.DataFrame:
    """Las dos formas intercaladas; una fila por (forma, B, K, repetición)."""
    run_sequential(X[:256], y[:256], 2, 8, 10)  # calentamiento
    run_lockstep(X[:256], y[:256], 2, 8, 10)
    ways = {"secuencial": run_sequential, "lockstep": run_lockstep}
    rows = []
    for rep in range(cfg["repeats"]):
        for B in cfg["batches"]:
            for k in cfg["ks"]:
                names = list(ways) if (rep + k) % 2 == 0 else list(ways)[::-1]
                for name in names:
                    seconds = ways[name](X, y, k, B, cfg["updates"][B])
                    rows.append(
                        {
                            "forma": name,
                            "B": B,
                            "K": k,
                            "rep": rep,
                            "segundos": seconds,
                            "run_updates": k * cfg["updates"][B],
                        }
                    )
    return pd.DataFrame(rows)


def summarize(raw: pd.DataFrame) -> pd.DataFrame:
    """Mediana por (B, K, forma) y la proporción lockstep / secuencial."""
    raw = raw.assign(us=1e6 * raw["segundos"] / raw["run_updates"])
    med = raw.groupby(["B", "K", "forma"])["us"].median().unstack("forma")
    table = pd.DataFrame(
        {
            "µs/run-update secuencial": med["secuencial"],
            "µs/run-update lockstep": med["lockstep"],
            "run-updates/s secuencial": 1e6 / med["secuencial"],
            "run-updates/s lockstep": 1e6 / med["lockstep"],
        }
    )
    table["× secuencial"] = table["run-updates/s lockstep"] / table["run-updates/s secuencial"]
    return table.reset_index()


def bench_groups(X, y, cfg) -> dict[str, float]:
    """Dos grupos independientes (B = 1 y B = 4) en serie y con ``n_jobs=2``."""
    k, updates = cfg["group_k"], cfg["group_updates"]

    def groups():
        return [
            dict(
                models=fresh_models(k),
                batch_size=B,
                learning_rates=LEARNING_RATE,
                seeds=list(range(k)),
                epochs=-(-updates * B // len(X)),
                max_updates=updates,
            )
            for B in (1, 4)
        ]

    train_groups(groups(), X[:256], y[:256], n_jobs=2)  # arranca los procesos de joblib
    times = {}
    for n_jobs in (1, 2):
        tic = time.perf_counter()
        train_groups(groups(), X, y, n_jobs=n_jobs)
        times[f"n_jobs={n_jobs}"] = time.perf_counter() - tic
    return times


def markdown(table: pd.DataFrame, groups: dict[str, float], n: int, cfg) -> str:
    """La tabla de resultados y la línea de n_jobs, en Markdown."""
    lines = [
        "# train_many frente a K llamadas a train()",
        "",
        f"MLP {'→'.join(map(str, LAYERS))}, N = {n}, SGD, BLAS a 1 hilo; mediana de "
        f"{cfg['repeats']} repeticiones intercaladas. Con B > {STACK_MAX_BATCH} train_many "
        "usa train() run a run. Regenerar con `make bench` (las cifras dependen de la máquina "
        "y de su carga).",
        "",
        "| B | K | µs/run-update secuencial | µs/run-update lockstep | run-updates/s "
        "secuencial | run-updates/s lockstep | × secuencial |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in table.itertuples(index=False):
        lines.append(
            f"| {row[0]} | {row[1]} | {row[2]:.1f} | {row[3]:.1f} | {row[4]:,.0f} | "
            f"{row[5]:,.0f} | {row[6]:.2f}× |"
        )
    serial, parallel = groups["n_jobs=1"], groups["n_jobs=2"]
    lines += [
        "",
        f"Dos grupos independientes (B = 1 y B = 4, {cfg['group_k']} runs y "
        f"{cfg['group_updates']} actualizaciones por run cada uno) con `train_groups`: "
        f"{serial:.3f} s en serie, {parallel:.3f} s con n_jobs=2 "
        f"({serial / parallel:.2f}×, tiempo de reloj).",
        "",
    ]
    return "\n".join(lines)


def main(argv=None) -> pd.DataFrame:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--tiny", action="store_true", help="configuración mínima (tests)")
    parser.add_argument("--out", type=Path, default=HERE / "results", help="carpeta de resultados")
    args = parser.parse_args(argv)
    cfg = TINY if args.tiny else FULL
    split = bl.split_and_scale(bl.load_housing(), seed=42)
    X, y = split.X_train, split.y_train.reshape(-1, 1)
    if cfg["rows"]:
        X, y = X[: cfg["rows"]], y[: cfg["rows"]]
    with threadpool_limits(limits=1):
        raw = benchmark(X, y, cfg)
    groups = bench_groups(X, y, cfg)
    table = summarize(raw)
    args.out.mkdir(parents=True, exist_ok=True)
    raw.to_csv(args.out / "lockstep.csv", index=False)
    text = markdown(table, groups, len(X), cfg)
    (args.out / "lockstep.md").write_text(text, encoding="utf-8")
    print(text)
    return table


if __name__ == "__main__":
    main()
