"""Una conclusión es una afirmación medida: su especificación, su regla y su veredicto.

Cada notebook declara sus conclusiones en un registro (``claims/nb01.py``…): una
:class:`Spec` por afirmación, con un id con el número del notebook delante (``"03.por_paso"``),
lo que se afirma, qué se mide, la regla del veredicto y, para cada veredicto, la frase que se
lee en el notebook (y, si hace falta, la lección y el consejo). El notebook mide y llama a
:func:`measure` con el valor, su intervalo y el diseño de las ejecuciones (cuántas divisiones,
inicializaciones y barajados); el resultado es un :class:`Claim` con todo ya escrito.

Los veredictos:

* **se cumple** (✅): todo el intervalo queda del lado afirmado del umbral;
* **no se cumple** (❌): todo el intervalo queda del otro lado;
* **no concluyente** (🟡): el intervalo contiene el umbral;
* **sin veredicto** (⚪): la medida no puede decidir, y se dice por qué (``motivo``): la búsqueda
  de la tasa se quedó en su borde, el efecto de referencia de una equivalencia no se distingue
  de cero, o no hay datos finitos.

Una regla de equivalencia (:class:`Equivalence`) es un TOST: se cumple si el intervalo del 90 %
del efecto queda dentro de ±margen, y no se cumple si queda entero fuera.
"""

from __future__ import annotations

import math
import string
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field

from ..labels import Int, Num

__all__ = [
    "FAILS",
    "HOLDS",
    "ICONS",
    "INCONCLUSIVE",
    "NO_VERDICT",
    "Int",
    "Measured",
    "VERDICTS",
    "Claim",
    "Equivalence",
    "Num",
    "Rule",
    "Spec",
    "measure",
]

HOLDS, FAILS, INCONCLUSIVE, NO_VERDICT = (
    "se cumple",
    "no se cumple",
    "no concluyente",
    "sin veredicto",
)
#: Los veredictos (claves de máquina y texto a la vez: ya están en español).
VERDICTS = (HOLDS, FAILS, INCONCLUSIVE, NO_VERDICT)
ICONS = {HOLDS: "✅", FAILS: "❌", INCONCLUSIVE: "🟡", NO_VERDICT: "⚪"}


def _rule_text(prefix: str, level: float, what: str, inside: str, outside: str) -> str:
    """La frase de una regla: cuándo se cumple (`inside`) y cuándo no (`outside`)."""
    return (
        f"{prefix}se cumple si el IC {level:.0%} de {what} {inside}; "
        f"no se cumple si queda entero {outside}"
    ).replace("%", " %")


@dataclass(frozen=True)
class Rule:
    """La regla del veredicto: de qué lado del umbral debe quedar el intervalo del 95 %.

    ``direction`` es ``"mayor"`` (se afirma valor > umbral) o ``"menor"`` (valor < umbral).
    """

    threshold: float
    direction: str = "mayor"
    level: float = 0.95

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
        """La regla en una frase (para la auditoría)."""
        side = "por encima" if self.direction == "mayor" else "por debajo"
        inside = f"queda entero {side} de {Num(self.threshold):g}"
        return _rule_text("", self.level, what, inside, "al otro lado")


@dataclass(frozen=True)
class Equivalence:
    """Equivalencia por dos pruebas unilaterales (TOST): |efecto| < `margin`.

    El efecto suele ir relativo a un efecto de referencia que mide el mismo experimento (p. ej.
    diferencia entre dos programas / efecto del decaimiento mismo), de modo que el margen es
    una fracción de lo que sí cambia las cosas. Se usa el intervalo del 90 % (dos pruebas del
    5 %).
    """

    margin: float
    level: float = 0.90

    def verdict(self, low: float, high: float) -> str:
        """Se cumple si el intervalo cabe en ±margen; no, si queda entero fuera."""
        if -self.margin < low and high < self.margin:
            return HOLDS
        if low > self.margin or high < -self.margin:
            return FAILS
        return INCONCLUSIVE

    def describe(self, what: str) -> str:
        """La regla en una frase (para la auditoría)."""
        inside = f"cabe entero en ±{Num(self.margin):g}"
        return _rule_text("equivalencia (TOST): ", self.level, what, inside, "fuera")


@dataclass(frozen=True)
class Spec:
    """La especificación de una conclusión (una entrada del registro de un notebook).

    ``enunciado`` y ``medida`` pueden llevar campos ``{nombre}`` que el notebook rellena al
    medir; ``frases[veredicto]`` también, y además ``{valor}``, ``{ic_bajo}``, ``{ic_alto}``,
    ``{n}`` y los del diseño. ``leccion`` (para «Lo que hemos aprendido») y ``consejo`` son
    opcionales, también por veredicto. Falta la frase de «sin veredicto»: se usa una general.
    """

    id: str
    enunciado: str
    medida: str
    rule: Rule | Equivalence
    frases: Mapping[str, str]
    leccion: Mapping[str, str] = field(default_factory=dict)
    consejo: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        missing = {HOLDS, FAILS, INCONCLUSIVE} - set(self.frases)
        if missing:
            raise ValueError(f"{self.id}: faltan las frases de {sorted(missing)}")
        if "." not in self.id:
            raise ValueError(f"El id {self.id!r} debe llevar el notebook delante (p. ej. 03.x)")


@dataclass(frozen=True)
class Measured:
    """Lo común a toda conclusión: qué se afirma, qué se mide, el valor y su intervalo."""

    id: str
    enunciado: str
    medida: str
    valor: float
    ic_bajo: float
    ic_alto: float
    n: int

    def to_json(self) -> dict:
        """Todos los campos; ±inf y NaN pasan a None (JSON no los admite)."""
        record = asdict(self)
        for key in ("valor", "ic_bajo", "ic_alto"):
            record[key] = record[key] if math.isfinite(record[key]) else None
        return record


@dataclass(frozen=True)
class Claim(Measured):
    """Una conclusión medida: lo que se afirma, el valor, su intervalo, el diseño y el veredicto."""

    n_divisiones: int
    n_inicializaciones: int
    n_barajados: int
    regla: str
    veredicto: str
    motivo: str
    frase: str
    leccion: str
    consejo: str

    @property
    def icono(self) -> str:
        """✅, ❌, 🟡 o ⚪."""
        return ICONS[self.veredicto]


_DESIGN = ("n_divisiones", "n_inicializaciones", "n_barajados")


def _fill(template: str, fields: Mapping) -> str:
    """Rellena `template`; los números salen con :class:`Num` (punto, miles con espacio)."""
    values = {k: _number(v) for k, v in fields.items()}
    names = {name for _, name, _, _ in string.Formatter().parse(template) if name}
    missing = names - set(values)
    if missing:
        raise KeyError(f"Faltan los campos {sorted(missing)} para «{template[:60]}…»")
    return template.format(**values)


def _number(value):
    """Los números, con el formato del curso; lo demás, tal cual."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    return Int(value) if isinstance(value, int) else Num(value)


def measure(
    spec: Spec,
    valor: float,
    interval: tuple[float, float],
    *,
    n: int,
    design: Mapping[str, int],
    motivo: str = "",
    **fmt,
) -> Claim:
    """La conclusión de `spec` con el valor medido, su intervalo y el diseño de las ejecuciones.

    `design` da ``n_divisiones``, ``n_inicializaciones`` y ``n_barajados``
    (:func:`batchlab.stats.design_counts`); una medida sin inicialización aleatoria (un ajuste
    lineal, una propiedad de los datos) lleva ``n_inicializaciones = 1``. Con `motivo` (por qué
    no se puede decidir) o sin intervalo finito, el veredicto es «sin veredicto». `fmt` rellena
    los campos de las plantillas de `spec`.
    """
    low, high = (float(x) for x in interval)
    missing = set(_DESIGN) - set(design)
    if missing:
        raise ValueError(f"{spec.id}: el diseño necesita {sorted(missing)}")
    if not motivo and (math.isnan(low) or math.isnan(high) or math.isnan(valor)):
        motivo = "no hay datos finitos con estos parámetros"
    verdict = NO_VERDICT if motivo else spec.rule.verdict(low, high)
    fields = {**fmt, **{k: int(design[k]) for k in _DESIGN}}
    fields |= {"valor": float(valor), "ic_bajo": low, "ic_alto": high, "n": int(n)}
    enunciado = _fill(spec.enunciado, fields)
    if verdict == NO_VERDICT:
        frase = spec.frases.get(NO_VERDICT, "«{enunciado}»: sin veredicto ({motivo}).")
        frase = _fill(frase, {**fields, "enunciado": enunciado, "motivo": motivo})
    else:
        frase = _fill(spec.frases[verdict], fields)
    extra = {**fields, "motivo": motivo}
    return Claim(
        id=spec.id,
        enunciado=enunciado,
        medida=_fill(spec.medida, fields),
        valor=float(valor),
        ic_bajo=low,
        ic_alto=high,
        n=int(n),
        **{k: int(design[k]) for k in _DESIGN},
        regla=spec.rule.describe(_fill(spec.medida, fields)),
        veredicto=verdict,
        motivo=motivo,
        frase=frase,
        leccion=_fill(spec.leccion[verdict], extra) if verdict in spec.leccion else frase,
        consejo=_fill(spec.consejo[verdict], extra) if verdict in spec.consejo else "",
    )
