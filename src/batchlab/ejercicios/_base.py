"""Piezas comunes de los ejercicios: el registro, el resultado y las llamadas vigiladas.

Todo lo que toca la respuesta de un estudiante pasa por aquí: :func:`limite_de_tiempo`
corta lo que no termina, :func:`llamar` convierte sus excepciones en una explicación en
español y :func:`como_numero` acepta un número aunque venga como ``np.array([x])``.
"""

from __future__ import annotations

import math
import os
import signal
import threading
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache

import numpy as np

from ..data import load_housing, split_and_scale

#: Segundos que puede tardar una comprobación entera (la respuesta del estudiante incluida);
#: al calificar se puede cambiar con la variable de entorno ``BATCHLAB_LIMITE_SEGUNDOS``.
LIMITE_SEGUNDOS = float(os.environ.get("BATCHLAB_LIMITE_SEGUNDOS", "10"))
#: Variable de entorno que activa el modo evaluado (sin soluciones ni referencias).
VARIABLE_EVALUACION = "BATCHLAB_EVALUACION"
_estado = {"evaluacion": False}

#: Semilla de la división de los datos de los ejercicios (la del curso).
SEMILLA_DATOS = 42


@cache
def _muestra() -> tuple[np.ndarray, np.ndarray]:
    split = split_and_scale(load_housing(), seed=SEMILLA_DATOS)
    return split.X_train[:2000], split.y_train[:2000]


def muestra() -> tuple[np.ndarray, np.ndarray]:
    """Copia de los datos de los ejercicios: las 2000 primeras filas de entrenamiento."""
    X, y = _muestra()
    return X.copy(), y.copy()


SIN_RESPONDER = (
    "⏳ Ejercicio {n}: todavía no has respondido; escribe tu respuesta y vuelve a ejecutar."
)


def en_evaluacion() -> bool:
    """¿Estamos en modo evaluado? (``modo_evaluacion()`` o la variable de entorno)."""
    return _estado["evaluacion"] or os.environ.get(VARIABLE_EVALUACION, "") not in ("", "0")


def modo_evaluacion(activo: bool = True) -> None:
    """Activa (o desactiva) el modo evaluado: ``solucion`` y ``referencia`` dejan de responder."""
    _estado["evaluacion"] = bool(activo)


@dataclass
class Resultado:
    """Resultado de una comprobación: correcta (True), no (False) o sin responder (None)."""

    numero: int
    correcto: bool | None
    mensaje: str = ""

    def __bool__(self) -> bool:
        return bool(self.correcto)

    def __str__(self) -> str:
        if self.correcto is None:
            return SIN_RESPONDER.format(n=self.numero)
        icono, cabeza = ("✅", "¡Correcto!") if self.correcto else ("❌", "Aún no.")
        return f"{icono} Ejercicio {self.numero} · {cabeza} {self.mensaje}".rstrip()

    def _repr_pretty_(self, p, cycle) -> None:  # Jupyter muestra el mensaje, no el objeto
        p.text(str(self))

    def exigir(self) -> Resultado:
        """Imprime el mensaje y lanza ``AssertionError`` si no es correcto (para nbgrader)."""
        print(self)
        if not self.correcto:
            raise AssertionError(str(self))
        return self


@dataclass(frozen=True)
class Ejercicio:
    """Un ejercicio completo: añadir uno nuevo es escribir uno de estos registros.

    ``comprobar(respuesta, datos, rng)`` devuelve ``(correcto, mensaje)``; ``solucion`` es
    código que funciona tal cual en la celda ✏️ y define la variable ``nombre``; ``datos()``
    da las constantes del enunciado (el comprobador usa las suyas, no las del notebook).
    """

    numero: int
    titulo: str
    nombre: str
    comprobar: Callable
    pistas: tuple[str, ...]
    solucion: str
    datos: Callable[[], dict] = field(default=dict)
    puntos: int = 1  # puntos en la versión calificada (nbgrader)


class TiempoAgotado(BaseException):  # noqa: N818 — BaseException: un `except Exception` no la traga
    """La respuesta del estudiante tardó más que el límite."""


@contextmanager
def limite_de_tiempo(segundos: float):
    """Corta lo que corra dentro con :class:`TiempoAgotado` pasado `segundos` (hilo principal)."""
    principal = threading.current_thread() is threading.main_thread()
    if not principal or not hasattr(signal, "setitimer"):
        yield  # sin señales (Windows, hilos): el límite de celda de nbgrader sigue valiendo
        return

    def cortar(signum, frame):
        raise TiempoAgotado()

    anterior = signal.signal(signal.SIGALRM, cortar)
    signal.setitimer(signal.ITIMER_REAL, segundos)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, anterior)


class ErrorDelEstudiante(Exception):
    """Una excepción en el código del estudiante, ya explicada en español."""


def llamar(funcion: object, *args):
    """Llama a la función del estudiante; si falla, lanza :class:`ErrorDelEstudiante`."""
    if not callable(funcion):
        raise ErrorDelEstudiante(f"Se esperaba una función y has dado {corto(funcion)}.")
    try:
        return funcion(*args)
    except NotImplementedError:
        return None  # el esqueleto de nbgrader: sin responder
    except Exception as exc:  # el error es del estudiante: se explica, no se propaga
        raise ErrorDelEstudiante(explicar_excepcion(exc, args)) from None


def explicar_excepcion(exc: BaseException, args: tuple = ()) -> str:
    """Una excepción del estudiante en español, con una pista si es de las frecuentes."""
    texto = f"Tu código lanzó {type(exc).__name__}: {exc}"
    mensaje = str(exc)
    if isinstance(exc, NameError):
        nombre = getattr(exc, "name", None) or mensaje
        if nombre in ("np", "numpy") or "'np'" in mensaje:
            return texto + " — ¿has importado numpy? (`import numpy as np`)"
        if nombre == "math" or "'math'" in mensaje:
            return texto + " — ¿has importado math? (`import math`)"
        return texto + " — ¿has ejecutado las celdas anteriores? ¿está bien escrito el nombre?"
    if "truth value of an array" in mensaje:
        return texto + (
            " — un `if` con un array no funciona: usa operaciones vectorizadas "
            "(`z > 0`, `np.where`, `np.maximum`)."
        )
    if isinstance(exc, ValueError | TypeError) and any(
        p in mensaje for p in ("shape", "broadcast", "matmul", "aligned", "dimension")
    ):
        formas = ", ".join(str(np.shape(a)) for a in args if isinstance(a, np.ndarray))
        return texto + f" — las formas no encajan; las entradas tenían formas {formas}."
    if isinstance(exc, RecursionError):
        return texto + " — una función que se llama a sí misma sin parar."
    return texto


def como_numero(valor: object) -> float | None:
    """El valor como ``float`` si es un número real finito (o un array de un elemento)."""
    if isinstance(valor, bool | np.bool_ | str | bytes):
        return None
    try:
        arr = np.asarray(valor, dtype=float)
    except (TypeError, ValueError, OverflowError):
        return None
    if arr.size != 1:
        return None
    numero = float(arr.reshape(-1)[0])
    return numero if math.isfinite(numero) else None


def corto(valor: object, largo: int = 60) -> str:
    """`repr` recortado para los mensajes (una respuesta puede ser enorme)."""
    try:
        texto = repr(valor)
    except Exception:  # un __repr__ roto del estudiante
        texto = f"un {type(valor).__name__}"
    return texto if len(texto) <= largo else texto[:largo] + "…"
