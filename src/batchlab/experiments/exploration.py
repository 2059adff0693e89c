"""Notebook 01: las medidas de la exploración de los datos y sus tablas para mostrar.

* :func:`location_table` — ¿cuánto explica la ubicación sola?, en varias divisiones;
* :func:`pipeline_table` — la comparación de preparaciones (``tails.compare_pipelines``)
  con sus intervalos, lista para mostrar;
* :func:`extreme_train_rows`, :func:`extremes_sentence` y :func:`extremes_display` — las
  filas del entrenamiento a más de 20σ y su peso en el gradiente;
* :func:`leak_table` y :func:`max_leak_shifts` — cuánto cambiaría el escalado con la fuga;
* :func:`summary_table` — el resumen del notebook, una fila por hallazgo.

Las medidas devuelven tablas con claves de máquina; las funciones ``*_table`` de
presentación y ``*_display`` devuelven ya las cabeceras en español.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from sklearn.preprocessing import StandardScaler

from ..census import HOUSE_AGE_CAP, MEDINC_CAPS, format_dollars
from ..data import FEATURES, TARGET, TARGET_CAP, split_and_scale, split_index
from ..features import PIPELINE_LABELS
from ..labels import spanish
from ..mlp import MLP
from .baselines import location_only_mse
from .tails import extreme_rows

__all__ = [
    "LEAK_LABELS",
    "LOCATION_LABELS",
    "extreme_train_rows",
    "extremes_display",
    "extremes_sentence",
    "leak_table",
    "location_table",
    "max_leak_shifts",
    "pipeline_table",
    "summary_table",
]

#: Cabeceras en español de :func:`location_table`.
LOCATION_LABELS = {
    "split_seed": "semilla de división",
    "hgb_lat_lon": "HGB solo con latitud y longitud",
    "linear_all": "regresión lineal (8 variables)",
}
#: Cabeceras en español de :func:`leak_table`.
LEAK_LABELS = {
    "mean_shift": "desplazamiento de la media (% de σ)",
    "sigma_change": "cambio de σ (%)",
}
#: Cabeceras en español de :func:`pipeline_table`.
_PIPELINE_COLUMNS = {
    "pipeline": "preparación",
    "condition": "κ",
    "max_z_train": "máx |z| entren.",
    "max_z_test": "máx |z| prueba",
    "spike": "pico (máx/mediana)",
    "diverged": "divergen (IC 95 %)",
    "median_test_mse": "MSE prueba: mediana [IC 95 %]",
}
#: Cabeceras en español de :func:`extremes_display`.
_EXTREME_COLUMNS = {
    "df_row": "fila de df",
    "position": "posición en el entrenamiento",
    "feature": "variable",
    "z": "|z|",
    "share_grad": "% de Σ‖∇ℓᵢ‖²",
}


# -- la ubicación sola -------------------------------------------------------------------
def location_table(df: pd.DataFrame, seeds: Sequence[int], test_size: float) -> pd.DataFrame:
    """MSE de prueba de HGB con solo latitud y longitud y de la regresión lineal.

    Una fila por semilla de división de `seeds` (índice ``split_seed``); columnas
    ``hgb_lat_lon`` y ``linear_all`` (:func:`~batchlab.experiments.baselines.location_only_mse`).
    """
    rows = [location_only_mse(split_and_scale(df, test_size=test_size, seed=s)) for s in seeds]
    return pd.DataFrame(
        rows,
        index=pd.Index(list(seeds), name="split_seed"),
        columns=["hgb_lat_lon", "linear_all"],
    )


# -- las preparaciones comparadas --------------------------------------------------------
def _finite_or_diverges(value: float, spec: str = "{:.4g}") -> str:
    """El número con `spec`, o «∞ (diverge)» si no es finito."""
    return spec.format(value) if np.isfinite(value) else "∞ (diverge)"


def _median_with_interval(median: float, low: float, high: float) -> str:
    """«mediana [bajo, alto]» del MSE de prueba; si la mediana es ∞, lo dice."""
    if not np.isfinite(median):
        return "∞ (diverge la mitad o más)"
    upper = "∞" if not np.isfinite(high) else f"{high:.4g}"
    return f"{median:.4g} [{low:.4g}, {upper}]"


def pipeline_table(summary: pd.DataFrame) -> pd.DataFrame:
    """La tabla resumen de ``tails.compare_pipelines`` lista para mostrar (en español).

    κ y máx |z| como números; el pico y la mediana del MSE como texto (∞ si divergió) y
    las divergencias como «k de n [IC 95 %]».
    """
    r = summary
    table = r[["condition", "max_z_train", "max_z_test"]].copy()
    table["spike"] = r["spike"].map(_finite_or_diverges)
    table["diverged"] = [
        f"{k} de {n} [{lo:.2f}, {hi:.2f}]"
        for k, n, lo, hi in zip(
            r["diverged"], r["runs"], r["p_div_low"], r["p_div_high"], strict=True
        )
    ]
    table["median_test_mse"] = [
        _median_with_interval(m, lo, hi)
        for m, lo, hi in zip(r["median_test_mse"], r["mse_low"], r["mse_high"], strict=True)
    ]
    return spanish(table, {**PIPELINE_LABELS, **_PIPELINE_COLUMNS})


# -- las filas extremas ------------------------------------------------------------------
def extreme_train_rows(
    df: pd.DataFrame, test_size: float, seed: int, model_seed: int = 0
) -> tuple[pd.DataFrame, int]:
    """Las filas del entrenamiento a más de 20σ (solo estandarizando) y su peso en el gradiente.

    La tabla de :func:`~batchlab.experiments.tails.extreme_rows` con los pesos iniciales
    de una MLP (`model_seed`), con una columna ``df_row`` delante (la etiqueta de la fila en
    `df`). Devuelve ``(tabla, filas del entrenamiento)``.
    """
    split = split_and_scale(df, test_size=test_size, seed=seed)
    train_index, _ = split_index(df, test_size=test_size, seed=seed)
    model = MLP(rng=np.random.default_rng(model_seed))
    rows = extreme_rows(split.X_train, split.y_train, model, FEATURES)
    rows.insert(0, "df_row", train_index[rows.index])
    return rows, len(split.X_train)


def extremes_sentence(rows: pd.DataFrame, df: pd.DataFrame, n_train: int) -> str:
    """Cuántas filas extremas hay, qué parte del ruido llevan y cuál es la peor (texto)."""
    if rows.empty:
        return "Ninguna fila del entrenamiento tiene una variable a más de 20σ en esta división."
    worst = rows.iloc[0]
    raw_value = df.loc[worst["df_row"], worst["feature"]]
    return (
        f"{len(rows)} filas del entrenamiento (el {100 * len(rows) / n_train:.2f} % de "
        f"{n_train}) tienen una variable a más de 20σ; juntas llevan el "
        f"{100 * rows['share_grad'].sum():.0f} % de Σ‖∇ℓᵢ‖² con los pesos iniciales.\n"
        f"La más extrema (fila {worst['df_row']} de df, {worst['feature']} = {raw_value:.1f} "
        f"a {worst['z']:.0f}σ) lleva sola el {100 * worst['share_grad']:.0f} %."
    )


def extremes_display(rows: pd.DataFrame, head: int = 15) -> pd.DataFrame:
    """Las `head` primeras filas extremas para mostrar (parte del gradiente en %)."""
    shown = rows.head(head).assign(share_grad=100 * rows["share_grad"]).round(2)
    return spanish(shown, _EXTREME_COLUMNS)


# -- la fuga -----------------------------------------------------------------------------
def leak_table(X_all: np.ndarray, train_scaler: StandardScaler) -> pd.DataFrame:
    """Cuánto cambiaría el escalado si se ajustara con todas las filas (`X_all`).

    Frente al `train_scaler` (ajustado solo con el entrenamiento), por variable:
    ``mean_shift`` (desplazamiento de la media, en % de la σ de entrenamiento) y
    ``sigma_change`` (cambio relativo de σ, en %).
    """
    everything = StandardScaler().fit(X_all)
    mean, scale = train_scaler.mean_, train_scaler.scale_
    return pd.DataFrame(
        {
            "mean_shift": 100 * (everything.mean_ - mean) / scale,
            "sigma_change": 100 * (everything.scale_ / scale - 1),
        },
        index=FEATURES,
    )


def max_leak_shifts(df: pd.DataFrame, seeds: Sequence[int], test_size: float) -> list[float]:
    """El mayor |desplazamiento de una media| por la fuga (% de σ), uno por división."""
    everything = StandardScaler().fit(df[FEATURES].to_numpy())
    shifts = []
    for s in seeds:
        sc = split_and_scale(df, test_size=test_size, seed=s).x_scaler
        shifts.append(float(np.abs(100 * (everything.mean_ - sc.mean_) / sc.scale_).max()))
    return shifts


# -- el resumen --------------------------------------------------------------------------
def _censored_rows(censored: pd.DataFrame) -> list[tuple[str, str]]:
    """Las filas del resumen con los topes del censo (``census.censored_counts``)."""
    capped = {k: f"{r['rows']} ({r['percent']:.2f} %)" for k, r in censored.iterrows()}
    return [
        (f"filas con el precio en el tope {TARGET_CAP:g}", capped[TARGET]),
        (f"filas con HouseAge en el tope {HOUSE_AGE_CAP:g}", capped["HouseAge"]),
        (f"filas con MedInc en el tope {MEDINC_CAPS[1]:g} (≥ 15)", capped["MedInc (máximo)"]),
        (f"filas con MedInc en el mínimo {MEDINC_CAPS[0]:g}", capped["MedInc (mínimo)"]),
    ]


def _leak_rows(leak: pd.DataFrame) -> list[tuple[str, str]]:
    """Las filas del resumen con la media y la σ que más mueve la fuga (:func:`leak_table`)."""
    worst_mean = leak["mean_shift"].abs().idxmax()
    worst_sigma = leak["sigma_change"].abs().idxmax()
    return [
        (
            "media que más mueve la fuga",
            f"{worst_mean}: {leak.loc[worst_mean, 'mean_shift']:+.2f} % de σ",
        ),
        (
            "σ que más cambia con la fuga",
            f"{worst_sigma}: {leak.loc[worst_sigma, 'sigma_change']:+.2f} %",
        ),
    ]


def summary_table(
    df: pd.DataFrame,
    *,
    best: tuple[str, float],
    censored: pd.DataFrame,
    extreme: tuple[str, float],
    kappa: pd.Series,
    n_extreme: int,
    chosen: str | None,
    leak: pd.DataFrame,
    rmse_mean: float,
) -> pd.DataFrame:
    """El resumen del notebook: una fila por hallazgo (índice «hallazgo», columna «valor»).

    `best`: la variable más correlacionada con el precio y su r; `censored`: la tabla de
    ``census.censored_counts``; `extreme`: la variable de cola más extrema y a cuántas σ
    queda su máximo; `kappa`: κ cruda, centrada, escalada y estandarizada; `n_extreme`: filas
    del entrenamiento a más de 20σ; `chosen`: la preparación que elige la regla (o None);
    `leak`: la tabla de :func:`leak_table`; `rmse_mean`: el RMSE en dólares de predecir la
    media.
    """
    chosen_label = "ninguna" if chosen is None else PIPELINE_LABELS[chosen]
    rows = [
        ("filas × variables", f"{len(df)} × {len(FEATURES)}"),
        ("variable más correlacionada con el precio", f"{best[0]} (r = {best[1]:.3f})"),
        *_censored_rows(censored),
        ("cola más extrema", f"{extreme[0]}: máximo a {extreme[1]:.0f} σ"),
        ("κ crudo / centrado / escalado / estandarizado", " / ".join(f"{v:.3g}" for v in kappa)),
        ("filas del entrenamiento a más de 20σ", f"{n_extreme}"),
        ("preparación que elige la regla", chosen_label),
        *_leak_rows(leak),
        ("RMSE de predecir la media (prueba)", format_dollars(rmse_mean)),
    ]
    return pd.DataFrame(rows, columns=["hallazgo", "valor"]).set_index("hallazgo")
