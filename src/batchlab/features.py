"""Cómo se preparan las variables: colas pesadas medidas y controladas (notebooks 01, 03, 04).

Algunas variables de California Housing tienen colas muy pesadas (``AveOccup`` llega a
cientos de desviaciones típicas en unas pocas filas). Estandarizar no las acerca: una fila a
100σ sigue a 100σ, y con batches pequeños un solo paso de gradiente sobre ella puede
desestabilizar el entrenamiento. Este módulo define las preparaciones que el notebook 01
compara, todas ajustadas **solo con el entrenamiento** (sin fuga):

* ``"standard"``: estandarizar tal cual (la del material original);
* ``"log"``: ``log1p`` de las variables positivas de cola pesada y después estandarizar;
* ``"clip"``: estandarizar y recortar cada variable a ±k desviaciones típicas;
* ``"quantile"``: transformación de cuantiles hacia una normal (robusta por construcción).

Y mide lo que cada preparación cambia (:func:`compare_pipelines`): número de condición,
fila más alejada en entrenamiento y prueba, picos de la pérdida por batch con B = 1,
P(divergencia) a una tasa fija en varias semillas de barajado y MSE de prueba; con una
regla escrita (:func:`choose_pipeline`) que elige la que adopta el curso. También localiza
las filas extremas y su peso en el gradiente (:func:`extreme_rows`) y descompone el número
de condición de los datos crudos (:func:`condition_table`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, QuantileTransformer, StandardScaler

from ._checks import check_real

__all__ = [
    "ADOPTED",
    "PIPELINES",
    "PIPELINE_LABELS",
    "choose_pipeline",
    "compare_pipelines",
    "condition_number",
    "condition_table",
    "extreme_rows",
    "feature_transformer",
    "max_abs_z",
    "skewed_features",
]

#: Claves de las preparaciones (las que aceptan los notebooks en su parámetro `features`).
PIPELINES = ("standard", "log", "clip", "quantile")
#: Su nombre para mostrar (tablas y leyendas).
PIPELINE_LABELS = {
    "standard": "estandarizar",
    "log": "log1p de las colas + estandarizar",
    "clip": "estandarizar y recortar a ±kσ",
    "quantile": "cuantiles → normal",
}
#: La preparación que adoptan los notebooks 03–04 (su parámetro ``features``): la que eligió
#: :func:`choose_pipeline` en la división del curso (y en las de semillas 0, 1 y 2).
ADOPTED = "log"
#: Umbral de asimetría a partir del cual una variable positiva recibe ``log1p`` en "log".
SKEW_THRESHOLD = 3.0


def skewed_features(
    df: pd.DataFrame, features: list[str], threshold: float = SKEW_THRESHOLD
) -> list[str]:
    """Las variables estrictamente positivas con asimetría mayor que `threshold`."""
    cols = df[features]
    skew = cols.skew()
    return [f for f in features if skew[f] > threshold and (cols[f] > 0).all()]


def feature_transformer(
    pipeline: str,
    *,
    log_columns: list[int] | None = None,
    clip_sigma: float = 5.0,
    n_rows: int | None = None,
):
    """Un transformador de scikit-learn (sin ajustar) para la preparación `pipeline`.

    `log_columns` son las posiciones de las columnas que reciben ``log1p`` en ``"log"``;
    `clip_sigma` es el k de ``"clip"``; `n_rows` (filas con las que se ajustará) limita los
    cuantiles de ``"quantile"`` a ese número (sin aviso de scikit-learn). El resultado se
    ajusta con ``fit(X_train)`` y se aplica a entrenamiento y prueba con ``transform``.
    """
    if pipeline == "standard":
        return StandardScaler()
    if pipeline == "log":
        if not log_columns:
            raise ValueError(
                "La preparación 'log' necesita log_columns (p. ej. de skewed_features)."
            )
        return make_pipeline(
            FunctionTransformer(_log1p_columns, kw_args={"columns": list(log_columns)}),
            StandardScaler(),
        )
    if pipeline == "clip":
        limit = check_real("clip_sigma", clip_sigma)
        return make_pipeline(StandardScaler(), FunctionTransformer(_clip, kw_args={"limit": limit}))
    if pipeline == "quantile":
        # random_state fija la submuestra con la que se estiman los cuantiles.
        n_quantiles = 1000 if n_rows is None else max(1, min(1000, int(n_rows)))
        return QuantileTransformer(
            n_quantiles=n_quantiles, output_distribution="normal", random_state=0
        )
    raise ValueError(f"pipeline debe ser uno de {PIPELINES}; se recibió {pipeline!r}")


def max_abs_z(X: np.ndarray) -> np.ndarray:
    """Por columna, la fila más alejada del centro (en desviaciones típicas, si X está escalada)."""
    return np.abs(np.asarray(X)).max(axis=0)


def _log1p_columns(X: np.ndarray, columns: list[int]) -> np.ndarray:
    out = np.array(X, dtype=np.float64, copy=True)
    out[:, columns] = np.log1p(out[:, columns])
    return out


def _clip(X: np.ndarray, limit: float) -> np.ndarray:
    return np.clip(X, -limit, limit)


# -- medir las colas y su efecto --------------------------------------------------------
def condition_number(X: np.ndarray) -> float:
    """κ(AᵀA) con ``A = [1 | X]``: el número de condición de la curvatura del MSE lineal.

    Es la hessiana (salvo el factor 2/n) de la regresión lineal por mínimos cuadrados con
    sesgo; dice cuántas veces más despacio avanza el descenso de gradiente en la peor
    dirección que en la mejor.
    """
    X = np.asarray(X, dtype=np.float64)
    A = np.hstack([np.ones((len(X), 1)), X])
    return float(np.linalg.cond(A.T @ A))


def condition_table(X: np.ndarray) -> pd.DataFrame:
    """κ de :func:`condition_number` con X cruda, centrada, escalada y estandarizada.

    Índice ``raw`` (tal cual), ``centred`` (X − μ), ``scaled`` (X / σ, sin centrar) y
    ``standardized`` ((X − μ) / σ); columna ``condition``. Lo que queda tras estandarizar
    es el número de condición de la matriz de correlaciones.
    """
    X = np.asarray(X, dtype=np.float64)
    mu, sigma = X.mean(axis=0), X.std(axis=0)
    versions = {
        "raw": X,
        "centred": X - mu,
        "scaled": X / sigma,
        "standardized": (X - mu) / sigma,
    }
    return pd.DataFrame(
        {"condition": {k: condition_number(v) for k, v in versions.items()}}
    ).rename_axis("version")


def extreme_rows(
    X: np.ndarray, y: np.ndarray, model, feature_names, threshold: float = 20.0
) -> pd.DataFrame:
    """Las filas con alguna variable a más de `threshold` σ y su peso en el gradiente.

    `X` son las variables ya estandarizadas del entrenamiento. Para cada fila se mide
    ‖∇ℓᵢ‖² con los pesos de `model` (sin entrenarlo) y su parte de Σᵢ‖∇ℓᵢ‖² (= N·tr de la
    matriz de segundos momentos del gradiente por muestra: el ruido de SGD con B = 1).
    Índice ``position`` (fila de `X`); columnas ``feature`` (la variable más alejada),
    ``z``, ``share_grad`` (fracción de Σ‖∇ℓᵢ‖²), de la más alejada a la menos.
    """
    X, y = np.asarray(X, dtype=np.float64), np.asarray(y, dtype=np.float64).reshape(len(X), -1)
    far = np.abs(X).max(axis=1)
    norms = np.empty(len(X))
    probe = model.copy()
    for i in range(len(X)):
        probe.loss_and_gradient(X[i : i + 1], y[i : i + 1])
        norms[i] = float(np.vdot(probe.grad, probe.grad))
    rows = np.flatnonzero(far > threshold)
    rows = rows[np.argsort(-far[rows])]
    names = [feature_names[int(np.abs(X[i]).argmax())] for i in rows]
    return pd.DataFrame(
        {"feature": names, "z": far[rows], "share_grad": norms[rows] / norms.sum()},
        index=pd.Index(rows, name="position"),
    )


def compare_pipelines(
    df: pd.DataFrame,
    *,
    seed: int = 42,
    test_size: float = 0.2,
    pipelines=PIPELINES,
    learning_rate: float = 0.001,
    epochs: int = 2,
    shuffle_seeds=tuple(range(10)),
    model_seed: int = 0,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Compara las preparaciones con SGD de una muestra (B = 1) a una tasa fija.

    Para cada preparación: la misma división (`seed`, `test_size`), los mismos pesos
    iniciales (`model_seed`) y una ejecución por semilla de barajado de `shuffle_seeds`
    (``train_many``, `epochs` épocas). Devuelve dos tablas con claves de máquina:

    * resumen (índice ``pipeline``): ``condition`` (:func:`condition_number` del
      entrenamiento preparado), ``max_z_train``, ``max_z_test``, ``spike`` (máximo / mediana
      de la pérdida por batch en la primera época de la primera semilla; inf si divergió
      en ella), ``diverged`` (k), ``runs`` (n), ``p_div_low`` y ``p_div_high`` (intervalo
      de Wilson del 95 % de k/n), ``median_test_mse`` (diverge ⇒ inf) y ``mse_low``,
      ``mse_high`` (intervalo bootstrap del 95 % de esa mediana);
    * por ejecución (índice ``pipeline``, ``shuffle_seed``): ``test_mse`` y ``diverged``.

    Una ejecución diverge si ``train`` lo detecta o si su MSE de prueba final no es finito
    o supera ``baselines.DIVERGENCE_FACTOR`` veces el inicial (así también cuenta la que explota
    en su última época).
    """
    from .baselines import final_test_mse
    from .claims import bootstrap_interval, wilson_interval
    from .data import split_and_scale
    from .lockstep import train_many
    from .mlp import MLP

    seeds = [int(s) for s in shuffle_seeds]
    summary, runs = [], []
    for name in pipelines:
        split = split_and_scale(df, test_size=test_size, seed=seed, features=name)
        models = [MLP(rng=np.random.default_rng(model_seed)) for _ in seeds]
        hs = train_many(
            models, split.X_train, split.y_train, batch_size=1,
            learning_rates=learning_rate, seeds=seeds, epochs=epochs,
            X_val=split.X_test, y_val=split.y_test,
        )  # fmt: skip
        mses = [
            final_test_mse(h, m, split.X_test, split.y_test)
            for h, m in zip(hs, models, strict=True)
        ]
        for s, v in zip(seeds, mses, strict=True):
            runs.append({"pipeline": name, "shuffle_seed": s, "test_mse": v,
                         "diverged": not np.isfinite(v)})  # fmt: skip
        k = int(sum(not np.isfinite(v) for v in mses))
        p_low, p_high = wilson_interval(k, len(seeds))
        mse_low, mse_high = bootstrap_interval(mses)
        summary.append(
            {
                "pipeline": name,
                "condition": condition_number(split.X_train),
                "max_z_train": float(max_abs_z(split.X_train).max()),
                "max_z_test": float(max_abs_z(split.X_test).max()),
                "spike": _spike(hs[0], len(split.X_train)),
                "diverged": k,
                "runs": len(seeds),
                "p_div_low": p_low,
                "p_div_high": p_high,
                "median_test_mse": float(np.median(mses)),
                "mse_low": mse_low,
                "mse_high": mse_high,
            }
        )
    return (
        pd.DataFrame(summary).set_index("pipeline"),
        pd.DataFrame(runs).set_index(["pipeline", "shuffle_seed"]),
    )


def choose_pipeline(summary: pd.DataFrame) -> str | None:
    """La regla del curso: entre las preparaciones sin ninguna divergencia en sus n
    ejecuciones, la de menor mediana del MSE de prueba; None si ninguna se libra."""
    safe = summary[(summary["diverged"] == 0) & np.isfinite(summary["median_test_mse"])]
    if safe.empty:
        return None
    return str(safe["median_test_mse"].idxmin())


def _spike(history, n_rows: int) -> float:
    """Máximo / mediana de la pérdida por batch en la primera época (inf si no la terminó)."""
    if history.epochs_completed == 0:
        return float("inf")
    first = np.asarray(history.update_loss[:n_rows])
    return float(first.max() / np.median(first))
