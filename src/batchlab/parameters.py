"""Validación de los parámetros de un notebook (papermill no valida nada).

La celda ``parameters`` de cada notebook anota los tipos (``epochs: int = 10``);
IPython guarda esas anotaciones en ``__annotations__`` y siguen ahí cuando papermill
inyecta otros valores. :func:`check_parameters` compara cada valor con su tipo y con
los mínimos que el notebook pida, y falla con un mensaje que dice cómo arreglarlo.
"""

from __future__ import annotations

import typing
from collections.abc import Mapping
from numbers import Integral, Real

__all__ = ["check_parameters"]


def _matches(value: object, annotation: object) -> bool:
    """¿`value` es del tipo anotado? (int, float, str, bool y list[...] de ellos)."""
    origin = typing.get_origin(annotation)
    if origin is list:
        (item,) = typing.get_args(annotation) or (object,)
        return isinstance(value, list) and all(_matches(v, item) for v in value)
    if annotation is bool:
        return isinstance(value, bool)
    if annotation is int:
        return isinstance(value, Integral) and not isinstance(value, bool)
    if annotation is float:
        return isinstance(value, Real) and not isinstance(value, bool)
    if isinstance(annotation, type):
        return isinstance(value, annotation)
    return True  # anotaciones más complejas: no se comprueban aquí


def _name(annotation: object) -> str:
    """Nombre legible de una anotación: int, float, list[int]…"""
    if typing.get_args(annotation):
        return str(annotation)
    return getattr(annotation, "__name__", str(annotation))


def check_parameters(
    namespace: Mapping[str, object],
    *,
    minimum: Mapping[str, float] | None = None,
    maximum: Mapping[str, float] | None = None,
) -> None:
    """Comprueba los parámetros anotados de un notebook.

    Parámetros
    ----------
    namespace:
        ``globals()`` del notebook, después de la celda de parámetros.
    minimum, maximum:
        Cotas inclusivas por nombre (para listas, se aplican a cada elemento).
    """
    annotations = namespace.get("__annotations__", {})
    if not annotations:
        raise ValueError("La celda de parámetros no tiene anotaciones de tipo (x: int = 1).")
    problems = []
    for name, annotation in annotations.items():
        if name not in namespace:
            continue
        value = namespace[name]
        if not _matches(value, annotation):
            problems.append(
                f"- {name} debe ser de tipo {_name(annotation)}; se recibió {value!r} "
                f"({type(value).__name__})"
            )
    for bounds, word, ok in (
        (minimum or {}, "≥", lambda v, b: v >= b),
        (maximum or {}, "≤", lambda v, b: v <= b),
    ):
        for name, bound in bounds.items():
            value = namespace.get(name)
            values = value if isinstance(value, list) else [value]
            if all(isinstance(v, Real) for v in values) and not all(ok(v, bound) for v in values):
                problems.append(f"- {name} debe ser {word} {bound}; se recibió {value!r}")
    if problems:
        raise ValueError(
            "Parámetros no válidos para este notebook:\n" + "\n".join(problems)
            + "\nCorrígelos en la celda de parámetros o en `papermill -p nombre valor`."
        )
