"""Notebook 02: las tablas y medidas de la MLP escrita desde cero.

Lo que el notebook enseña en tablas cortas: la arquitectura capa a capa
(:func:`architecture_table`), el error en las filas del tope del censo frente al resto
(:func:`cap_errors`, :func:`censorship_table`, :func:`finite_cap_ratios`), la tabla de
modelos de referencia lista para mostrar (:func:`baseline_view`) y el MSE de prueba de las
repeticiones con varias semillas (:func:`final_test_mses`, :func:`seed_table`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .. import labels
from ..census import format_dollars
from ..data import TARGET_CAP, HousingSplit
from .baselines import final_test_mse

__all__ = [
    "BASELINE_LABELS",
    "architecture_table",
    "baseline_view",
    "cap_errors",
    "censorship_table",
    "final_test_mses",
    "finite_cap_ratios",
    "seed_table",
]

#: Etiquetas de la tabla de modelos de referencia propias de este notebook.
BASELINE_LABELS = {
    "mlp": "MLP (este notebook)",
    "mlp_regressor": "MLPRegressor (scikit-learn)",
    "test_mse": "MSE prueba (estandarizado)",
}


def architecture_table(model) -> pd.DataFrame:
    """Una fila por capa densa: formas de W y b, activación y número de parámetros."""
    rows = [
        {
            "capa": i + 1,
            "W": str(W.shape),
            "b": str(b.shape),
            "activación": "ReLU" if i < model.n_layers - 1 else "lineal",
            "parámetros": W.size + b.size,
        }
        for i, (W, b) in enumerate(zip(model.weights, model.biases, strict=True))
    ]
    return pd.DataFrame(rows).set_index("capa")


def _cap_mask(y_true: np.ndarray) -> np.ndarray:
    """Las filas cuyo valor real está en el tope del censo (TARGET_CAP o más)."""
    return np.asarray(y_true) >= TARGET_CAP


def _rmse(y_pred: np.ndarray, y_true: np.ndarray) -> float:
    """Raíz del error cuadrático medio entre dos vectores de la misma forma."""
    return float(np.sqrt(np.mean((y_pred - y_true) ** 2)))


def cap_errors(y_true: np.ndarray, y_pred: np.ndarray) -> tuple[float, float, float]:
    """RMSE ($100k) de las filas en el tope del censo y del resto, y su cociente.

    `y_true` y `y_pred` van en la escala original ($100k), como vectores planos.
    """
    at_cap = _cap_mask(y_true)
    if not at_cap.any() or at_cap.all():
        raise ValueError(
            f"Hacen falta filas en el tope ({TARGET_CAP}) y por debajo; se recibieron "
            f"{int(at_cap.sum())} de {at_cap.size} en el tope."
        )
    top = _rmse(y_pred[at_cap], y_true[at_cap])
    rest = _rmse(y_pred[~at_cap], y_true[~at_cap])
    return top, rest, top / rest


def censorship_table(y_true: np.ndarray, y_pred: np.ndarray) -> pd.DataFrame:
    """Filas, predicción media y RMSE ($100k) en el tope del censo y en el resto."""
    at_cap = _cap_mask(y_true)
    top, rest, _ = cap_errors(y_true, y_pred)
    return pd.DataFrame(
        {
            "filas": [int(at_cap.sum()), int((~at_cap).sum())],
            "predicción media ($100k)": [y_pred[at_cap].mean(), y_pred[~at_cap].mean()],
            "RMSE ($100k)": [top, rest],
        },
        index=["en el tope 5.00001", "resto"],
    )


def finite_cap_ratios(models: Sequence, test_mse: Sequence[float], split: HousingSplit) -> list:
    """El cociente RMSE tope / resto en la prueba de cada modelo que no divergió.

    `test_mse` va alineado con `models`; un MSE no finito (∞ = divergió) deja fuera su modelo.
    """
    y_true = split.to_original_target(split.y_test).ravel()
    return [
        cap_errors(y_true, split.to_original_target(m.predict(split.X_test)).ravel())[2]
        for m, v in zip(models, test_mse, strict=True)
        if np.isfinite(v)
    ]


def baseline_view(table: pd.DataFrame) -> pd.DataFrame:
    """La tabla de :func:`~batchlab.experiments.baselines.baseline_table` para mostrar.

    MSE con cuatro decimales («∞ (divergió)» si no es finito), dólares con
    :func:`~batchlab.census.format_dollars` («—» si faltan) y cabeceras en español.
    """
    view = pd.DataFrame(
        {
            "test_mse": [
                f"{v:.4f}" if np.isfinite(v) else "∞ (divergió)" for v in table["test_mse"]
            ],
            "rmse_dollars": [
                format_dollars(v) if pd.notna(v) else "—" for v in table["rmse_dollars"]
            ],
        },
        index=table.index,
    )
    return labels.spanish(view, BASELINE_LABELS)


def final_test_mses(histories: Sequence, models: Sequence, split: HousingSplit) -> np.ndarray:
    """MSE de prueba de cada modelo entrenado (∞ si su entrenamiento divergió)."""
    return np.array(
        [
            final_test_mse(h, m, split.X_test, split.y_test)
            for h, m in zip(histories, models, strict=True)
        ]
    )


def seed_table(test_mse: np.ndarray, seeds: Sequence[int], linear_mse: float) -> pd.DataFrame:
    """Por semilla: el MSE de prueba y su cociente con el de la regresión lineal."""
    return pd.DataFrame(
        {
            "MSE prueba": [f"{v:.4f}" if np.isfinite(v) else "divergió" for v in test_mse],
            "MSE / regresión lineal": [
                f"{v / linear_mse:.3f}" if np.isfinite(v) else "∞" for v in test_mse
            ],
        },
        index=pd.Index(seeds, name="semilla"),
    )
