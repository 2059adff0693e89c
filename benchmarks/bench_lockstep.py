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
hilo (threadpoolctl). Aparte, parejas de grupos independientes con el mismo trabajo
(B = 1 y B = 32) con ``train_groups``, en serie y con ``n_jobs=2`` (tiempo de reloj).

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
from batchlab.training import STACK_MAX_BATCH, train_groups, train_many, uses_stack

HERE = Path(__file__).resolve().parent
#: Una tasa con la que ningún run diverge (con 1e-3 y B = 1 divergían 10 de 16 en 20 000
#: actualizaciones): un run que diverge se congela y sale de la pila, y la medida saldría
#: más barata de lo que es. ``_check`` lo comprueba en cada medida.
LEARNING_RATE = 1e-4
LAYERS = (8, 64, 32, 1)

FULL = dict(
    ks=(1, 4, 16, 64),
    batches=(1, 32, 512),
    updates={1: 1500, 32: 300, 512: 20},
    repeats=5,
    rows=None,
    group_k=16,
    group_batches=(1, 32),
    group_updates={1: 20000, 32: 5000},
)
TINY = dict(
    ks=(1, 4),
    batches=(1, 32),
    updates={1: 40, 32: 8},
    repeats=1,
    rows=512,
    group_k=2,
    group_batches=(1,),
    group_updates={1: 20},
)


def fresh_models(k: int) -> list[bl.MLP]:
    """K modelos con pesos iniciales distintos (y siempre los mismos)."""
    return [bl.MLP(LAYERS, rng=np.random.default_rng(i)) for i in range(k)]


def _check(histories) -> list:
    """Las historias, si todos los runs hicieron todas sus actualizaciones sin divergir."""
    if any(h.diverged for h in histories):
        raise RuntimeError("Un run del benchmark divergió: baja LEARNING_RATE.")
    return histories


def run_sequential(X, y, k, batch_size, updates) -> float:
    """K llamadas a ``train()``; segundos de sus bucles de época."""
    epochs = -(-updates * batch_size // len(X))
    histories = [
        bl.train(
            m,
            X,
            y,
            batch_size=batch_size,
            learning_rate=LEARNING_RATE,
            epochs=epochs,
            seed=i,
            max_updates=updates,
        )
        for i, m in enumerate(fresh_models(k))
    ]
    return sum(h.total_time for h in _check(histories))


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
    return sum(h.total_time for h in _check(histories))


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


def _group(X, B, k, updates, first_seed):
    """Un grupo de ``train_groups``: K runs con B, semillas desde `first_seed`."""
    return dict(
        models=fresh_models(k),
        batch_size=B,
        learning_rates=LEARNING_RATE,
        seeds=list(range(first_seed, first_seed + k)),
        epochs=-(-updates * B // len(X)),
        max_updates=updates,
    )


def bench_groups(X, y, cfg) -> pd.DataFrame:
    """Dos grupos independientes con ``train_groups``, en serie y con ``n_jobs=2``.

    Cada pareja de grupos (mismo B, otras semillas: el mismo trabajo) se entrena con
    ``n_jobs=1`` y con ``n_jobs=2``, intercalados, con BLAS a un hilo en los dos casos
    (joblib limita a un hilo los procesos; el proceso principal se limita aquí). Los
    procesos de joblib se arrancan antes de medir (se reutilizan de una llamada a otra,
    como en un notebook); se informa también de la primera llamada, con el arranque.
    La cota ideal es (t₁ + t₂) / max(t₁, t₂), con los tiempos en serie de cada grupo.
    """
    k, updates = cfg["group_k"], cfg["group_updates"]
    rows = []
    with threadpool_limits(limits=1):
        for B in cfg["group_batches"]:

            def pair(B=B):
                return [_group(X, B, k, updates[B], 0), _group(X, B, k, updates[B], k)]

            tic = time.perf_counter()
            train_groups(pair(), X, y, n_jobs=2)  # primera llamada: arranca los procesos
            first = time.perf_counter() - tic
            times: dict[int, list[float]] = {1: [], 2: []}
            for rep in range(cfg["repeats"]):
                for n_jobs in (1, 2) if rep % 2 == 0 else (2, 1):
                    tic = time.perf_counter()
                    parts = train_groups(pair(), X, y, n_jobs=n_jobs)
                    times[n_jobs].append(time.perf_counter() - tic)
                    _check([h for part in parts for h in part])
            alone = []  # cada grupo solo, en serie (tiempo de reloj)
            for g in pair():
                tic = time.perf_counter()
                train_groups([g], X, y)
                alone.append(time.perf_counter() - tic)
            serial, parallel = np.median(times[1]), np.median(times[2])
            rows.append(
                {
                    "B": B,
                    "K": k,
                    "actualizaciones": updates[B],
                    "serie_s": serial,
                    "n_jobs2_s": parallel,
                    "primera_llamada_s": first,
                    "aceleracion": serial / parallel,
                    "cota_ideal": sum(alone) / max(alone),
                }
            )
    return pd.DataFrame(rows)


def markdown(table: pd.DataFrame, groups: pd.DataFrame, n: int, cfg) -> str:
    """La tabla de resultados y la línea de n_jobs, en Markdown."""
    lines = [
        "# train_many frente a K llamadas a train()",
        "",
        f"MLP {'→'.join(map(str, LAYERS))}, N = {n}, SGD, BLAS a 1 hilo; mediana de "
        f"{cfg['repeats']} repeticiones intercaladas. Con B > {STACK_MAX_BATCH} train_many "
        "usa train() run a run, y con K = 1 también: en esas filas se compara el mismo código y "
        "el cociente mide el ruido de la medida. Regenerar con `make bench` (las "
        "cifras dependen de la máquina y de su carga).",
        "",
        "| B | K | µs/run-update secuencial | µs/run-update lockstep | run-updates/s "
        "secuencial | run-updates/s lockstep | × secuencial | train_many usa |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | :--- |",
    ]
    for row in table.itertuples(index=False):
        # con K = 1 o B grande, train_many llama a train(): el cociente mide el ruido
        path = "la pila" if uses_stack(row[1], row[0]) else "train() (mismo código)"
        lines.append(
            f"| {row[0]} | {row[1]} | {row[2]:.1f} | {row[3]:.1f} | {row[4]:,.0f} | "
            f"{row[5]:,.0f} | {row[6]:.2f}× | {path} |"
        )
    lines += [
        "",
        f"Dos grupos independientes con `train_groups` (el mismo B, {cfg['group_k']} runs por "
        "grupo, semillas distintas), en serie y con `n_jobs=2`, BLAS a un hilo; mediana de "
        f"{cfg['repeats']} repeticiones intercaladas, con los procesos ya arrancados (la "
        "primera llamada, que los arranca, aparte). Tiempo de reloj de la llamada entera.",
        "",
        "| B | K por grupo | actualizaciones por run | en serie (s) | n_jobs=2 (s) | × en serie "
        "| cota ideal | primera llamada (s) |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in groups.itertuples(index=False):
        lines.append(
            f"| {r.B} | {r.K} | {r.actualizaciones} | {r.serie_s:.2f} | {r.n_jobs2_s:.2f} | "
            f"{r.aceleracion:.2f}× | {r.cota_ideal:.2f}× | {r.primera_llamada_s:.2f} |"
        )
    lines.append("")
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
    groups.to_csv(args.out / "lockstep_groups.csv", index=False)
    text = markdown(table, groups, len(X), cfg)
    (args.out / "lockstep.md").write_text(text, encoding="utf-8")
    print(text)
    return table


if __name__ == "__main__":
    main()
