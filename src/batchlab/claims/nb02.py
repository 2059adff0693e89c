"""Notebook 02: el registro de sus conclusiones (la MLP desde cero, con varias semillas).

:data:`SPECS` declara cada conclusión (lo que se afirma, qué se mide, la regla y las frases de
cada veredicto); cada función recibe lo ya medido en el notebook (números y arrays con una
entrada por semilla) y devuelve sus :class:`~batchlab.claims.engine.Claim`:

* :func:`divergence_claim` — ``02.entrena_sin_divergir``: cuántas semillas divergen;
* :func:`comparison_claims` — ``02.mlp_mejora_lineal``, ``02.arboles_mejor_que_mlp`` y
  ``02.sklearn_mejor_que_mlp``: la MLP frente a los modelos de referencia;
* :func:`censorship_claim` — ``02.censura_error_mayor``: el error en las filas del tope del censo.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .engine import Claim, median_of, rate_of
from .spec import FAILS, HOLDS, INCONCLUSIVE, Rule, Spec

__all__ = ["SPECS", "censorship_claim", "comparison_claims", "divergence_claim"]


def _phrases(holds: str, fails: str, unclear: str) -> dict[str, str]:
    """Las tres frases de un veredicto, con la mediana y su intervalo; ``{divergen}`` dice, si
    alguna semilla diverge, cuántas y que cuentan como ∞ (:func:`_divergence_note`)."""
    numbers = " (mediana {valor:.3f}, IC 95 % [{ic_bajo:.3f}, {ic_alto:.3f}], {n} semillas"
    numbers += "{divergen})"
    return {HOLDS: holds + numbers, FAILS: fails + numbers, INCONCLUSIVE: unclear + numbers}


def _divergence_note(diverged: int) -> str:
    """El añadido de las frases de :func:`_phrases` cuando `diverged` semillas divergen."""
    return f"; {diverged} divergen y cuentan como ∞" if diverged else ""


def _ratio_spec(id: str, enunciado: str, reference: str, direction: str, phrases) -> Spec:
    """Una comparación «MSE de prueba de la MLP / MSE de `reference`», por semilla."""
    medida = f"MSE de prueba de la MLP / MSE de {reference}, por semilla"
    return Spec(id, enunciado, medida, Rule(1.0, direction), _phrases(*phrases))


#: El registro de las conclusiones del notebook: id → :class:`~.spec.Spec`.
SPECS = {
    spec.id: spec
    for spec in (
        Spec(
            "02.entrena_sin_divergir",
            "Con B = {B} y lr = {lr:g}, menos de la mitad de las ejecuciones divergen",
            "fracción de semillas que divergen",
            Rule(0.5, "menor"),
            {
                HOLDS: "Divergen {k} de {n} semillas (IC 95 % [{ic_bajo:.2f}, {ic_alto:.2f}]).",
                FAILS: "Divergen {k} de {n} semillas (IC 95 % [{ic_bajo:.2f}, "
                "{ic_alto:.2f}]): esta tasa es demasiado grande para este tamaño de batch.",
                INCONCLUSIVE: "Divergen {k} de {n} semillas (IC 95 % [{ic_bajo:.2f}, "
                "{ic_alto:.2f}]): no se puede afirmar que la tasa sea segura.",
            },
        ),
        _ratio_spec(
            "02.mlp_mejora_lineal",
            "La MLP predice mejor que la regresión lineal",
            "la regresión lineal",
            "menor",
            (
                "La MLP deja el MSE de la regresión lineal en una fracción",
                "La MLP no mejora a la regresión lineal",
                "La MLP y la regresión lineal no se separan",
            ),
        ),
        _ratio_spec(
            "02.arboles_mejor_que_mlp",
            "HistGradientBoosting predice mejor que la MLP",
            "HistGradientBoosting",
            "mayor",
            (
                "HistGradientBoosting queda por debajo de la MLP: la MLP tiene un MSE mayor",
                "La MLP queda por debajo de HistGradientBoosting",
                "La MLP y HistGradientBoosting no se separan",
            ),
        ),
        _ratio_spec(
            "02.sklearn_mejor_que_mlp",
            "MLPRegressor de scikit-learn (Adam, parada temprana) predice mejor que nuestra MLP",
            "MLPRegressor",
            "mayor",
            (
                "MLPRegressor queda por debajo de nuestra MLP con SGD: la nuestra tiene un MSE "
                "mayor",
                "Nuestra MLP con SGD queda por debajo de MLPRegressor",
                "Nuestra MLP y MLPRegressor no se separan",
            ),
        ),
        Spec(
            "02.censura_error_mayor",
            "El error en las filas del tope del censo es mayor que en el resto",
            "RMSE de las filas en el tope / RMSE del resto (semillas que no divergen)",
            Rule(1.0, "mayor"),
            _phrases(
                "El RMSE de las filas en el tope es mayor que el del resto: cociente",
                "El RMSE de las filas en el tope no es mayor que el del resto",
                "El RMSE de las filas en el tope y el del resto no se separan",
            ),
        ),
    )
}
#: Las tres comparaciones con las referencias, en orden.
_COMPARISONS = ("02.mlp_mejora_lineal", "02.arboles_mejor_que_mlp", "02.sklearn_mejor_que_mlp")


def divergence_claim(k_div: int, n_repeats: int, batch_size: int, learning_rate: float) -> Claim:
    """«Menos de la mitad de las ejecuciones divergen», con `k_div` de `n_repeats`."""
    spec = SPECS["02.entrena_sin_divergir"]
    return rate_of(spec, k_div, n_repeats, B=batch_size, lr=learning_rate)


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
    note = _divergence_note(diverged)
    return [median_of(SPECS[id], mse / ref, divergen=note) for id, ref in references.items()]


def censorship_claim(ratios: Sequence[float]) -> Claim:
    """``02.censura_error_mayor``: RMSE en el tope del censo / RMSE del resto, mayor que 1.

    `ratios` tiene un cociente por semilla que no divergió.
    """
    return median_of(SPECS["02.censura_error_mayor"], ratios, divergen="")
