"""Conclusiones como datos: cada afirmación del curso es un registro medido.

Una conclusión no se escribe a mano en el texto: se *mide*. Cada :class:`Claim` guarda

* qué se afirma (``enunciado``) y qué magnitud se mide en cada ejecución (``medida``);
* el resumen de esas ejecuciones con su incertidumbre: la mediana y un intervalo bootstrap
  del 95 % (:func:`median_claim`), «k de n» con un intervalo de Wilson (:func:`rate_claim`)
  o una cantidad ajustada (B_ruido, pendientes) con el intervalo de percentiles de sus
  réplicas bootstrap (:func:`fit_claim`, :func:`fit_interval`);
* la regla que decide el veredicto (``regla``): «se cumple» si todo el intervalo queda del
  lado afirmado del umbral, «no se cumple» si queda entero del otro lado y «no concluyente»
  si el intervalo contiene el umbral;
* la frase que se muestra para ese veredicto (``frase``), con las cifras ya puestas.

Los notebooks terminan con :func:`table` de sus conclusiones y, con ``claims_path``, las
escriben con :func:`write_json` para que el profesorado (y ``make claims``) las reúna entre
ejecuciones con otros parámetros.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..stats import as_values, bootstrap_interval, fit_interval, wilson_interval

__all__ = [
    "VERDICTS",
    "Claim",
    "Rule",
    "fit_claim",
    "median_claim",
    "rate_claim",
    "sentences",
    "table",
    "write_json",
]

#: Los tres veredictos posibles (claves de máquina y texto a la vez: ya están en español).
HOLDS, FAILS, INCONCLUSIVE = "se cumple", "no se cumple", "no concluyente"
VERDICTS = (HOLDS, FAILS, INCONCLUSIVE)
#: Claves del JSON que escribe :func:`write_json` (las pide el profesorado).
JSON_KEYS = ("id", "enunciado", "valor", "ic_bajo", "ic_alto", "n", "veredicto")
_ICONS = {HOLDS: "✅", FAILS: "❌", INCONCLUSIVE: "❔"}


@dataclass(frozen=True)
class Rule:
    """La regla del veredicto: de qué lado del umbral debe quedar el intervalo.

    ``direction`` es ``"mayor"`` (se afirma valor > umbral) o ``"menor"`` (valor < umbral).
    """

    threshold: float
    direction: str = "mayor"

    def __post_init__(self) -> None:
        if self.direction not in ("mayor", "menor"):
            raise ValueError(f"direction debe ser 'mayor' o 'menor'; es {self.direction!r}")

    def verdict(self, low: float, high: float) -> str:
        """Veredicto a partir del intervalo [low, high]."""
        above, below = low > self.threshold, high < self.threshold
        if self.direction == "menor":
            above, below = below, above
        if above:
            return HOLDS
        return FAILS if below else INCONCLUSIVE

    def describe(self, what: str) -> str:
        """La regla en una frase, p. ej. para la columna «regla» de :func:`table`."""
        side = "por encima" if self.direction == "mayor" else "por debajo"
        return (
            f"se cumple si el IC 95 % de {what} queda entero {side} de "
            f"{self.threshold:g}; no se cumple si queda entero al otro lado"
        )


@dataclass(frozen=True)
class Claim:
    """Una conclusión medida (véase el docstring del módulo)."""

    id: str
    enunciado: str
    medida: str
    valor: float
    ic_bajo: float
    ic_alto: float
    n: int
    regla: str
    veredicto: str
    frase: str

    def to_json(self) -> dict:
        """Las claves de :data:`JSON_KEYS` (más regla, medida y frase); ±inf y NaN → None."""
        record = asdict(self)
        for key in ("valor", "ic_bajo", "ic_alto"):
            record[key] = record[key] if math.isfinite(record[key]) else None
        return record


def median_claim(
    id: str,
    enunciado: str,
    values: Sequence[float],
    *,
    medida: str,
    rule: Rule,
    frases: Mapping[str, str],
    seed: int = 0,
) -> Claim:
    """Conclusión sobre la mediana de una magnitud medida en cada ejecución.

    `frases` da una plantilla por veredicto; puede usar ``{valor}``, ``{ic_bajo}``,
    ``{ic_alto}`` y ``{n}`` (p. ej. ``"SGD gana: mediana {valor:.2f} [{ic_bajo:.2f},
    {ic_alto:.2f}]"``).
    """
    x = as_values(values)
    low, high = bootstrap_interval(x, seed=seed)
    return _claim(id, enunciado, medida, float(np.median(x)), low, high, x.size, rule, frases)


def rate_claim(
    id: str,
    enunciado: str,
    k: int,
    n: int,
    *,
    medida: str,
    rule: Rule,
    frases: Mapping[str, str],
) -> Claim:
    """Conclusión sobre una proporción «k de n» (p. ej. ejecuciones que divergen).

    Las plantillas de `frases` pueden usar además ``{k}``.
    """
    low, high = wilson_interval(k, n)
    return _claim(id, enunciado, medida, k / n, low, high, n, rule, frases, k=k)


def fit_claim(
    id: str,
    enunciado: str,
    value: float,
    replicates: Sequence[float],
    *,
    medida: str,
    rule,
    frases: dict,
    n: int,
):
    """Una :class:`Claim` para una cantidad **ajustada** (B_ruido, pendientes).

    ``valor`` es el ajuste con todos los datos; el intervalo, el de percentiles de las
    réplicas bootstrap (no el bootstrap de su mediana). Sin valor o sin réplicas finitas el
    veredicto es «no concluyente» con n = 0 y una frase que lo dice.
    """
    low, high = fit_interval(replicates)
    ok = math.isfinite(value) and math.isfinite(low)
    verdict = rule.verdict(low, high) if ok else INCONCLUSIVE
    fields = {"valor": value, "ic_bajo": low, "ic_alto": high, "n": n if ok else 0}
    frase = (
        frases[verdict].format(**fields)
        if ok
        else f"Sin datos finitos con estos parámetros: «{enunciado}» queda sin decidir."
    )
    return Claim(
        id=id,
        enunciado=enunciado,
        medida=medida,
        valor=float(value),
        ic_bajo=low,
        ic_alto=high,
        n=fields["n"],
        regla=rule.describe(medida),
        veredicto=verdict,
        frase=frase,
    )


def table(claims: Sequence[Claim]) -> pd.DataFrame:
    """Las conclusiones como tabla para el estudiante (cabeceras en español)."""
    rows = [
        {
            "afirmación": c.enunciado,
            "veredicto": f"{_ICONS[c.veredicto]} {c.veredicto}",
            "valor": _fmt(c.valor),
            "IC 95 %": f"[{_fmt(c.ic_bajo)}, {_fmt(c.ic_alto)}]",
            "n": c.n,
            "medida": c.medida,
            "regla": c.regla,
        }
        for c in claims
    ]
    return pd.DataFrame(rows, index=pd.Index([c.id for c in claims], name="id"))


def sentences(claims: Sequence[Claim]) -> str:
    """Las frases de cada veredicto, una por línea (para imprimir bajo la tabla)."""
    return "\n".join(f"{_ICONS[c.veredicto]} {c.frase}" for c in claims)


def write_json(claims: Sequence[Claim], path: str | Path) -> Path:
    """Escribe las conclusiones en `path` (lista de objetos, UTF-8) y devuelve la ruta."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    ids = [c.id for c in claims]
    if len(set(ids)) != len(ids):
        raise ValueError(f"Hay ids de conclusiones repetidos: {ids}")
    path.write_text(
        json.dumps([c.to_json() for c in claims], ensure_ascii=False, indent=1), encoding="utf-8"
    )
    return path


# -- piezas internas -------------------------------------------------------------------
def _claim(id, enunciado, medida, valor, low, high, n, rule, frases, **extra) -> Claim:
    missing = set(VERDICTS) - set(frases)
    if missing:
        raise ValueError(f"Faltan frases para los veredictos {sorted(missing)} en {id!r}")
    verdict = rule.verdict(low, high)
    fields = {"valor": valor, "ic_bajo": low, "ic_alto": high, "n": n, **extra}
    return Claim(
        id=id,
        enunciado=enunciado,
        medida=medida,
        valor=valor,
        ic_bajo=low,
        ic_alto=high,
        n=n,
        regla=rule.describe(medida),
        veredicto=verdict,
        frase=frases[verdict].format(**fields),
    )


def _fmt(v: float) -> str:
    return f"{v:.4g}" if math.isfinite(v) else "∞ (diverge)"
