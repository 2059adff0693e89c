"""Notebook 04: la escala del batch medida con muchas ejecuciones (issue 12).

Reglas escritas una vez y usadas por el notebook y sus tests:

* la **rejilla** B × lr con varias semillas por celda (:func:`grid_runs`, una fila por
  ejecución, las columnas de :func:`batchlab.sweeps.lr_sweep`) y su lectura por B
  (:func:`optimal_and_stable`): la tasa **óptima** (mejor mediana entre las tasas sin
  ninguna divergencia), la **máxima estable** (frontera) y las banderas «borde inferior»,
  «borde superior» y «en la frontera»;
* el **ajuste** ε_opt(B) = ε_max / (1 + B_ruido/B) (:func:`fit_optimal_rate`) con su
  bootstrap sobre ejecuciones (:func:`bootstrap_optimal_rate`);
* los **pasos hasta un objetivo** con puntos de control geométricos
  (:func:`run_to_target`, :func:`steps_runs`), el mejor lr por B para llegar
  (:func:`steps_by_batch`) y el ajuste S(B) = S_min (1 + B_ruido/B) con bootstrap
  (:func:`fit_steps`, :func:`bootstrap_steps`);
* el **diagnóstico** de una curva del experimento del blog (:func:`classify_curve`, con la
  clase ``"spikes"``).

Claves de máquina: ``B``, ``lr``, ``seed``, ``val_loss``, ``diverged``; ``opt``,
``stable``, ``flags``; ``steps``, ``samples``, ``reached``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from .batching import epoch_orders, minibatches
from .lockstep import train_many
from .methods import method_id
from .mlp import MLP
from .optimizers import Adam, Nesterov

__all__ = [
    "bootstrap_optimal_rate",
    "bootstrap_rates",
    "bootstrap_steps",
    "classify_curve",
    "fit_optimal_rate",
    "fit_steps",
    "grid_cells",
    "grid_runs",
    "optimal_and_stable",
    "optimal_rates",
    "quarter_decades",
    "round_rate",
    "run_to_target",
    "steps_by_batch",
    "steps_runs",
]

#: Una ejecución cuya pérdida supera este múltiplo de la inicial se da por divergente.
DIVERGENCE_FACTOR = 1e3


# -- la rejilla ---------------------------------------------------------------------
def _grid_worker(model, X, y, X_val, y_val, B, pairs, epochs, optimizer):
    """Un trozo de la rejilla (un B, varias tasas y semillas) en lockstep; filas de la tabla."""
    histories = train_many(
        [model.copy() for _ in pairs],
        X,
        y,
        batch_size=B,
        learning_rates=[lr for lr, _ in pairs],
        seeds=[s for _, s in pairs],
        epochs=epochs,
        X_val=X_val,
        y_val=y_val,
        optimizer=optimizer,
    )
    return [
        {
            "B": h.batch_size,
            "lr": lr,
            "seed": s,
            "val_loss": h.final_val_loss,
            "train_loss": h.final_train_loss,
            "diverged": bool(h.diverged or not np.isfinite(h.final_val_loss)),
        }
        for (lr, s), h in zip(pairs, histories, strict=True)
    ]


_GRID_DTYPES = ("object", "int64", "float64", "int64", "float64", "float64", "bool")


def grid_runs(
    model: MLP,
    X: np.ndarray,
    y: np.ndarray,
    X_val: np.ndarray,
    y_val: np.ndarray,
    grid: dict[int, Sequence[float]],
    *,
    epochs: int,
    seeds: Sequence[int],
    n_jobs: int = 1,
    optimizer: str = "sgd",
    chunk: int = 16,
) -> pd.DataFrame:
    """Lo mismo que :func:`batchlab.sweeps.lr_sweep` (mismas columnas), en lockstep.

    Las ejecuciones de cada B avanzan a la vez (:func:`batchlab.lockstep.train_many`) en
    trozos de `chunk` ejecuciones, repartidos en `n_jobs` procesos; el resultado no
    depende de `n_jobs` ni de `chunk`.
    """
    jobs = []
    for B, lrs in grid.items():
        pairs = [(float(lr), int(s)) for lr in lrs for s in seeds]
        jobs += [(int(B), pairs[a : a + chunk]) for a in range(0, len(pairs), chunk)]
    cols = ["method", "B", "lr", "seed", "val_loss", "train_loss", "diverged"]
    if not jobs:  # vacía, pero con los tipos de una rejilla (se puede concatenar)
        return pd.DataFrame(
            {c: pd.Series(dtype=t) for c, t in zip(cols, _GRID_DTYPES, strict=True)}
        )
    args = (model, X, y, X_val, y_val)
    if n_jobs > 1:
        from joblib import Parallel, delayed

        parts = Parallel(n_jobs=n_jobs)(
            delayed(_grid_worker)(*args, B, p, epochs, optimizer) for B, p in jobs
        )
    else:
        parts = [_grid_worker(*args, B, p, epochs, optimizer) for B, p in jobs]
    table = pd.DataFrame([row for part in parts for row in part])
    table.insert(0, "method", [method_id(b, len(X)) for b in table["B"]])
    return table[cols]


def grid_cells(runs: pd.DataFrame) -> pd.DataFrame:
    """Por (B, lr): mediana de la validación (inf si divergen la mitad o más), k y n."""
    val = runs["val_loss"].where(~runs["diverged"].astype(bool), np.inf)
    g = runs.assign(val=val).groupby(["B", "lr"])
    return pd.DataFrame(
        {
            "median": g["val"].median(),
            "diverged_runs": g["diverged"].sum().astype(int),
            "runs": g["val"].size(),
        }
    ).reset_index()


def optimal_and_stable(cell: pd.DataFrame) -> dict:
    """Lectura de las ejecuciones de **un** B (columnas ``lr``, ``val_loss``, ``diverged``).

    * ``opt``: la tasa con menor mediana entre las que no divergen en ninguna ejecución;
    * ``stable``: la mayor tasa tal que ella y todas las menores no divergen nunca;
    * ``flags``: «borde inferior» / «borde superior» (el óptimo en un extremo de la
      rejilla: el verdadero puede estar fuera) y «en la frontera» (la tasa siguiente ya
      diverge alguna vez: el óptimo mide la frontera de divergencia, no un mínimo interior).

    Sin ninguna tasa sin divergencias: ``opt`` y ``stable`` son NaN y ``flags`` lo dice.
    """
    div = cell["diverged"].astype(bool)
    val = cell["val_loss"].where(~div, np.inf)
    g = (
        pd.DataFrame({"lr": cell["lr"], "val": val, "div": div})
        .groupby("lr")
        .agg(med=("val", "median"), k=("div", "sum"))
        .sort_index()
    )
    ok = g[g["k"] == 0]
    if ok.empty:
        return {"opt": math.nan, "stable": math.nan, "flags": "todas divergen"}
    opt = float(ok["med"].idxmin())
    unstable = g.index[g["k"] > 0]
    first_bad = float(unstable.min()) if len(unstable) else math.inf
    below = g.index[g.index < first_bad]
    stable = float(below.max()) if len(below) else math.nan
    flags = []
    if opt == g.index.min() and len(g) > 1:
        flags.append("borde inferior")
    if opt == g.index.max() and len(g) > 1:
        flags.append("borde superior")
    if opt == stable and math.isfinite(first_bad):
        flags.append("en la frontera")
    return {"opt": opt, "stable": stable, "flags": ", ".join(flags)}


def optimal_rates(runs: pd.DataFrame) -> pd.DataFrame:
    """:func:`optimal_and_stable` para cada B, con la mediana y «k de n» en el óptimo."""
    rows = []
    for B, cell in runs.groupby("B"):
        r = optimal_and_stable(cell)
        at = cell[cell["lr"] == r["opt"]]
        rows.append(
            {
                "B": int(B),
                **r,
                "median": float(at["val_loss"].median()) if len(at) else math.nan,
                "runs": int(len(at)),
            }
        )
    cols = ["B", "opt", "stable", "flags", "median", "runs"]
    return pd.DataFrame(rows, columns=cols).set_index("B")


def quarter_decades(lr: float) -> list[float]:
    """Los dos vecinos a un cuarto de década de `lr` (la rejilla fina alrededor del óptimo)."""
    return [round_rate(lr * 10**-0.25), round_rate(lr * 10**0.25)]


def round_rate(lr: float) -> float:
    """Una tasa con 4 cifras significativas (0.1·10^0.25 y 10^-0.75 son la misma tasa)."""
    return float(f"{lr:.4g}")


# -- el ajuste ε_opt(B) = ε_max / (1 + B_ruido/B) --------------------------------------
def fit_optimal_rate(batch_sizes: Sequence[float], rates: Sequence[float]) -> tuple[float, float]:
    """(ε_max, B_ruido) de ε_opt(B) = ε_max / (1 + B_ruido/B) por mínimos cuadrados en log ε.

    Cada B pesa igual; NaN si hay menos de 3 puntos válidos. Para cada B_ruido, el mejor
    log ε_max es una media (forma cerrada); B_ruido se busca en una rejilla logarítmica de
    [0.01, 1e7] que se afina dos veces alrededor del mejor valor (los extremos significan
    «no identificado» por los datos).
    """
    B, eps = np.asarray(batch_sizes, float), np.asarray(rates, float)
    ok = np.isfinite(eps) & (eps > 0)
    if ok.sum() < 3:
        return math.nan, math.nan
    B, le = B[ok], np.log(eps[ok])
    lo, hi = math.log(0.01), math.log(1e7)
    for _ in range(3):
        c = np.linspace(lo, hi, 801)
        shift = np.log1p(np.exp(c)[:, None] / B[None, :])  # log(1 + B_ruido/B)
        a = (le[None, :] + shift).mean(axis=1)  # mejor log ε_max para cada B_ruido
        sse = ((a[:, None] - shift - le[None, :]) ** 2).sum(axis=1)
        k = int(np.argmin(sse))
        step = c[1] - c[0]
        lo, hi = c[max(k - 1, 0)], c[min(k + 1, len(c) - 1)]
        best = (float(np.exp(a[k])), float(np.exp(c[k])))
        if step < 1e-7:
            break
    return best


def bootstrap_rates(runs: pd.DataFrame, n_boot: int = 200, seed: int = 0) -> dict:
    """Réplicas bootstrap de la tasa óptima y la máxima estable de cada B.

    Se remuestrean los barajados (semillas) dentro de cada B, cada uno con todas sus tasas
    (un barajado es un orden de las filas), y se aplica la regla de
    :func:`optimal_and_stable`. Devuelve ``{"B": [...], "opt": (n_boot, nB),
    "stable": (n_boot, nB)}`` (NaN donde la réplica no tiene tasa).
    """
    rng = np.random.default_rng(seed)
    Bs = sorted(int(b) for b in runs["B"].unique())
    opt = np.full((n_boot, len(Bs)), np.nan)
    stable = np.full((n_boot, len(Bs)), np.nan)
    for j, B in enumerate(Bs):
        d = runs[runs["B"] == B]
        div = d["diverged"].astype(bool)
        val = d.assign(v=d["val_loss"].where(~div, np.inf), k=div.astype(int))
        V = val.pivot_table(index="seed", columns="lr", values="v", aggfunc="first")
        K = val.pivot_table(index="seed", columns="lr", values="k", aggfunc="first")
        lrs = V.columns.to_numpy(float)
        V, K = V.to_numpy(float), K.to_numpy(float)
        if np.isnan(V).any():  # una semilla sin alguna tasa: no se puede remuestrear en bloque
            raise ValueError(f"B={B}: todas las semillas deben tener las mismas tasas")
        for i in range(n_boot):
            pick = rng.integers(0, len(V), len(V))
            med = np.median(V[pick], axis=0)
            k = K[pick].sum(axis=0)
            opt[i, j], stable[i, j] = _opt_stable(lrs, med, k)
    return {"B": Bs, "opt": opt, "stable": stable}


def _opt_stable(lrs: np.ndarray, med: np.ndarray, k: np.ndarray) -> tuple[float, float]:
    """La regla de :func:`optimal_and_stable` sobre arrays ordenados por tasa."""
    ok = k == 0
    opt = float(lrs[ok][np.argmin(med[ok])]) if ok.any() else math.nan
    bad = np.flatnonzero(k > 0)
    below = lrs[: bad[0]] if len(bad) else lrs
    return opt, float(below.max()) if len(below) else math.nan


def bootstrap_optimal_rate(runs: pd.DataFrame, n_boot: int = 200, seed: int = 0) -> np.ndarray:
    """Réplicas (ε_max, B_ruido) del ajuste, con las réplicas de :func:`bootstrap_rates`."""
    reps = bootstrap_rates(runs, n_boot=n_boot, seed=seed)
    return np.array([fit_optimal_rate(reps["B"], row) for row in reps["opt"]])


# -- pasos hasta un objetivo --------------------------------------------------------
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


def fit_interval(replicates: np.ndarray, level: float = 0.95) -> tuple[float, float]:
    """Intervalo de percentiles de unas réplicas bootstrap (ignora las NaN)."""
    r = np.asarray(replicates, float)
    r = r[np.isfinite(r)]
    if r.size == 0:
        return math.nan, math.nan
    a = (1 - level) / 2
    return float(np.quantile(r, a)), float(np.quantile(r, 1 - a))


# -- el diagnóstico del experimento del blog ---------------------------------------------
def classify_curve(
    curve: Sequence[float],
    diverged: bool,
    best_loss: float,
    *,
    crawl_factor: float = 1.5,
    max_rises: int = 2,
    spike_factor: float = 10.0,
) -> str:
    """``diverges``, ``spikes``, ``oscillates``, ``crawls`` o ``converges``.

    `curve` es la pérdida de validación inicial seguida de la de cada época. *Tiene picos*
    si alguna vez supera `spike_factor` veces la inicial (aunque se recupere); *oscila* si
    sube en más de `max_rises` épocas; *se arrastra* solo una curva sin picos que acaba a
    más de `crawl_factor` veces la mejor del grupo.
    """
    c = np.asarray(curve, float)
    if diverged or not np.all(np.isfinite(c)):
        return "diverges"
    if c.max() > spike_factor * c[0]:
        return "spikes"
    if int((np.diff(c) > 0).sum()) > max_rises:
        return "oscillates"
    if c[-1] > crawl_factor * best_loss:
        return "crawls"
    return "converges"


# -- conclusiones sobre cantidades ajustadas ---------------------------------------------
def fit_claim(
    id: str,
    enunciado: str,
    value: float,
    replicates: Sequence[float],
    *,
    medida: str,
    rule,
    frases: dict,
    n: int,
):
    """Una :class:`batchlab.claims.Claim` para una cantidad **ajustada** (B_ruido, pendientes).

    ``valor`` es el ajuste con todos los datos; el intervalo, el de percentiles de las
    réplicas bootstrap (no el bootstrap de su mediana). Sin valor o sin réplicas finitas el
    veredicto es «no concluyente» con n = 0 y una frase que lo dice.
    """
    from .claims import INCONCLUSIVE, Claim

    low, high = fit_interval(replicates)
    ok = math.isfinite(value) and math.isfinite(low)
    verdict = rule.verdict(low, high) if ok else INCONCLUSIVE
    fields = {"valor": value, "ic_bajo": low, "ic_alto": high, "n": n if ok else 0}
    frase = (
        frases[verdict].format(**fields)
        if ok
        else f"Sin datos finitos con estos parámetros: «{enunciado}» queda sin decidir."
    )
    return Claim(
        id=id,
        enunciado=enunciado,
        medida=medida,
        valor=float(value),
        ic_bajo=low,
        ic_alto=high,
        n=fields["n"],
        regla=rule.describe(medida),
        veredicto=verdict,
        frase=frase,
    )


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
