"""Benchmark del bucle de entrenamiento: batchlab frente a las alternativas.

Mide, en una misma ejecución y con los datos y la arquitectura del curso
(8→64→32→1, float64, SGD sin momento ni regularización), el tiempo por actualización y
el rendimiento (muestras/s) para varios tamaños de batch de:

* ``batchlab``: ``batchlab.train``, con su motor compilado (lo de por defecto);
* ``batchlab (NumPy)``: ``batchlab.train`` con el bucle legible (``BATCHLAB_ENGINE=numpy``), el
  NumPy escrito a mano que comparan las explicaciones de ``benchmarks/README.md``;
* ``referencia``: la implementación de libro de texto de ``batchlab.reference`` (línea base);
* ``sklearn``: ``MLPRegressor(solver="sgd", momentum=0, alpha=0)``;
* ``pytorch``: ``torch.nn`` en CPU, si está instalado (no es dependencia del curso).

Cada medida es la mediana de varias repeticiones tras un calentamiento; las
implementaciones se intercalan (y rotan de orden) para que la deriva de la máquina
afecte a todas por igual. Los hilos de BLAS se fijan con threadpoolctl.

    python benchmarks/bench_training.py            # o: make bench
    python benchmarks/bench_training.py --tiny     # comprobación rápida (tests)
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_info, threadpool_limits

import batchlab as bl
from batchlab.reference import ReferenceMLP, reference_train
from batchlab.training.engines import using_engine

HERE = Path(__file__).resolve().parent

LEARNING_RATE = 1e-3
LAYERS = (8, 64, 32, 1)
#: Épocas por tamaño de batch: suficientes actualizaciones para medir con estabilidad.
EPOCHS = {1: 1, 8: 2, 32: 4, 128: 8, 1024: 20, "N": 40}
README_START = "<!-- bench:start -->"
README_END = "<!-- bench:end -->"

Runner = Callable[[np.ndarray, np.ndarray, int, int, int], tuple[float, int]]


# -- las implementaciones: cada una devuelve (segundos de entrenamiento, actualizaciones) --
def run_batchlab(X, y, batch_size, epochs, seed):
    """``batchlab.train`` con el motor; el tiempo es el de sus bucles de época (sin evaluación)."""
    return _run_train(X, y, batch_size, epochs, seed, "numba")


def _run_train(X, y, batch_size, epochs, seed, engine):
    """``batchlab.train`` con el motor `engine` (``numba`` o ``numpy``)."""
    model = bl.MLP(LAYERS, rng=np.random.default_rng(seed))
    with using_engine(engine):
        h = bl.train(model, X, y, batch_size=batch_size, learning_rate=LEARNING_RATE,
                     epochs=epochs, seed=seed)  # fmt: skip
    return h.total_time, h.n_updates


def run_batchlab_numpy(X, y, batch_size, epochs, seed):
    """:func:`run_batchlab` con el bucle de NumPy de ``mlp.py`` en lugar del motor."""
    return _run_train(X, y, batch_size, epochs, seed, "numpy")


def run_reference(X, y, batch_size, epochs, seed):
    """La referencia de libro de texto, con los mismos pesos iniciales y el mismo orden."""
    init = bl.MLP(LAYERS, rng=np.random.default_rng(seed))
    model = ReferenceMLP(init.weights, init.biases, LEARNING_RATE)
    losses, seconds = reference_train(model, X, y, batch_size, epochs, seed)
    return seconds, len(losses)


def run_sklearn(X, y, batch_size, epochs, seed):
    """``MLPRegressor`` con SGD puro; se cronometra ``fit`` entero, como lo usaría un lector."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPRegressor

    model = MLPRegressor(
        hidden_layer_sizes=LAYERS[1:-1],
        activation="relu",
        solver="sgd",
        alpha=0.0,
        momentum=0.0,
        nesterovs_momentum=False,
        batch_size=batch_size,
        learning_rate="constant",
        learning_rate_init=LEARNING_RATE,
        max_iter=epochs,
        shuffle=True,
        random_state=seed,
        tol=0.0,
        n_iter_no_change=10**9,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        tic = time.perf_counter()
        model.fit(X, y.ravel())
        seconds = time.perf_counter() - tic
    return seconds, epochs * math.ceil(len(X) / batch_size)


def run_torch(X, y, batch_size, epochs, seed):
    """PyTorch en CPU (float64, un hilo), con el mismo barajado por época."""
    import torch

    torch.manual_seed(seed)
    torch.set_num_threads(1)
    model = torch.nn.Sequential(
        torch.nn.Linear(8, 64),
        torch.nn.ReLU(),
        torch.nn.Linear(64, 32),
        torch.nn.ReLU(),
        torch.nn.Linear(32, 1),
    ).double()
    opt = torch.optim.SGD(model.parameters(), lr=LEARNING_RATE)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    rng = np.random.default_rng(seed)
    n, seconds, updates = len(X), 0.0, 0
    for _ in range(epochs):
        perm = torch.from_numpy(rng.permutation(n))
        Xs, ys = Xt[perm], yt[perm]
        tic = time.perf_counter()
        for start in range(0, n, batch_size):
            opt.zero_grad()
            stop = start + batch_size
            loss = torch.mean((model(Xs[start:stop]) - ys[start:stop]) ** 2)
            loss.backward()
            opt.step()
            loss.item()  # como batchlab: la pérdida de cada batch se lee
            updates += 1
        seconds += time.perf_counter() - tic
    return seconds, updates


def available_implementations() -> dict[str, Runner]:
    """Las implementaciones disponibles; PyTorch solo si está instalado."""
    impls: dict[str, Runner] = {
        "batchlab": run_batchlab,
        "batchlab (NumPy)": run_batchlab_numpy,
        "referencia": run_reference,
        "sklearn": run_sklearn,
    }
    try:
        import torch  # noqa: F401
    except ImportError:
        print(
            "PyTorch no está instalado: se omite (no es dependencia del curso; "
            "`pip install torch` para incluirlo)."
        )
    else:
        impls["pytorch"] = run_torch
    return impls


# -- medida ---------------------------------------------------------------------------
def benchmark(X, y, batch_sizes, epochs, repeats, seed=0) -> pd.DataFrame:
    """Mide todas las implementaciones intercaladas; devuelve una fila por (impl, B, rep)."""
    impls = available_implementations()
    names = list(impls)
    for name in names:  # calentamiento: importaciones, cachés, BLAS
        impls[name](X[:256], y[:256], 32, 1, seed)
    rows = []
    for rep in range(repeats):
        for B in batch_sizes:
            order = names[rep % len(names) :] + names[: rep % len(names)]  # rotar el orden
            for name in order:
                seconds, updates = impls[name](X, y, B, epochs[B], seed)
                rows.append(
                    {
                        "impl": name,
                        "B": B,
                        "rep": rep,
                        "segundos": seconds,
                        "actualizaciones": updates,
                    }
                )
    return pd.DataFrame(rows)


def summarize(raw: pd.DataFrame, n: int) -> pd.DataFrame:
    """Mediana por (impl, B): µs por actualización, muestras/s y proporción con la referencia."""
    raw = raw.assign(us=1e6 * raw["segundos"] / raw["actualizaciones"])
    table = raw.groupby(["B", "impl"], sort=False)["us"].median().unstack("impl")
    out = []
    for B, row in table.iterrows():
        for impl, us in row.items():
            out.append(
                {
                    "B": B,
                    "impl": impl,
                    "µs/actualización": us,
                    "muestras/s": min(B, n) / us * 1e6,
                    "× más rápido que la referencia": row["referencia"] / us,
                }
            )
    return pd.DataFrame(out)


def machine_description(threads: int) -> str:
    """CPU, núcleos, versiones y BLAS, para que las cifras se puedan interpretar."""
    cpu = platform.processor() or "desconocida"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    blas = [
        f"{i.get('internal_api')} {i.get('version')}"
        for i in threadpool_info()
        if i.get("user_api") == "blas"
    ]
    import sklearn

    parts = [
        f"CPU: {cpu}, {os.cpu_count()} núcleos",
        f"Python {platform.python_version()}, NumPy {np.__version__}, "
        f"scikit-learn {sklearn.__version__}",
        f"BLAS: {', '.join(blas) or 'desconocido'}, hilos fijados a {threads}",
    ]
    try:
        import torch

        parts.append(f"PyTorch {torch.__version__} (CPU, {threads} hilo/s)")
    except ImportError:
        parts.append("PyTorch: no instalado")
    return "\n".join(f"- {p}" for p in parts)


def markdown_table(summary: pd.DataFrame, n: int) -> str:
    """Tabla Markdown: µs por actualización de cada implementación y cuántas veces más
    rápido es batchlab que cada una; después, el rendimiento en muestras/s."""
    us = summary.pivot(index="B", columns="impl", values="µs/actualización")
    sps = summary.pivot(index="B", columns="impl", values="muestras/s")
    impls = list(dict.fromkeys(summary["impl"]))
    others = [i for i in impls if i != "batchlab"]
    label = {B: (f"N={n}" if B == n else str(B)) for B in us.index}

    def row(cells):
        return "| " + " | ".join(cells) + " |"

    head = ["B"] + [f"{i} (µs/act.)" for i in impls] + [f"batchlab vs {i}" for i in others]
    lines = [row(head), row(["---"] * len(head))]
    for B in us.index:
        cells = [label[B]] + [f"{us.loc[B, i]:.1f}" for i in impls]
        cells += [f"{us.loc[B, i] / us.loc[B, 'batchlab']:.2f}×" for i in others]
        lines.append(row(cells))
    lines += [
        "",
        "Rendimiento (muestras por segundo):",
        "",
        row(["B"] + impls),
        row(["---"] * (len(impls) + 1)),
    ]
    for B in us.index:
        lines.append(row([label[B]] + [f"{sps.loc[B, i]:.0f}" for i in impls]))
    return "\n".join(lines)


def plot(summary: pd.DataFrame, path: Path) -> None:
    """Tiempo por actualización y rendimiento frente a B (escalas logarítmicas)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.2))
    for impl, grp in summary.groupby("impl", sort=False):
        ax1.plot(grp["B"], grp["µs/actualización"], "o-", label=impl)
        ax2.plot(grp["B"], grp["muestras/s"], "o-", label=impl)
    for ax, title, ylabel in (
        (ax1, "Tiempo por actualización", "µs por actualización"),
        (ax2, "Rendimiento", "muestras por segundo"),
    ):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("tamaño del batch B")
        ax.set_ylabel(ylabel)
        ax.set_title(title)
        ax.grid(alpha=0.3, which="both")
    ax1.legend(fontsize=10)
    fig.suptitle("MLP 8→64→32→1, float64, SGD, un hilo de BLAS (mediana)")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def update_readme(readme: Path, block: str) -> None:
    """Sustituye el bloque entre los marcadores del README por `block`."""
    text = readme.read_text(encoding="utf-8")
    start, end = text.index(README_START), text.index(README_END)
    readme.write_text(
        text[: start + len(README_START)] + "\n" + block + "\n" + text[end:], encoding="utf-8"
    )


def main(argv: list[str] | None = None) -> pd.DataFrame:
    """Ejecuta el benchmark y escribe la tabla, la figura y (opcional) el README."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5, help="repeticiones (mediana)")
    parser.add_argument("--threads", type=int, default=1, help="hilos de BLAS")
    parser.add_argument("--out", type=Path, default=HERE / "results", help="carpeta de salida")
    parser.add_argument(
        "--readme", type=Path, default=None, help="README cuyo bloque de resultados se reescribe"
    )
    parser.add_argument(
        "--tiny", action="store_true", help="configuración mínima para comprobar que funciona"
    )
    args = parser.parse_args(argv)

    split = bl.split_and_scale(bl.load_housing(), seed=42)
    X, y = split.X_train, split.y_train
    sizes, epochs, repeats = [1, 8, 32, 128, 1024, len(X)], dict(EPOCHS), args.repeats
    if args.tiny:
        X, y = X[:300], y[:300]
        sizes, epochs, repeats = [1, 32, len(X)], {1: 1, 32: 1, "N": 2}, 1
    epochs[len(X)] = epochs.pop("N")

    with threadpool_limits(limits=args.threads):
        machine = machine_description(args.threads)
        tic = time.perf_counter()
        raw = benchmark(X, y, sizes, epochs, repeats)
        elapsed = time.perf_counter() - tic
    summary = summarize(raw, len(X))
    args.out.mkdir(parents=True, exist_ok=True)
    raw.to_csv(args.out / "raw.csv", index=False)
    plot(summary, args.out / "results.png")
    block = (
        f"Mediana de {repeats} repeticiones tras un calentamiento, implementaciones "
        f"intercaladas; N = {len(X)} filas de entrenamiento; épocas por B: "
        f"{ {('N' if k == len(X) else k): v for k, v in epochs.items()} }; "
        f"{elapsed:.0f} s en total.\n\n{machine}\n\n{markdown_table(summary, len(X))}\n\n"
        "Regenerar: `make bench` (o `.venv/bin/python benchmarks/bench_training.py "
        "--readme README.md`)."
    )
    (args.out / "results.md").write_text(block + "\n", encoding="utf-8")
    if args.readme is not None:
        update_readme(args.readme, block)
    print(block)
    return summary


if __name__ == "__main__":
    main()
