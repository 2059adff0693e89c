"""Notebook 02: el registro de sus conclusiones (la MLP desde cero, con varias semillas).

Cada función recibe lo ya medido en el notebook (números y arrays con una entrada por
semilla) y devuelve sus :class:`~batchlab.claims.engine.Claim`, con los ids y las frases que
el notebook muestra:

* :func:`divergence_claim` — ``entrena_sin_divergir``: cuántas semillas divergen;
* :func:`comparison_claims` — ``mlp_mejora_lineal``, ``arboles_mejor_que_mlp`` y
  ``sklearn_mejor_que_mlp``: la MLP frente a los modelos de referencia;
* :func:`censorship_claim` — ``censura_error_mayor``: el error en las filas del tope del censo.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .engine import Claim, median_claim, rate_claim
from .spec import FAILS, HOLDS, INCONCLUSIVE, Rule

__all__ = ["censorship_claim", "comparison_claims", "divergence_claim"]


def _phrases(holds: str, fails: str, unclear: str, diverged: int) -> dict[str, str]:
    """Las tres frases de un veredicto, con la mediana y su intervalo.

    Si `diverged` > 0, la cifra dice cuántas semillas divergen y que cuentan como ∞.
    """
    numbers = " (mediana {valor:.3f}, IC 95 % [{ic_bajo:.3f}, {ic_alto:.3f}], {n} semillas"
    numbers += f"; {diverged} divergen y cuentan como ∞)" if diverged else ")"
    return {HOLDS: holds + numbers, FAILS: fails + numbers, INCONCLUSIVE: unclear + numbers}


def divergence_claim(k_div: int, n_repeats: int, batch_size: int, learning_rate: float) -> Claim:
    """«Menos de la mitad de las ejecuciones divergen», con `k_div` de `n_repeats`."""
    return rate_claim(
        "entrena_sin_divergir",
        f"Con B = {batch_size} y lr = {learning_rate:g}, menos de la mitad de las ejecuciones "
        "divergen",
        k_div,
        n_repeats,
        medida="fracción de semillas que divergen",
        rule=Rule(0.5, "menor"),
        frases={
            HOLDS: "Divergen {k} de {n} semillas (IC 95 % [{ic_bajo:.2f}, {ic_alto:.2f}]).",
            FAILS: "Divergen {k} de {n} semillas (IC 95 % [{ic_bajo:.2f}, "
            "{ic_alto:.2f}]): esta tasa es demasiado grande para este tamaño de batch.",
            INCONCLUSIVE: "Divergen {k} de {n} semillas (IC 95 % [{ic_bajo:.2f}, "
            "{ic_alto:.2f}]): no se puede afirmar que la tasa sea segura.",
        },
    )


#: Las tres comparaciones con las referencias: id → (enunciado, medida, dirección, frases).
#: La medida es «MSE de prueba de la MLP / MSE de la referencia», por semilla.
_COMPARISONS = {
    "mlp_mejora_lineal": (
        "La MLP predice mejor que la regresión lineal",
        "MSE de prueba de la MLP / MSE de la regresión lineal, por semilla",
        "menor",
        (
            "La MLP deja el MSE de la regresión lineal en una fracción",
            "La MLP no mejora a la regresión lineal",
            "La MLP y la regresión lineal no se separan",
        ),
    ),
    "arboles_mejor_que_mlp": (
        "HistGradientBoosting predice mejor que la MLP",
        "MSE de prueba de la MLP / MSE de HistGradientBoosting, por semilla",
        "mayor",
        (
            "HistGradientBoosting queda por debajo de la MLP: la MLP tiene un MSE mayor",
            "La MLP queda por debajo de HistGradientBoosting",
            "La MLP y HistGradientBoosting no se separan",
        ),
    ),
    "sklearn_mejor_que_mlp": (
        "MLPRegressor de scikit-learn (Adam, parada temprana) predice mejor que nuestra MLP",
        "MSE de prueba de la MLP / MSE de MLPRegressor, por semilla",
        "mayor",
        (
            "MLPRegressor queda por debajo de nuestra MLP con SGD: la nuestra tiene un MSE mayor",
            "Nuestra MLP con SGD queda por debajo de MLPRegressor",
            "Nuestra MLP y MLPRegressor no se separan",
        ),
    ),
}


def _comparison(id: str, ratios: np.ndarray, diverged: int) -> Claim:
    """La conclusión `id` de :data:`_COMPARISONS` para los cocientes por semilla `ratios`."""
    statement, measured, direction, phrases = _COMPARISONS[id]
    return median_claim(
        id,
        statement,
        ratios,
        medida=measured,
        rule=Rule(1.0, direction),
        frases=_phrases(*phrases, diverged),
    )


def comparison_claims(
    test_mse: Sequence[float], linear_mse: float, trees_mse: float, sklearn_mse: float
) -> list[Claim]:
    """La MLP frente a la regresión lineal, HistGradientBoosting y MLPRegressor.

    `test_mse` tiene el MSE de prueba de la MLP con cada semilla (∞ si divergió: cuenta como
    ∞ en la mediana y las frases dicen cuántas son); los otros tres, el de cada referencia.
    """
    mse = np.asarray(test_mse, dtype=float)
    diverged = int((~np.isfinite(mse)).sum())
    references = dict(zip(_COMPARISONS, (linear_mse, trees_mse, sklearn_mse), strict=True))
    return [_comparison(id, mse / ref, diverged) for id, ref in references.items()]


def censorship_claim(ratios: Sequence[float]) -> Claim:
    """``censura_error_mayor``: RMSE en el tope del censo / RMSE del resto, mayor que 1.

    `ratios` tiene un cociente por semilla que no divergió.
    """
    return median_claim(
        "censura_error_mayor",
        "El error en las filas del tope del censo es mayor que en el resto",
        ratios,
        medida="RMSE de las filas en el tope / RMSE del resto (semillas que no divergen)",
        rule=Rule(1.0, "mayor"),
        frases=_phrases(
            "El RMSE de las filas en el tope es mayor que el del resto: cociente",
            "El RMSE de las filas en el tope no es mayor que el del resto",
            "El RMSE de las filas en el tope y el del resto no se separan",
            diverged=0,
        ),
    )
