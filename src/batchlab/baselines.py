"""Notebook 02: la inicialización de los pesos y los modelos de referencia.

Dos medidas que sitúan a la MLP: cómo se propaga la señal por una pila de capas ReLU
según la inicialización (:func:`activation_spread`) y qué MSE de prueba logran modelos
sencillos y uno fuerte de scikit-learn (:func:`baseline_table`).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .data import HousingSplit
from .mlp import mse

__all__ = ["INITS", "activation_spread", "baseline_table"]

#: Desviación típica de los pesos de cada inicialización según las entradas de la capa.
INITS = {
    "he": lambda n_in: math.sqrt(2.0 / n_in),
    "standard_normal": lambda n_in: 1.0,
    "small": lambda n_in: 0.01,
}


def activation_spread(
    X: np.ndarray, depth: int = 20, width: int = 256, seed: int = 0
) -> pd.DataFrame:
    """Desviación típica de las activaciones en una pila profunda de capas ReLU.

    Compara las inicializaciones de :data:`INITS` (sesgos a cero): He, ``N(0, 2/n)``;
    ``N(0, 1)``; y una demasiado pequeña, ``N(0, 0.01²)``. Todas parten de las mismas
    filas `X`. Una fila por (capa, inicialización); columnas ``layer`` (desde 1),
    ``init`` (clave de :data:`INITS`) y ``activation_std``.
    """
    rows = []
    for name, std in INITS.items():
        rng = np.random.default_rng(seed)
        a = np.asarray(X, dtype=np.float64)
        for layer in range(1, depth + 1):
            W = rng.standard_normal((a.shape[1], width)) * std(a.shape[1])
            a = np.maximum(a @ W, 0.0)
            rows.append({"layer": layer, "init": name, "activation_std": float(a.std())})
    return pd.DataFrame(rows)


def baseline_table(split: HousingSplit, extra: dict[str, float], seed: int = 0) -> pd.DataFrame:
    """MSE de prueba de modelos de referencia y de los de `extra` ({nombre: MSE}).

    Referencias: predecir la media (``mean_prediction``), regresión lineal
    (``linear_regression``) y `HistGradientBoostingRegressor` (``hist_gradient_boosting``,
    un modelo fuerte para datos tabulares). Todo sobre la misma división. Índice
    ``model``; columnas ``test_mse`` (objetivo estandarizado) y ``rmse_dollars``; de
    peor a mejor.
    """
    from sklearn.ensemble import HistGradientBoostingRegressor
    from sklearn.linear_model import LinearRegression

    y_tr, y_te = split.y_train.ravel(), split.y_test.ravel()
    scores = {"mean_prediction": mse(np.full_like(y_te, y_tr.mean()), y_te)}
    lin = LinearRegression().fit(split.X_train, y_tr)
    scores["linear_regression"] = mse(lin.predict(split.X_test), y_te)
    hgb = HistGradientBoostingRegressor(random_state=seed).fit(split.X_train, y_tr)
    scores["hist_gradient_boosting"] = mse(hgb.predict(split.X_test), y_te)
    scores.update(extra)
    table = pd.DataFrame({"test_mse": scores}).rename_axis("model")
    table["rmse_dollars"] = [round(split.rmse_dollars(v)) for v in table["test_mse"]]
    return table.sort_values("test_mse", ascending=False)
