"""Experimentos del curso: funciones que miden y devuelven tablas (DataFrames) o historiales.

Los notebooks llaman a estas funciones y dibujan lo que devuelven con
:mod:`batchlab.plots`. Nada aquí dibuja ni imprime.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from .data import FEATURES, TARGET, HousingSplit
from .mlp import MLP, mse
from .training import History, epoch_orders, train

__all__ = [
    "activation_spread",
    "baseline_table",
    "compare_methods",
    "epoch_table",
    "holdout",
    "linear_loss_surface",
    "linear_paths",
    "loss_at_updates",
    "lr_sweep",
    "best_learning_rates",
    "summarize_sweep",
    "method_label",
    "original_setup",
    "race",
    "timing_table",
    "moving_average",
    "update_noise",
    "window_in_updates",
    "best_lr_by_batch",
    "classify_run",
    "line_fit_frames",
    "fit_steps_model",
    "generalization",
    "good_lr_band",
    "loglog_fit",
    "loglog_slope",
    "scaling_segments",
    "refine_best_lr",
    "steps_to_target",
]


# -- notebook 02 -------------------------------------------------------------------
def activation_spread(
    X: np.ndarray, depth: int = 20, width: int = 256, seed: int = 0
) -> pd.DataFrame:
    """Desviación típica de las activaciones en una pila profunda de capas ReLU.

    Compara tres inicializaciones de los pesos (sesgos a cero): He, ``N(0, 2/n)``;
    ``N(0, 1)``; y una demasiado pequeña, ``N(0, 0.01²)``. Todas parten de las mismas
    filas `X`. Devuelve una fila por (capa, inicialización).
    """
    schemes = {
        "He: N(0, 2/n)": lambda n_in: math.sqrt(2.0 / n_in),
        "N(0, 1)": lambda n_in: 1.0,
        "pequeña: N(0, 0.01²)": lambda n_in: 0.01,
    }
    rows = []
    for name, std in schemes.items():
        rng = np.random.default_rng(seed)
        a = np.asarray(X, dtype=np.float64)
        for layer in range(1, depth + 1):
            W = rng.standard_normal((a.shape[1], width)) * std(a.shape[1])
            a = np.maximum(a @ W, 0.0)
            rows.append({"capa": layer, "inicialización": name, "desviación": float(a.std())})
    return pd.DataFrame(rows)


def baseline_table(split: HousingSplit, extra: dict[str, float], seed: int = 0) -> pd.DataFrame:
    """MSE de prueba de modelos de referencia y de los de `extra` ({nombre: MSE}).

    Referencias: predecir la media, regresión lineal y `HistGradientBoostingRegressor`
    (un modelo fuerte para datos tabulares). Todo sobre la misma división.
    """
    from sklearn.ensemble import HistGradientBoostingRegressor
    from sklearn.linear_model import LinearRegression

    y_tr, y_te = split.y_train.ravel(), split.y_test.ravel()
    scores = {"predecir la media": mse(np.full_like(y_te, y_tr.mean()), y_te)}
    lin = LinearRegression().fit(split.X_train, y_tr)
    scores["regresión lineal"] = mse(lin.predict(split.X_test), y_te)
    hgb = HistGradientBoostingRegressor(random_state=seed).fit(split.X_train, y_tr)
    scores["HistGradientBoosting"] = mse(hgb.predict(split.X_test), y_te)
    scores.update(extra)
    table = pd.DataFrame({"MSE prueba (estandarizado)": scores}).rename_axis("modelo")
    table["RMSE ($)"] = [round(split.rmse_dollars(v)) for v in table.iloc[:, 0]]
    return table.sort_values("MSE prueba (estandarizado)", ascending=False)


# -- notebook 03: los tres métodos ----------------------------------------------------
def method_label(batch_size: int, n: int) -> str:
    """Nombre del método según el tamaño del batch."""
    if batch_size >= n:
        return f"batch completo (B={n})"
    return "SGD (B=1)" if batch_size == 1 else f"mini-batch (B={batch_size})"


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
    ``{nombre del método: History}`` en el orden de `batch_sizes`.
    """
    lrs = ([learning_rates] * len(batch_sizes) if np.isscalar(learning_rates)
           else list(learning_rates))
    if len(lrs) != len(batch_sizes):
        raise ValueError("Da una tasa de aprendizaje común o una por tamaño de batch.")
    out = {}
    for bs, lr in zip(batch_sizes, lrs, strict=True):
        out[method_label(bs, len(X))] = train(
            model.copy(), X, y, batch_size=bs, learning_rate=lr, epochs=epochs, seed=seed,
            **train_kwargs,
        )
    return out


def epoch_table(histories: dict[str, History]) -> pd.DataFrame:
    """Pérdida de entrenamiento y de validación/prueba por época de cada método."""
    columns = {}
    for name, h in histories.items():
        columns[(name, "entrenamiento")] = pd.Series(h.train_loss)
        if h.val_loss is not None:
            columns[(name, "prueba")] = pd.Series(h.val_loss)
    table = pd.DataFrame(columns)
    table.index = pd.RangeIndex(1, len(table) + 1, name="época")
    return table


def timing_table(histories: dict[str, History]) -> pd.DataFrame:
    """Segundos por época y por actualización y muestras por segundo (volátil: es tiempo)."""
    rows = {}
    for name, h in histories.items():
        seconds = h.total_time
        rows[name] = {
            "s / época": seconds / max(h.samples_seen[-1] / h.n_samples, 1e-12),
            "µs / actualización": 1e6 * seconds / h.n_updates,
            "muestras / s": h.samples_seen[-1] / seconds,
            "actualizaciones / época": h.updates_per_epoch,
        }
    return pd.DataFrame(rows).T.rename_axis("método")


def window_in_updates(history: History, window: float) -> int:
    """Una fracción `window` de época expresada en actualizaciones (al menos 1)."""
    return max(1, round(window * history.updates_per_epoch))


def moving_average(values: np.ndarray, window: int) -> tuple[np.ndarray, np.ndarray]:
    """Media móvil centrada de `window` puntos (solo donde la ventana cabe entera).

    Devuelve ``(índices, media)``: ``media[k]`` promedia los vecinos de ``values[índices[k]]``.
    """
    trend = np.convolve(values, np.ones(window) / window, mode="valid")
    return np.arange(window // 2, window // 2 + len(trend)), trend


def update_noise(history: History, window: float = 0.02) -> float:
    """Ruido de la pérdida por actualización en la última época.

    Dispersión relativa de las pérdidas de cada batch alrededor de su media móvil
    (ventana = `window` de época, al menos 1 actualización):
    ``std(pérdida − media móvil) / media(media móvil)``. Con el batch completo cada
    "pérdida de batch" es la pérdida exacta, y el ruido es 0.
    """
    losses = history.update_loss[-history.updates_per_epoch:]
    w = window_in_updates(history, window)
    if w == 1 or len(losses) <= w:
        return 0.0
    idx, trend = moving_average(losses, w)
    return float(np.std(losses[idx] - trend) / np.mean(trend))


def loss_at_updates(
    model: MLP,
    split: HousingSplit,
    batch_sizes: Sequence[int],
    learning_rate: float,
    n_updates: int,
    seed: int,
) -> pd.DataFrame:
    """Pérdida de prueba de cada método tras exactamente `n_updates` actualizaciones."""
    rows = []
    n = len(split.X_train)
    for bs in batch_sizes:
        m = model.copy()
        h = train(m, split.X_train, split.y_train, batch_size=bs, learning_rate=learning_rate,
                  epochs=math.ceil(n_updates / math.ceil(n / bs)), seed=seed,
                  max_updates=n_updates)
        rows.append({
            "método": method_label(bs, n),
            "actualizaciones": h.n_updates,
            "épocas vistas": h.samples_seen[-1] / n,
            "MSE prueba": m.loss(split.X_test, split.y_test),
        })
    return pd.DataFrame(rows).set_index("método")


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
    completo). Los resultados dependen de la velocidad de la máquina.
    """
    n = len(split.X_train)
    out = {}
    for bs, lr in zip(batch_sizes, learning_rates, strict=True):
        per_epoch = math.ceil(n / bs)
        out[method_label(bs, n)] = train(
            model.copy(), split.X_train, split.y_train, batch_size=bs, learning_rate=lr,
            epochs=10**6, seed=seed, X_val=split.X_test, y_val=split.y_test,
            eval_every=max(1, per_epoch // checkpoints), time_budget=time_budget,
        )
    return out


def holdout(split: HousingSplit, fraction: float = 0.2, seed: int = 0):
    """Separa una validación del conjunto de entrenamiento (la prueba no se toca al ajustar).

    Devuelve ``X_fit, y_fit, X_val, y_val``.
    """
    return train_test_split(split.X_train, split.y_train, test_size=fraction, random_state=seed)


def _sweep_one(model, X, y, X_val, y_val, bs, lr, epochs, seed, optimizer):
    """Una celda del barrido: pérdidas finales (inf si diverge)."""
    h = train(model.copy(), X, y, batch_size=bs, learning_rate=lr, epochs=epochs, seed=seed,
              X_val=X_val, y_val=y_val, optimizer=optimizer)
    return {"B": h.batch_size, "lr": lr, "seed": seed, "val_loss": h.final_val_loss,
            "train_loss": h.final_train_loss, "diverged": h.diverged}


def lr_sweep(
    model: MLP,
    X: np.ndarray,
    y: np.ndarray,
    X_val: np.ndarray,
    y_val: np.ndarray,
    grid: dict[int, Sequence[float]],
    *,
    epochs: int,
    seeds: Sequence[int] = (0,),
    n_jobs: int = 1,
    optimizer: str = "sgd",
    progress: bool = False,
) -> pd.DataFrame:
    """Barrido de tasas de aprendizaje: ``grid = {tamaño de batch: [tasas]}``.

    Cada combinación se entrena con cada semilla de barajado de `seeds`, partiendo
    siempre de los pesos de `model`. Con ``n_jobs > 1`` se reparte en procesos (joblib),
    con los mismos números que en serie; ``progress`` muestra una barra tqdm. Devuelve
    una fila por entrenamiento.
    """
    from joblib import Parallel, delayed
    from tqdm import tqdm

    jobs = [(bs, lr, sd) for bs, lrs in grid.items() for lr in lrs for sd in seeds]
    results = Parallel(n_jobs=n_jobs, return_as="generator")(
        delayed(_sweep_one)(model, X, y, X_val, y_val, bs, lr, epochs, sd, optimizer)
        for bs, lr, sd in jobs
    )
    rows = list(tqdm(results, total=len(jobs), desc=f"barrido {optimizer}", unit="entren.",
                     disable=not progress, mininterval=2.0))
    table = pd.DataFrame(rows)
    table.insert(0, "método", [method_label(b, len(X)) for b in table["B"]])
    return table


def summarize_sweep(table: pd.DataFrame) -> pd.DataFrame:
    """Por (método, lr): mediana y peor pérdida de validación entre semillas y divergencias."""
    grouped = table.groupby(["método", "lr"], sort=False)
    return pd.DataFrame({
        "B": grouped["B"].first(),
        "mediana": grouped["val_loss"].median(),
        "peor": grouped["val_loss"].max(),
        "divergidas": grouped["diverged"].sum().astype(int),
        "ejecuciones": grouped["diverged"].size(),
    }).reset_index()


def best_learning_rates(summary: pd.DataFrame) -> pd.DataFrame:
    """La mejor tasa de cada método, en el orden del barrido.

    Se prefiere la que no diverge con ninguna semilla y, entre ellas, la de mejor **peor**
    pérdida; si todas divergen alguna vez, la de menos divergencias (``fiable`` = False).
    """
    ranked = summary.assign(
        _peor=summary["peor"].where(np.isfinite(summary["peor"]), np.inf),
        _mediana=summary["mediana"].where(np.isfinite(summary["mediana"]), np.inf),
    ).sort_values(["divergidas", "_peor", "_mediana"], kind="stable")
    best = ranked.groupby("método", sort=False).head(1).set_index("método")
    best = best.loc[list(dict.fromkeys(summary["método"]))]  # orden del barrido
    best["fiable"] = best["divergidas"] == 0
    return best.drop(columns=["_peor", "_mediana"])


# -- el espacio de parámetros de un modelo de 2 parámetros -----------------------------
def linear_loss_surface(
    x: np.ndarray, y: np.ndarray, w: np.ndarray, b: np.ndarray
) -> np.ndarray:
    """MSE de ``ŷ = w·x + b`` en una rejilla (w, b), exacto a partir de los momentos de x, y."""
    x, y = np.ravel(x), np.ravel(y)
    ex, ey, exx, eyy, exy = x.mean(), y.mean(), (x * x).mean(), (y * y).mean(), (x * y).mean()
    W, B = np.meshgrid(w, b)
    return W**2 * exx + B**2 + eyy + 2 * W * B * ex - 2 * W * exy - 2 * B * ey


def linear_paths(
    x: np.ndarray,
    y: np.ndarray,
    batch_sizes: Sequence[int],
    learning_rate: float,
    n_updates: int,
    start: tuple[float, float],
    seed: int,
) -> dict[str, np.ndarray]:
    """Trayectoria (w, b) de SGD en ``ŷ = w·x + b`` para cada tamaño de batch.

    Es el mismo `MLP` sin capas ocultas, ``MLP((1, 1))``: θ = (w, b). Devuelve
    ``{método: array (n_updates + 1, 2)}`` empezando en `start`.
    """
    return {method_label(bs, len(np.ravel(x))):
            _line_trajectory(x, y, bs, learning_rate, n_updates, start, seed)
            for bs in batch_sizes}


def _line_trajectory(x, y, batch_size: int, learning_rate: float, n_updates: int,
                     start: tuple[float, float], seed: int) -> np.ndarray:
    """θ = (w, b) de ``ŷ = w·x + b`` antes de empezar y tras cada actualización de SGD."""
    x = np.asarray(x, dtype=np.float64).reshape(-1, 1)
    y = np.asarray(y, dtype=np.float64).reshape(-1, 1)
    model = MLP((1, 1), rng=seed)
    model.theta[:] = start
    points = [model.theta.copy()]
    train(model, x, y, batch_size=batch_size, learning_rate=learning_rate, seed=seed,
          epochs=math.ceil(n_updates / math.ceil(len(x) / batch_size)), max_updates=n_updates,
          callback=lambda t, m: points.append(m.theta.copy()))
    return np.array(points)


# -- reproducir el material original ---------------------------------------------------
def original_setup(df: pd.DataFrame):
    """La preparación del notebook original, con su fuga incluida, para comprobar sus cifras.

    Escala X e y con **todas** las filas, divide con ``random_state=11`` y crea los pesos
    con ``np.random.seed(42)`` y ``randn`` (generador antiguo de NumPy), como el original.
    Devuelve ``X_train, y_train, X_test, y_test, model``.
    """
    X = StandardScaler().fit_transform(df[FEATURES].to_numpy())
    y = StandardScaler().fit_transform(df[[TARGET]].to_numpy())
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=11)
    legacy = np.random.RandomState(42)
    model = MLP((8, 64, 32, 1), rng=0)
    for W in model.weights:
        W[...] = legacy.randn(*W.shape) * np.sqrt(2.0 / W.shape[0])
    return X_train, y_train, X_test, y_test, model


# -- notebook 04: tamaño del batch × tasa de aprendizaje --------------------------------
def refine_best_lr(lrs: np.ndarray, losses: np.ndarray) -> float:
    """Mejor tasa con resolución por debajo de la rejilla.

    Ajusta una parábola a log(pérdida) frente a log(lr) con el mejor punto y sus
    vecinos finitos y devuelve su vértice (o la mejor tasa de la rejilla si no hay
    vecinos o la parábola no es convexa).
    """
    lrs, losses = np.asarray(lrs, float), np.asarray(losses, float)
    order = np.argsort(lrs)
    lrs, losses = lrs[order], losses[order]
    finite = np.isfinite(losses)
    if not finite.any():
        return math.nan
    k = int(np.nanargmin(np.where(finite, losses, np.nan)))
    idx = [i for i in (k - 1, k, k + 1) if 0 <= i < len(lrs) and finite[i]]
    if len(idx) < 3:
        return float(lrs[k])
    a, b, _ = np.polyfit(np.log(lrs[idx]), np.log(losses[idx]), 2)
    if a <= 0:
        return float(lrs[k])
    vertex = -b / (2 * a)
    return float(np.exp(np.clip(vertex, np.log(lrs[idx[0]]), np.log(lrs[idx[-1]]))))


def best_lr_by_batch(summary: pd.DataFrame) -> pd.DataFrame:
    """Por tamaño de batch: la mejor tasa de la rejilla (peor caso) y la refinada."""
    best = best_learning_rates(summary).reset_index()
    refined = []
    for _, row in best.iterrows():
        grp = summary[summary["método"] == row["método"]]
        loss = grp["peor"].where(grp["divergidas"] == 0, np.inf)
        refined.append(refine_best_lr(grp["lr"].to_numpy(), loss.to_numpy()))
    best["lr refinada"] = refined
    return best.set_index("B")[["método", "lr", "lr refinada", "peor", "divergidas"]]


def loglog_fit(x: Sequence[float], y: Sequence[float]) -> tuple[float, float]:
    """Recta de mínimos cuadrados en log-log: ``(pendiente, ordenada)`` de log y = a·log x + b."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    ok = np.isfinite(x) & np.isfinite(y) & (x > 0) & (y > 0)
    if ok.sum() < 2:
        return math.nan, math.nan
    slope, intercept = np.polyfit(np.log(x[ok]), np.log(y[ok]), 1)
    return float(slope), float(intercept)


def loglog_slope(x: Sequence[float], y: Sequence[float]) -> float:
    """Pendiente de la recta de mínimos cuadrados en escala log-log."""
    return loglog_fit(x, y)[0]


def scaling_segments(best: pd.DataFrame, split_at: int) -> list[tuple[int, int, float, float]]:
    """Rectas log-log de la mejor tasa frente a B a cada lado de `split_at` (incluido en ambas).

    Devuelve ``[(B_min, B_max, pendiente, ordenada), …]`` para los tramos con ≥ 2 puntos.
    """
    Bs, lrs = best.index.to_numpy(), best["lr refinada"].to_numpy()
    out = []
    for mask in (Bs <= split_at, Bs >= split_at):
        if mask.sum() >= 2:
            slope, icpt = loglog_fit(Bs[mask], lrs[mask])
            out.append((int(Bs[mask].min()), int(Bs[mask].max()), slope, icpt))
    return out


def good_lr_band(summary: pd.DataFrame, tolerance: float = 0.2) -> pd.DataFrame:
    """Ancho de la banda de tasas «buenas» por método: las que no divergen con ninguna
    semilla y quedan a menos de `tolerance` (relativo) de la mejor, en décadas de lr."""
    rows = []
    for name, grp in summary.groupby("método", sort=False):
        loss = grp["peor"].where(grp["divergidas"] == 0, np.inf)
        best = loss.min()
        good = grp.loc[loss <= (1 + tolerance) * best, "lr"]
        rows.append({
            "método": name, "B": int(grp["B"].iloc[0]), "mejor pérdida": best,
            "tasas buenas": len(good),
            "ancho (décadas)": float(np.log10(good.max() / good.min())) if len(good) else math.nan,
        })
    return pd.DataFrame(rows).set_index("método")


def classify_run(history: History, best_loss: float, crawl_factor: float = 1.5,
                 max_rises: int = 2) -> str:
    """Diagnóstico de un entrenamiento: «diverge», «oscila», «se arrastra» o «converge».

    Sobre la curva de validación por época (desde la primera): *oscila* si sube en más
    de `max_rises` épocas; *se arrastra* si acaba a más de `crawl_factor` veces la mejor
    pérdida del grupo (`best_loss`); si no, *converge*.
    """
    if history.diverged:
        return "diverge"
    if int((np.diff(history.val_loss) > 0).sum()) > max_rises:
        return "oscila"
    if history.val_loss[-1] > crawl_factor * best_loss:
        return "se arrastra"
    return "converge"


def line_fit_frames(
    x: np.ndarray, y: np.ndarray, settings: Sequence[tuple[int, float]], n_updates: int,
    seed: int, start: tuple[float, float] = (0.0, 0.0),
) -> list[dict[str, np.ndarray]]:
    """Lo que necesita la animación de una recta ajustada batch a batch.

    Para cada ``(B, lr)`` de `settings`: (w, b) tras cada actualización, la pérdida
    (con todos los puntos) y las filas del batch de cada actualización.
    """
    x = np.asarray(x, float).reshape(-1, 1)
    y = np.asarray(y, float).reshape(-1, 1)
    out = []
    for B, lr in settings:
        theta = _line_trajectory(x, y, B, lr, n_updates, start, seed)
        loss = np.mean((theta[:, :1] * x.T + theta[:, 1:] - y.T) ** 2, axis=1)
        orders = epoch_orders(len(x), seed)
        batches, order = [], None
        per_epoch = math.ceil(len(x) / B)
        for t in range(len(theta) - 1):
            if t % per_epoch == 0:
                order = next(orders)
            k = t % per_epoch
            batches.append(order[k * B:(k + 1) * B])
        out.append({"B": B, "lr": lr, "theta": theta, "loss": loss, "batches": batches})
    return out


def steps_to_target(
    model: MLP, X: np.ndarray, y: np.ndarray, X_val: np.ndarray, y_val: np.ndarray,
    batch_sizes: Sequence[int], learning_rates: Sequence[float], *, target: float,
    max_epochs: int, seed: int, checks_per_epoch: int = 20,
) -> pd.DataFrame:
    """Actualizaciones y épocas hasta que la validación baja de `target` (o NaN si no llega)."""
    rows = []
    n = len(X)
    for B, lr in zip(batch_sizes, learning_rates, strict=True):
        per_epoch = math.ceil(n / B)
        h = train(model.copy(), X, y, batch_size=B, learning_rate=lr, epochs=max_epochs,
                  seed=seed, X_val=X_val, y_val=y_val, target_loss=target,
                  eval_every=max(1, per_epoch // checks_per_epoch))
        reached = h.stop_reason == "target"
        rows.append({"B": B, "lr": lr, "alcanza": reached,
                     "actualizaciones": h.n_updates if reached else math.nan,
                     "épocas": h.samples_seen[-1] / n if reached else math.nan})
    return pd.DataFrame(rows).set_index("B")


def fit_steps_model(table: pd.DataFrame) -> dict[str, float]:
    """Ajusta ``S(B) = S_min · (1 + B_ruido / B)`` (McCandlish et al., 2018) a los pasos.

    Es lineal en 1/B: ``S = S_min + S_min·B_ruido · (1/B)``; mínimos cuadrados relativos
    (cada punto pesa por igual en escala logarítmica).
    """
    ok = table["alcanza"].astype(bool)
    B = table.index[ok].to_numpy(float)
    S = table.loc[ok, "actualizaciones"].to_numpy(float)
    if len(B) < 2:
        return {"S_min": math.nan, "B_ruido": math.nan}
    A = np.c_[np.ones_like(B), 1 / B] / S[:, None]
    (s_min, slope), *_ = np.linalg.lstsq(A, np.ones_like(S), rcond=None)
    return {"S_min": float(s_min), "B_ruido": float(slope / s_min)}


def generalization(
    model: MLP, split: HousingSplit, batch_sizes: Sequence[int],
    learning_rates: Sequence[float], *, epochs: int, seeds: Sequence[int],
) -> pd.DataFrame:
    """Pérdida de entrenamiento y de prueba al final, y su diferencia, por tamaño de batch.

    Cada B con su tasa; media y desviación entre las semillas de barajado que no
    divergieron (``divergidas`` cuenta las que sí).
    """
    rows = []
    for B, lr in zip(batch_sizes, learning_rates, strict=True):
        for sd in seeds:
            m = model.copy()
            h = train(m, split.X_train, split.y_train, batch_size=B, learning_rate=lr,
                      epochs=epochs, seed=sd)
            tr = math.nan if h.diverged else m.loss(split.X_train, split.y_train)
            te = math.nan if h.diverged else m.loss(split.X_test, split.y_test)
            rows.append({"B": B, "lr": lr, "divergió": h.diverged, "entrenamiento": tr,
                         "prueba": te})
    raw = pd.DataFrame(rows)
    raw["diferencia"] = raw["prueba"] - raw["entrenamiento"]
    agg = raw.groupby("B")[["entrenamiento", "prueba", "diferencia"]].agg(["mean", "std"])
    agg.insert(0, ("divergidas", ""), raw.groupby("B")["divergió"].sum().astype(int))
    agg.insert(0, ("lr", ""), raw.groupby("B")["lr"].first())
    return agg
