"""Notebooks 01 y 02: qué dicen las cifras del censo (significado, unidades, topes, dólares).

California Housing resume el censo de EE. UU. de 1990 por grupo de manzanas. Este módulo
dice qué significa cada columna y en qué unidad (:func:`variables_table`), dónde recortó el
censo las variables y cuántas filas quedaron en cada tope (:func:`censored_counts`), y
cómo se muestra un error en dólares (:func:`format_dollars`). La carga y la división están
en :mod:`batchlab.data` (también ``TARGET_CAP``, el tope del objetivo).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .data import TARGET, TARGET_CAP

__all__ = [
    "HOUSE_AGE_CAP",
    "MEDINC_CAPS",
    "VARIABLES",
    "censored_counts",
    "format_dollars",
    "variables_table",
]

#: Tope de HouseAge en el censo de 1990 (censura por arriba).
HOUSE_AGE_CAP = 52.0
#: MedInc también está recortada por los dos lados: el mínimo 0.4999 y el tope 15.0001
#: (describe() lo muestra redondeado como 15.000; unas pocas filas valen exactamente 15.0).
MEDINC_CAPS = (0.4999, 15.0001)

#: Qué significa cada columna y en qué unidad (censo de EE. UU. de 1990, por grupo de manzanas).
VARIABLES = {
    "MedInc": ("Ingreso mediano de los hogares del grupo", "decenas de miles de $"),
    "HouseAge": ("Edad mediana de las viviendas", "años (recortada en 52)"),
    "AveRooms": ("Habitaciones por hogar (total de habitaciones / hogares)", "habitaciones"),
    "AveBedrms": ("Dormitorios por hogar (total de dormitorios / hogares)", "dormitorios"),
    "Population": ("Personas que viven en el grupo de manzanas", "personas"),
    "AveOccup": ("Personas por hogar (población / hogares)", "personas"),
    "Latitude": ("Latitud del centro del grupo", "grados norte"),
    "Longitude": ("Longitud del centro del grupo", "grados (negativa = oeste)"),
    "MedHouseVal": ("Valor mediano de las viviendas (el objetivo)", "cientos de miles de $"),
}


def variables_table() -> pd.DataFrame:
    """Tabla con el significado y la unidad de cada columna del dataset."""
    return pd.DataFrame.from_dict(
        VARIABLES, orient="index", columns=["significado", "unidad"]
    ).rename_axis("variable")


def censored_counts(df: pd.DataFrame) -> pd.DataFrame:
    """Filas en cada tope del censo: objetivo, HouseAge y MedInc (por arriba y por abajo).

    Índice ``variable`` (con el lado del tope: ``MedInc (máximo)``…); columnas ``cap``
    (el valor guardado), ``rows`` y ``percent``. Los topes por arriba cuentan las filas
    ``≥`` (en MedInc, ≥ 15.0: el tope 15.0001 y las que valen 15.0 exacto); el de abajo, ``≤``.
    """
    low, high = MEDINC_CAPS
    counts = {
        TARGET: (TARGET_CAP, int((df[TARGET] >= TARGET_CAP).sum())),
        "HouseAge": (HOUSE_AGE_CAP, int((df["HouseAge"] >= HOUSE_AGE_CAP).sum())),
        "MedInc (máximo)": (high, int((df["MedInc"] >= 15.0).sum())),
        "MedInc (mínimo)": (low, int((df["MedInc"] <= low).sum())),
    }
    table = pd.DataFrame.from_dict(counts, orient="index", columns=["cap", "rows"])
    table["percent"] = 100 * table["rows"] / len(df)
    return table.rename_axis("variable")


def format_dollars(amount: float) -> str:
    """Cantidad en dólares con separador de miles de espacio: ``114 486 $``.

    Una cantidad no finita (un entrenamiento que divergió) no tiene dólares: ValueError.
    """
    if not np.isfinite(amount):
        raise ValueError(
            f"No hay dólares que mostrar para {amount!r}: el entrenamiento divergió; "
            "comprueba history.diverged antes de convertir."
        )
    return f"{round(amount):,} $".replace(",", " ")
