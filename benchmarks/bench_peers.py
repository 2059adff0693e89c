"""batchlab frente a su par más fuerte, JAX, con el mismo trabajo y en la misma ejecución.

Qué se compara (el MLP del curso 8→64→32→1, float64, SGD sin momento, N = 16 512 filas de
California Housing, los mismos pesos iniciales y **los mismos órdenes de filas**):

* ``batchlab``: ``train_many`` con K = 16 runs (o ``train()`` con K = 1), ``max_updates``
  actualizaciones dentro de la primera época;
* ``jax``: ``jit(vmap(lax.scan(paso)))`` sobre los K runs, con los índices de cada batch
  calculados con :func:`batchlab.training.batching.epoch_orders` (el orden de ``train()``), y
  el **mismo trabajo** que hace ``train()`` además de los pasos: la pérdida inicial y la final
  sobre las N filas de cada run (``History.initial_train_loss`` y la de los pesos finales, con
  la que ``train()`` decide si divergió al parar a media época).

Método: un hilo en todo (BLAS con threadpoolctl; XLA con
``--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1``, fijado antes de importar
JAX), repeticiones **intercaladas** (batchlab, jax, batchlab, jax… rotando el orden) y la
mediana; el tiempo de compilación de JAX se mide aparte y no entra en la tabla. Antes de medir,
se comprueba que las pérdidas de cada actualización y las dos sobre las N filas coinciden
(diferencia relativa máxima impresa): es el mismo cálculo, no uno parecido.

JAX no es dependencia del curso: vive en ``requirements-bench.txt`` y ``make bench`` lo instala
en ``.venv-bench``. Sin JAX, el script lo dice y termina sin error.

    .venv-bench/bin/python benchmarks/bench_peers.py            # o: make bench
    .venv-bench/bin/python benchmarks/bench_peers.py --tiny     # comprobación rápida
    .venv-bench/bin/python benchmarks/bench_peers.py --print-only

batchlab se mide dos veces, intercalado con JAX: con su motor compilado (lo de por defecto) y con
el bucle legible de NumPy (``BATCHLAB_ENGINE=numpy``, lo que había antes del motor); de los dos,
también el tiempo de solo entrenamiento (``History.epoch_time``: sin la pérdida inicial ni la
final sobre las N filas).
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from pathlib import Path

os.environ.setdefault(
    "XLA_FLAGS", "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
)

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from threadpoolctl import threadpool_info, threadpool_limits  # noqa: E402

import batchlab as bl  # noqa: E402
from batchlab.training import train_many  # noqa: E402
from batchlab.training.batching import epoch_orders  # noqa: E402
from batchlab.training.engines import using_engine  # noqa: E402

HERE = Path(__file__).resolve().parent
LEARNING_RATE = 1e-4  # ningún run diverge: la pila no se achica y la medida es justa
#: (B, K, actualizaciones por run); K = 1 se mide con train(), el resto con train_many
#: con B = 1, una época entera (16 512 pasos): la unidad del curso, y las dos pérdidas sobre las N
#: filas pesan lo que pesan en un entrenamiento de verdad (con 4 000 pasos, ~2 µs por paso)
FULL = [(1, 1, 16512), (1, 16, 16512), (32, 1, 500), (32, 16, 500), (128, 16, 120), (512, 16, 30)]
TINY = [(1, 2, 50), (32, 2, 10)]
START, END = "<!-- bench_peers:inicio -->", "<!-- bench_peers:fin -->"


def load_jax():
    """JAX con float64, o None si no está instalado (no es dependencia del curso)."""
    try:
        import jax
    except ImportError:
        return None
    jax.config.update("jax_enable_x64", True)
    return jax


def problem(rows: int | None):
    """Los datos del curso (división de la semilla 42), quizá recortados a `rows` filas."""
    split = bl.split_and_scale(bl.load_housing(), seed=42)
    X, y = split.X_train, split.y_train
    return (X, y) if rows is None else (X[:rows], y[:rows])


def row_indices(n: int, batch_size: int, updates: int, seeds: list[int]) -> np.ndarray:
    """(K, U, B): las filas de cada actualización de cada run, las de ``train()``."""
    out = []
    for s in seeds:
        order = next(epoch_orders(n, s))
        out.append(order[: updates * batch_size].reshape(updates, batch_size))
    return np.stack(out)


def jax_trainer(jax, X: np.ndarray, y: np.ndarray, full_losses: bool = True):
    """``f(params, idx, lr) -> (params, pérdidas, inicial, final)`` para K runs:
    jit(vmap(lax.scan)); ``inicial`` y ``final`` son la pérdida sobre las N filas antes y
    después de los pasos, como las calcula ``train()`` (con ``full_losses=False``, NaN: solo
    los pasos)."""
    jnp = jax.numpy
    Xj, yj = jnp.asarray(X), jnp.asarray(y)

    def loss(params, xb, yb):
        (W1, b1), (W2, b2), (W3, b3) = params
        h = jnp.maximum(xb @ W1 + b1, 0.0)
        h = jnp.maximum(h @ W2 + b2, 0.0)
        return jnp.mean((h @ W3 + b3 - yb) ** 2)

    value_and_grad = jax.value_and_grad(loss)

    def run(params, idx, lr):
        def step(p, rows):
            value, g = value_and_grad(p, Xj[rows], yj[rows])
            return jax.tree_util.tree_map(lambda a, b: a - lr * b, p, g), value

        if not full_losses:
            params, values = jax.lax.scan(step, params, idx)
            return params, values, jnp.nan, jnp.nan
        first = loss(params, Xj, yj)
        params, values = jax.lax.scan(step, params, idx)
        return params, values, first, loss(params, Xj, yj)

    return jax.jit(jax.vmap(run))


def initial_params(jax, seeds: list[int]):
    """Los pesos iniciales de ``MLP(rng=s)`` de cada run, apilados para vmap."""
    models = [bl.MLP(rng=s) for s in seeds]
    layers = []
    for i in range(models[0].n_layers):
        W = np.stack([m.weights[i] for m in models])
        b = np.stack([m.biases[i] for m in models])
        layers.append((jax.numpy.asarray(W), jax.numpy.asarray(b)))
    return tuple(layers)


def time_batchlab(
    X, y, B: int, K: int, U: int, seeds: list[int], engine: str = "numpy"
) -> tuple[float, np.ndarray, float]:
    """Segundos de reloj de los K runs, las pérdidas del primero y los segundos de solo
    entrenamiento (la suma de ``epoch_time``), con el motor `engine` (``BATCHLAB_ENGINE``)."""
    models = [bl.MLP(rng=s) for s in seeds]
    kw = dict(batch_size=B, epochs=1, max_updates=U)
    with using_engine(engine):
        t0 = time.perf_counter()
        if K == 1:
            hs = [bl.train(models[0], X, y, learning_rate=LEARNING_RATE, seed=seeds[0], **kw)]
        else:
            hs = train_many(models, X, y, learning_rates=LEARNING_RATE, seeds=seeds, **kw)
        seconds = time.perf_counter() - t0
    assert not any(h.diverged for h in hs), "un run divergió: la medida no sería comparable"
    training = float(sum(h.epoch_time.sum() for h in hs))
    h, final = hs[0], models[0].loss(X, y)  # la final la calcula train() y no la guarda
    return seconds, np.r_[h.update_loss[:U], h.initial_train_loss, final], training


def time_jax(jax, f, params, idx, lrs) -> tuple[float, np.ndarray]:
    """Segundos de reloj de los K runs (ya compilado) y las pérdidas del primero (las de cada
    paso, la inicial y la final sobre las N filas)."""
    t0 = time.perf_counter()
    _, losses, first, last = jax.block_until_ready(f(params, idx, lrs))
    return time.perf_counter() - t0, np.r_[np.asarray(losses[0]), first[0], last[0]]


def machine() -> str:
    """La máquina y las versiones, para leer la tabla en su contexto."""
    import jax

    blas = ", ".join(f"{i['internal_api']} {i.get('version', '?')}" for i in threadpool_info())
    return (
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} núcleos; Python "
        f"{platform.python_version()}, NumPy {np.__version__} ({blas}), JAX {jax.__version__}, "
        f"batchlab {bl.__version__}"
    )


def measure(jax, configs, repeats: int, rows: int | None) -> pd.DataFrame:
    """Mediana de µs por actualización de run de cada implementación, intercaladas: batchlab con
    su motor (``engine``, lo de por defecto), con el bucle de NumPy (``batchlab``, el de antes del
    motor, ``BATCHLAB_ENGINE=numpy``) y JAX con y sin las dos pérdidas sobre las N filas."""
    X, y = problem(rows)
    rows_out = []
    who_all = ["batchlab", "jax", "engine", "jax_steps"]
    time_batchlab(X[:64], y[:64], 1, 1, 4, [0], "numba")  # carga el motor fuera de la medida
    for B, K, U in configs:
        seeds = list(range(K))
        idx = jax.numpy.asarray(row_indices(len(X), B, U, seeds))
        lrs = jax.numpy.full(K, LEARNING_RATE)
        params = initial_params(jax, seeds)
        f, f_steps = jax_trainer(jax, X, y), jax_trainer(jax, X, y, full_losses=False)
        t0 = time.perf_counter()
        jax.block_until_ready(f(params, idx, lrs))
        compile_s = time.perf_counter() - t0
        jax.block_until_ready(f_steps(params, idx, lrs))
        times = {k: [] for k in who_all + ["batchlab_train", "engine_train"]}
        losses = {}
        for r in range(repeats):
            order = who_all[r % len(who_all) :] + who_all[: r % len(who_all)]  # rota el orden
            for who in order:
                if who in ("jax", "jax_steps"):
                    trainer = f if who == "jax" else f_steps
                    s, losses[who] = time_jax(jax, trainer, params, idx, lrs)
                else:
                    engine_name = "numba" if who == "engine" else "numpy"
                    s, losses[who], train_s = time_batchlab(X, y, B, K, U, seeds, engine_name)
                    times[f"{who}_train"].append(train_s)
                times[who].append(s)
        theirs = losses["jax"]
        diff = float(np.max(np.abs(losses["batchlab"] - theirs) / np.abs(theirs)))
        per = {k: 1e6 * float(np.median(v)) / (K * U) for k, v in times.items() if v}
        rows_out.append({
            "B": B, "K": K, "updates": U, "batchlab_us": per["batchlab"], "jax_us": per["jax"],
            "jax_compile_s": compile_s, "max_rel_diff": diff,
            "batchlab_train_us": per["batchlab_train"], "engine_us": per["engine"],
            "engine_train_us": per["engine_train"], "engine_ratio": per["engine"] / per["jax"],
            "jax_steps_us": per["jax_steps"],
            "engine_train_ratio": per["engine_train"] / per["jax_steps"],
            "speedup": per["batchlab"] / per["engine"],
            "engine_diff": float(np.max(np.abs(losses["engine"] - theirs) / np.abs(theirs))),
        })  # fmt: skip
    return pd.DataFrame(rows_out)


def to_markdown(table: pd.DataFrame, repeats: int) -> str:
    """La tabla de resultados para ``benchmarks/README.md``."""
    lines = [
        f"Medido el {time.strftime('%Y-%m-%d')} en {machine()}; mediana de {repeats} "
        "repeticiones intercaladas, un hilo. µs por actualización de run (menos es mejor). "
        "«Todo» incluye, en los dos lados, las pérdidas inicial y final sobre las N filas que "
        "calcula `train()`; «pasos» es, en batchlab, la suma de `History.epoch_time` y, en JAX, "
        "el mismo `scan` sin esas dos pérdidas. «NumPy» es el bucle legible "
        "(`BATCHLAB_ENGINE=numpy`, lo que había antes del motor); K = 1 es `train()`, K > 1 "
        "`train_many`.",
        "",
        "| B | K | U | motor, todo | motor, pasos | JAX, todo | JAX, pasos | motor / JAX "
        "(todo) | motor / JAX (pasos) | NumPy, todo | NumPy / motor | compilación JAX | "
        "dif. rel. máx. |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in table.itertuples():
        updates = f"{r.updates:,}".replace(",", " ")  # miles con espacio
        lines.append(
            f"| {r.B} | {r.K} | {updates} | {r.engine_us:.2f} | {r.engine_train_us:.2f} | "
            f"{r.jax_us:.2f} | {r.jax_steps_us:.2f} | {r.engine_ratio:.2f}× | "
            f"{r.engine_train_ratio:.2f}× | {r.batchlab_us:.2f} | {r.speedup:.1f}× | "
            f"{r.jax_compile_s:.1f} s | {max(r.engine_diff, r.max_rel_diff):.1e} |"
        )
    return "\n".join(lines)


def write_readme(text: str, path: Path) -> None:
    """Sustituye el bloque entre las marcas de `path` por `text`."""
    readme = path.read_text(encoding="utf-8")
    head, rest = readme.split(START)
    _, tail = rest.split(END)
    path.write_text(f"{head}{START}\n{text}\n{END}{tail}", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    """Mide, imprime y (salvo con --tiny) escribe la tabla en benchmarks/README.md."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tiny", action="store_true", help="comprobación rápida, sin escribir")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--print-only", action="store_true", help="no escribe benchmarks/README.md")
    parser.add_argument(
        "--configs", help="solo estas configuraciones B:K:U, p. ej. 1:16:4000,32:16:500"
    )
    args = parser.parse_args(argv)
    jax = load_jax()
    if jax is None:
        print("JAX no está instalado: instala requirements-bench.txt (make bench lo hace en "
              ".venv-bench) para medir batchlab frente a JAX.")  # fmt: skip
        return 0
    configs, repeats, rows = (TINY, 1, 512) if args.tiny else (FULL, args.repeats, None)
    if args.configs:
        configs = [tuple(int(v) for v in c.split(":")) for c in args.configs.split(",")]
    with threadpool_limits(1):
        table = measure(jax, configs, repeats, rows)
    text = to_markdown(table, repeats)
    print(text)
    if not (args.tiny or args.print_only):
        write_readme(text, HERE / "README.md")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
