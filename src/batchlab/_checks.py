"""Comprobaciones de argumentos compartidas por todo el paquete.

Una sola definición de «entero positivo», «real finito positivo» y «semilla» para que
``data``, ``mlp``, ``training`` y ``parameters`` den los mismos mensajes (en español).
"""

from __future__ import annotations

import math
from numbers import Integral, Real

import numpy as np

__all__ = ["check_int", "check_real", "check_seed", "is_int", "is_real"]


def is_int(value: object) -> bool:
    """True si `value` es un entero de verdad (``True``/``False`` no cuentan)."""
    return isinstance(value, Integral) and not isinstance(value, bool | np.bool_)


def is_real(value: object) -> bool:
    """True si `value` es un número real (entero o no, pero no un bool)."""
    return isinstance(value, Real) and not isinstance(value, bool | np.bool_)


def check_int(name: str, value: object, minimum: int | None = None) -> int:
    """Devuelve `value` como ``int`` si es un entero (no bool) ≥ `minimum`; si no, lo explica."""
    if not is_int(value):
        raise TypeError(f"{name} debe ser un entero; se recibió {value!r}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} debe ser ≥ {minimum}; se recibió {value}")
    return int(value)


def check_real(name: str, value: object, *, allow_zero: bool = False) -> float:
    """Devuelve `value` como ``float`` si es un real finito > 0 (≥ 0 con `allow_zero`)."""
    if not is_real(value):
        raise TypeError(f"{name} debe ser un número real; se recibió {value!r}")
    v = float(value)
    if not math.isfinite(v) or v < 0 or (v == 0 and not allow_zero):
        limit = "≥ 0" if allow_zero else "> 0"
        raise ValueError(f"{name} debe ser un número finito {limit}; se recibió {value!r}")
    return v


def check_seed(name: str, value: object) -> int:
    """Una semilla: entero ≥ 0 (lo que acepta ``numpy.random.default_rng``)."""
    return check_int(name, value, 0)
