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

Aquí solo hay transformaciones puras y sus medidas (número de condición, :func:`max_abs_z`,
:func:`condition_table`); el experimento que entrena con cada preparación está en
:mod:`batchlab.experiments.tails`.
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
    "condition_number",
    "condition_table",
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
