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

import math
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..stats import as_values, bootstrap_interval, fit_interval, wilson_interval
from .render import write_json
from .spec import FAILS, HOLDS, INCONCLUSIVE, NO_VERDICT, Measured, Rule, Spec

__all__ = [
    "VERDICTS",
    "Claim",
    "Rule",
    "fit_claim",
    "fit_of",
    "median_claim",
    "median_of",
    "rate_claim",
    "rate_of",
    "sentences",
    "table",
    "write_json",
]

#: Los tres veredictos que decide este motor (el registro añade «sin veredicto»).
VERDICTS = (HOLDS, FAILS, INCONCLUSIVE)
#: Claves del JSON que escribe :func:`write_json` (las pide el profesorado).
JSON_KEYS = ("id", "enunciado", "valor", "ic_bajo", "ic_alto", "n", "veredicto")
_ICONS = {HOLDS: "✅", FAILS: "❌", INCONCLUSIVE: "❔", NO_VERDICT: "⚪"}


@dataclass(frozen=True)
class Claim(Measured):
    """Una conclusión medida (véase el docstring del módulo); JSON con :data:`JSON_KEYS`."""

    regla: str
    veredicto: str
    frase: str


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
    motivo: str = "",
):
    """Una :class:`Claim` para una cantidad **ajustada** (B_ruido, pendientes).

    ``valor`` es el ajuste con todos los datos; el intervalo, el de percentiles de las
    réplicas bootstrap (no el bootstrap de su mediana). Sin valor o sin réplicas finitas el
    veredicto es «no concluyente» con n = 0 y una frase que lo dice. Con `motivo` (por qué la
    medida no puede decidir, p. ej. una búsqueda que se quedó en su borde) es «sin veredicto».
    """
    low, high = fit_interval(replicates)
    ok = math.isfinite(value) and math.isfinite(low)
    verdict = NO_VERDICT if motivo else rule.verdict(low, high) if ok else INCONCLUSIVE
    fields = {"valor": value, "ic_bajo": low, "ic_alto": high, "n": n if ok else 0}
    if motivo:
        frase = f"«{enunciado}»: sin veredicto, porque {motivo}."
    elif ok:
        frase = frases[verdict].format(**fields)
    else:
        frase = f"Sin datos finitos con estos parámetros: «{enunciado}» queda sin decidir."
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


def median_of(spec: Spec, values: Sequence[float], *, seed: int = 0, **fmt) -> Claim:
    """:func:`median_claim` de una :class:`~.spec.Spec` del registro; `fmt` rellena sus campos."""
    return median_claim(spec.id, values=values, seed=seed, **_bound(spec, fmt))


def rate_of(spec: Spec, k: int, n: int, **fmt) -> Claim:
    """:func:`rate_claim` de una :class:`~.spec.Spec` del registro; `fmt` rellena sus campos."""
    return rate_claim(spec.id, k=k, n=n, **_bound(spec, fmt))


def fit_of(
    spec: Spec, value: float, replicates: Sequence[float], *, n: int, motivo: str = "", **fmt
) -> Claim:
    """:func:`fit_claim` de una :class:`~.spec.Spec` del registro; `fmt` rellena sus campos."""
    bound = _bound(spec, fmt)
    return fit_claim(spec.id, value=value, replicates=replicates, n=n, motivo=motivo, **bound)


#: Los campos que pone el motor (una plantilla no puede recibirlos del notebook).
_ENGINE_FIELDS = ("valor", "ic_bajo", "ic_alto", "n", "k")


def _bound(spec: Spec, fmt: Mapping) -> dict:
    """Enunciado, medida, regla y frases de `spec` con los campos de `fmt` ya puestos.

    Un campo que falta o uno que pone el motor (``valor``, ``n``…) es un error que nombra la
    conclusión.
    """
    taken = sorted(set(fmt) & set(_ENGINE_FIELDS))
    if taken:
        raise ValueError(f"{spec.id}: {taken} los pone el motor; no se pasan al medir")
    texts = (spec.enunciado, spec.medida, *spec.frases.values())
    needed = {name for text in texts for _, name, _, _ in string.Formatter().parse(text) if name}
    missing = sorted(needed - set(fmt) - set(_ENGINE_FIELDS))
    if missing:
        raise KeyError(f"{spec.id}: faltan los campos {missing} para medir esta conclusión")
    frases = {verdict: _partial(text, fmt) for verdict, text in spec.frases.items()}
    return {
        "enunciado": spec.enunciado.format(**fmt),
        "medida": spec.medida.format(**fmt),
        "rule": spec.rule,
        "frases": frases,
    }


def _partial(template: str, fmt: Mapping) -> str:
    """Rellena en `template` solo los campos de `fmt`; ``{valor}``, ``{n}``… quedan para luego."""
    out = []
    for literal, name, spec, conversion in string.Formatter().parse(template):
        out.append(literal.replace("{", "{{").replace("}", "}}"))
        if name is None:
            continue
        if name in fmt:
            value = string.Formatter().convert_field(fmt[name], conversion)
            out.append(format(value, spec).replace("{", "{{").replace("}", "}}"))
        else:
            out.append("{" + name + (f"!{conversion}" if conversion else "") + f":{spec}}}")
    return "".join(out)


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
