"""Los ejercicios del notebook 06: comprobadores, pistas, soluciones y enunciados.

Cada ejercicio es un registro :class:`Ejercicio` (en :mod:`.codigo` los que piden escribir
una función, en :mod:`.problemas` los que piden leer un resultado); añadir uno es escribir
su registro. Desde el notebook:

* ``ej.datos(n)``: las constantes del enunciado (el comprobador usa las suyas);
* ``ej.comprobar(n, respuesta)``: ✅/❌/⏳ con un mensaje que nombra el ejercicio; nunca
  lanza una excepción ni se cuelga (límite de tiempo, casos aleatorios en cada llamada);
* ``ej.pista(n)``, ``ej.pista(n, 2)``…: pistas cada vez más concretas;
* ``ej.solucion(n)``: código que funciona tal cual en la celda ✏️.

En modo evaluado (``modo_evaluacion()`` o la variable ``BATCHLAB_EVALUACION=1``, que pone
``make calificar``) no hay soluciones ni respuestas de referencia.
"""

from __future__ import annotations

import math
from collections import namedtuple

import numpy as np

from . import codigo, interpretar, problemas
from ._base import (
    LIMITE_SEGUNDOS,
    Ejercicio,
    ErrorDelEstudiante,
    Resultado,
    TiempoAgotado,
    en_evaluacion,
    explicar_excepcion,
    limite_de_tiempo,
    modo_evaluacion,
    muestra,
)

__all__ = [
    "EJERCICIOS",
    "Ejercicio",
    "Resultado",
    "comprobar",
    "datos",
    "modo_evaluacion",
    "muestra",
    "pista",
    "referencia",
    "solucion",
]

#: El registro: número → ejercicio.
EJERCICIOS: dict[int, Ejercicio] = {
    e.numero: e for e in codigo.EJERCICIOS + problemas.EJERCICIOS + interpretar.EJERCICIOS
}


def _ejercicio(n: object) -> Ejercicio | None:
    return EJERCICIOS.get(n) if isinstance(n, int) and not isinstance(n, bool) else None


def _no_existe(n: object) -> str:
    return f"No hay ejercicio {n!r}: son del 1 al {max(EJERCICIOS)}."


def datos(n: int):
    """Las constantes del enunciado del ejercicio `n`, con nombre (se pueden desempaquetar)."""
    ej = _ejercicio(n)
    if ej is None:
        raise ValueError(_no_existe(n))
    valores = ej.datos()
    return namedtuple(f"Datos{n}", list(valores))(**valores)


def comprobar(
    n: int, respuesta: object, *, repeticiones: int = 1, semilla: int | None = None
) -> Resultado:
    """Comprueba la respuesta al ejercicio `n` (con `repeticiones` tandas de casos aleatorios)."""
    ej = _ejercicio(n)
    if ej is None:
        raise ValueError(_no_existe(n))
    if respuesta is None:
        return Resultado(n, None)
    if getattr(respuesta, "_batchlab_referencia", False):
        return Resultado(
            n,
            False,
            f"Has entregado `ej.referencia({n})`: escribe tu propia "
            "respuesta (puedes mirar la pista).",
        )
    enunciado = ej.datos()  # fuera del límite: se calcula una vez por sesión
    rng = np.random.default_rng(semilla)
    try:
        with limite_de_tiempo(LIMITE_SEGUNDOS):
            for _ in range(repeticiones):
                correcto, mensaje = ej.comprobar(respuesta, enunciado, rng)
                if not correcto:
                    break
    except TiempoAgotado:
        return Resultado(
            n,
            False,
            f"Tu código tardó más de {LIMITE_SEGUNDOS:g} s y se ha "
            "cortado: ¿un bucle que no termina?",
        )
    except ErrorDelEstudiante as exc:
        return Resultado(n, False, str(exc))
    except Exception as exc:  # el comprobador nunca se rompe delante del estudiante
        return Resultado(n, False, "No se puede comprobar tu respuesta. " + explicar_excepcion(exc))
    return Resultado(n, correcto, mensaje)


def pista(n: int, nivel: int = 1) -> None:
    """Imprime la pista `nivel` del ejercicio `n` (cada nivel concreta más)."""
    ej = _ejercicio(n)
    if ej is None:
        print(f"💡 {_no_existe(n)}")
        return
    total = len(ej.pistas)
    if not isinstance(nivel, int) or not 1 <= nivel <= total:
        print(
            f"💡 El ejercicio {n} tiene {total} pistas: ej.pista({n}, 1) … ej.pista({n}, {total})."
        )
        return
    siguiente = f" (más concreta: ej.pista({n}, {nivel + 1}))" if nivel < total else ""
    print(f"💡 Pista {nivel}/{total} del ejercicio {n}: {ej.pistas[nivel - 1]}{siguiente}")


def solucion(n: int) -> None:
    """Imprime la solución del ejercicio `n`: código para pegar tal cual en su celda ✏️."""
    ej = _ejercicio(n)
    if ej is None:
        print(f"📘 {_no_existe(n)}")
    elif en_evaluacion():
        print(f"📘 Ejercicio {n}: en la versión evaluada no hay soluciones; prueba ej.pista({n}).")
    else:
        print(f"📘 Solución del ejercicio {n} (funciona pegada tal cual en su celda ✏️):\n")
        print(ej.solucion)


def referencia(n: int):
    """La respuesta de referencia del ejercicio `n`: su solución ejecutada (tests, profesorado)."""
    ej = _ejercicio(n)
    if ej is None:
        raise ValueError(_no_existe(n))
    if en_evaluacion():
        raise RuntimeError("En la versión evaluada no hay respuestas de referencia.")
    espacio = {"np": np, "math": math, **ej.datos()}
    exec(ej.solucion, espacio)  # noqa: S102 — código del propio paquete
    valor = espacio[ej.nombre]
    if callable(valor):
        valor._batchlab_referencia = True
    return valor
