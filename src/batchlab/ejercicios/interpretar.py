"""Ejercicios 10–12: interpretar resultados de los notebooks 03–05.

* 10 — la frontera pasos–ejemplos del notebook 04: con S(B) = S_min·(1 + B_crit/B), ¿cuántos
  ejemplos cuesta llegar al objetivo con B = B_crit?
* 11 — el coseno entre el gradiente de un batch y el completo (notebook 03): la predicción
  cos ≈ (1 + B_simple/B)^(−1/2) con la B_simple medida en los datos de los ejercicios;
* 12 — la prueba de equivalencia (TOST) del notebook 05: escribir el veredicto a partir del
  intervalo del 90 % y el margen.
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np

from ..claims.spec import FAILS, HOLDS, INCONCLUSIVE, Equivalence
from ..labels import fmt
from ..mlp import MLP
from ._base import Ejercicio, como_numero, corto, llamar, muestra


# -- 10. pasos y ejemplos en B_crit -----------------------------------------------------
def _datos_10() -> dict:
    return {"s_min": 110, "b_crit": 48}


def _comprobar_ejemplos(ejemplos, d, rng):
    valor = como_numero(ejemplos)
    if valor is None:
        return False, f"Responde con un número de ejemplos; has dado {corto(ejemplos)}."
    s_min, b_crit = d["s_min"], d["b_crit"]
    pasos = 2 * s_min  # S(B_crit) = S_min·(1 + B_crit/B_crit)
    bien = pasos * b_crit  # = 2·S_min·B_crit = 2·E_min
    if math.isclose(valor, bien, rel_tol=1e-6):
        return True, (
            f"con B = B_crit hacen falta {fmt(pasos, '.0f')} pasos (2·S_min) y "
            f"{fmt(bien, '.0f')} ejemplos (2·E_min): el doble de lo mínimo en los dos."
        )
    if math.isclose(valor, s_min * b_crit, rel_tol=1e-6):
        return False, "Eso es E_min = S_min·B_crit, el mínimo; con B = B_crit se gasta el doble."
    if math.isclose(valor, pasos, rel_tol=1e-6):
        return False, "Esos son los pasos; los ejemplos son pasos × B."
    return False, (
        "Calcula los pasos con S(B) = S_min·(1 + B_crit/B) en B = B_crit y multiplica por B."
    )


# -- 11. el coseno esperado --------------------------------------------------------------
@cache
def _b_simple() -> float:
    from ..experiments.noise import gradient_noise_stats

    X, y = muestra()
    return float(gradient_noise_stats(MLP(rng=0), X, y)["b_simple"])


def _datos_11() -> dict:
    return {"b_simple": round(_b_simple(), 2), "b_pedido": 32}


def _comprobar_coseno(coseno, d, rng):
    valor = como_numero(coseno)
    if valor is None:
        return False, f"Responde con un número entre −1 y 1; has dado {corto(coseno)}."
    ratio = d["b_simple"] / d["b_pedido"]
    bien = (1 + ratio) ** -0.5
    if math.isclose(valor, bien, rel_tol=1e-4):
        return True, f"(1 + {fmt(ratio, '.3g')})^(−1/2) = {bien:.3f}."
    if math.isclose(valor, 1 / (1 + ratio), rel_tol=1e-4):
        return False, "Falta la raíz: el coseno va como (1 + B_simple/B) elevado a −1/2."
    if math.isclose(valor, (1 + 1 / ratio) ** -0.5, rel_tol=1e-4):
        return False, "Lo has invertido: el cociente es B_simple/B, no B/B_simple."
    if not -1 <= valor <= 1:
        return False, "Un coseno está entre −1 y 1."
    if math.isclose(valor, bien, rel_tol=1e-2):
        return False, f"Casi: {valor:g} está redondeado; calcúlalo en Python sin redondear."
    return False, "Usa cos ≈ (1 + B_simple/B)^(−1/2) con los valores del enunciado."


# -- 12. el veredicto de una equivalencia -------------------------------------------------
#: El veredicto del curso (claims.spec) con las palabras que pide el enunciado.
_PALABRAS = {HOLDS: "equivalentes", FAILS: "distintos", INCONCLUSIVE: "no concluyente"}


def _tost(low: float, high: float, margin: float) -> str:
    return _PALABRAS[Equivalence(margin).verdict(low, high)]


def _caso(rng: np.random.Generator) -> tuple[float, float, float]:
    margin = float(rng.uniform(0.05, 0.5))
    centre = float(rng.uniform(-2, 2) * margin)
    half = float(rng.uniform(0.05, 1.5) * margin)
    return centre - half, centre + half, margin


def _comprobar_equivalencia(f, d, rng):
    if not callable(f):
        return False, f"Se pide una función veredicto(ic_bajo, ic_alto, margen); es {corto(f)}."
    casos = [(-0.1, 0.1, 0.2), (0.25, 0.4, 0.2), (-0.4, -0.3, 0.2), (-0.1, 0.3, 0.2)]
    casos += [_caso(rng) for _ in range(40)]
    for i, (low, high, margin) in enumerate(casos):
        dada = llamar(f, low, high, margin)
        if dada is None and i == 0:  # el esqueleto («return None»): sin responder
            return None, ""
        bien = _tost(low, high, margin)
        if dada != bien:
            texto = f"con IC [{low:.3f}, {high:.3f}] y margen {margin:.3f}"
            if bien == "no concluyente" and dada == "equivalentes":
                return False, (
                    f"{texto}, el intervalo se sale de ±margen: no basta con que quepa el centro."
                )
            if dada not in ("equivalentes", "distintos", "no concluyente"):
                return False, (
                    f"{texto} devuelve {corto(dada)}: cada caso debe acabar en "
                    "«equivalentes», «distintos» o «no concluyente»."
                )
            return False, f"{texto} el veredicto es «{bien}», no {corto(dada)}."
    return True, "los dos lados del intervalo, contra ±margen: eso es un TOST."


EJERCICIOS = (
    Ejercicio(
        10,
        "Pasos y ejemplos en el tamaño crítico",
        "ejemplos",
        _comprobar_ejemplos,
        datos=_datos_10,
        pistas=(
            "Los pasos con B = B_crit salen de S(B) = S_min·(1 + B_crit/B) poniendo B = B_crit.",
            "Cada paso usa B ejemplos: ejemplos = pasos × B_crit.",
        ),
        solucion="ejemplos = s_min * (1 + b_crit / b_crit) * b_crit  # = 2·S_min·B_crit\n",
    ),
    Ejercicio(
        11,
        "¿Cuánto se parece el gradiente de un batch al completo?",
        "coseno",
        _comprobar_coseno,
        datos=_datos_11,
        pistas=(
            "La predicción es cos ≈ (1 + B_simple/B)^(−1/2).",
            "En Python: (1 + b_simple / b_pedido) ** -0.5.",
        ),
        solucion="coseno = (1 + b_simple / b_pedido) ** -0.5  # McCandlish et al. (2018)\n",
    ),
    Ejercicio(
        12,
        "El veredicto de una prueba de equivalencia",
        "veredicto",
        _comprobar_equivalencia,
        pistas=(
            "Equivalentes si todo el intervalo cabe dentro de (−margen, margen).",
            "Distintos si todo el intervalo queda fuera: ic_bajo > margen o ic_alto < −margen; "
            "si no, no concluyente.",
        ),
        solucion=(
            "def veredicto(ic_bajo, ic_alto, margen):\n"
            "    if -margen < ic_bajo and ic_alto < margen:\n"
            '        return "equivalentes"  # todo el intervalo dentro de ±margen\n'
            "    if ic_bajo > margen or ic_alto < -margen:\n"
            '        return "distintos"  # todo el intervalo fuera\n'
            '    return "no concluyente"\n'
        ),
    ),
)
