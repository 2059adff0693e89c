"""Validación de los parámetros de un notebook (papermill no valida nada).

La celda ``parameters`` de cada notebook anota los tipos (``epochs: int = 10``);
IPython guarda esas anotaciones en ``__annotations__`` y siguen ahí cuando papermill
inyecta otros valores. :func:`check_parameters` compara cada valor con su tipo y con
los mínimos que el notebook pida, y falla con un mensaje que dice cómo arreglarlo.

Además de los tipos, valen para todos los notebooks sin declararlo: ningún real puede ser
infinito o NaN, ninguna lista puede estar vacía, las tasas de aprendizaje (``lr``,
``learning_rate``, ``lr_grid``, ``path_lr``…) son > 0 y los objetivos (``target_*``) ≥ 0.
"""

from __future__ import annotations

import math
import re
import typing
from collections.abc import Mapping

from ._checks import check_real, is_int, is_real

__all__ = ["check_parameters"]

#: Nombres de parámetros que son tasas de aprendizaje (deben ser reales finitos > 0).
_LEARNING_RATE = re.compile(r"(^|_)(lr|learning_rate)(_|$)")
#: Ejemplo de lista para papermill según el tipo de sus elementos.
_EXAMPLE = {float: "[0.001, 0.01]", int: "[8, 32]", str: "[a, b]", bool: "[true, false]"}


def _matches(value: object, annotation: object) -> bool:
    """¿`value` es del tipo anotado? (int, float, str, bool y list[...] de ellos)."""
    origin = typing.get_origin(annotation)
    if origin is list:
        (item,) = typing.get_args(annotation) or (object,)
        return isinstance(value, list) and all(_matches(v, item) for v in value)
    if annotation is bool:
        return isinstance(value, bool)
    if annotation is int:
        return is_int(value)
    if annotation is float:
        return is_real(value)
    if isinstance(annotation, type):
        return isinstance(value, annotation)
    return True  # anotaciones más complejas: no se comprueban aquí


def _name(annotation: object) -> str:
    """Nombre legible de una anotación: int, float, list[int]…"""
    if typing.get_args(annotation):
        return str(annotation)
    return getattr(annotation, "__name__", str(annotation))


def _type_problem(name: str, value: object, annotation: object) -> str:
    """El mensaje de un tipo equivocado; para una lista, cómo pasarla con papermill."""
    text = (
        f"- {name} debe ser de tipo {_name(annotation)}; se recibió {value!r} "
        f"({type(value).__name__})"
    )
    if typing.get_origin(annotation) is list:
        (item,) = typing.get_args(annotation) or (float,)
        example = _EXAMPLE.get(item, "[a, b]")
        text += f'. Una lista se pasa a papermill con -y (YAML), no con -p: -y "{name}: {example}"'
    return text


def _value_problems(name: str, value: object) -> list[str]:
    """Reglas comunes: reales finitos, listas no vacías, tasas > 0 y objetivos ≥ 0."""
    if isinstance(value, list) and not value:
        return [
            f'- {name} no puede ser una lista vacía; pon al menos un valor (-y "{name}: [...]")'
        ]
    values = value if isinstance(value, list) else [value]
    numbers = [v for v in values if is_real(v)]
    problems = []
    if any(not math.isfinite(float(v)) for v in numbers):
        problems.append(f"- {name} debe ser un número finito (ni inf ni NaN); se recibió {value!r}")
    elif _LEARNING_RATE.search(name):
        for v in numbers:
            try:
                check_real(name, v)
            except ValueError:
                problems.append(
                    f"- {name}: una tasa de aprendizaje debe ser > 0; se recibió {value!r}"
                )
                break
    elif name.startswith("target") and any(v < 0 for v in numbers):
        problems.append(f"- {name}: un objetivo no puede ser negativo; se recibió {value!r}")
    return problems


def _length_problems(namespace: Mapping[str, object], min_length: Mapping[str, int]) -> list:
    """Listas con menos valores distintos de los que el notebook necesita."""
    return [
        f"- {name} necesita al menos {length} valores distintos; se recibió {value!r}"
        for name, length in min_length.items()
        if isinstance(value := namespace.get(name), list) and len(set(value)) < length
    ]


def _choice_problems(namespace: Mapping[str, object], choices: Mapping[str, object]) -> list:
    """Valores fuera de su lista de opciones."""
    problems = []
    for name, allowed in choices.items():
        value = namespace.get(name)
        values = value if isinstance(value, list) else [value]
        if any(v not in allowed for v in values):
            options = ", ".join(repr(a) for a in allowed)
            problems.append(f"- {name} debe ser uno de {options}; se recibió {value!r}")
    return problems


def check_parameters(
    namespace: Mapping[str, object],
    *,
    minimum: Mapping[str, float] | None = None,
    maximum: Mapping[str, float] | None = None,
    min_length: Mapping[str, int] | None = None,
    choices: Mapping[str, object] | None = None,
) -> None:
    """Comprueba los parámetros anotados de un notebook.

    Parámetros
    ----------
    namespace:
        ``globals()`` del notebook, después de la celda de parámetros.
    minimum, maximum:
        Cotas inclusivas por nombre (para listas, se aplican a cada elemento).
    min_length:
        Longitud mínima de una lista por nombre (elementos distintos).
    choices:
        Valores admitidos por nombre (p. ej. ``{"features": PIPELINES}``); para listas, cada
        elemento.
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
            problems.append(_type_problem(name, value, annotation))
        else:
            problems.extend(_value_problems(name, value))
    for bounds, word, ok in (
        (minimum or {}, "≥", lambda v, b: v >= b),
        (maximum or {}, "≤", lambda v, b: v <= b),
    ):
        for name, bound in bounds.items():
            value = namespace.get(name)
            values = value if isinstance(value, list) else [value]
            if all(is_real(v) for v in values) and not all(ok(v, bound) for v in values):
                problems.append(f"- {name} debe ser {word} {bound}; se recibió {value!r}")
    problems.extend(_length_problems(namespace, min_length or {}))
    problems.extend(_choice_problems(namespace, choices or {}))
    if problems:
        raise ValueError(
            "Parámetros no válidos para este notebook:\n"
            + "\n".join(problems)
            + "\nCorrígelos en la celda de parámetros o en `papermill -p nombre valor` "
            '(listas: `-y "nombre: [1, 2]"`).'
        )
