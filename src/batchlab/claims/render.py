"""Las conclusiones escritas para el estudiante: Resultado, lo aprendido y la auditoría.

Todo se devuelve como :class:`Markdown`, un objeto que Jupyter, GitHub y la web muestran como
texto con formato (``text/markdown``) y cuya forma de texto plano es el mismo texto: así nbval
valida las cifras de cada frase (compara ``text/plain``) y ningún texto sale cortado.

* :func:`resultado` — el párrafo **Resultado** que cierra una sección;
* :func:`aprendido` — las viñetas de **Lo que hemos aprendido**;
* :func:`auditoria` — el apéndice **Auditoría de las conclusiones**: todas, con su medida, su
  intervalo, su diseño (divisiones × inicializaciones × barajados) y su regla, sin recortar;
* :func:`write_json` — las conclusiones en JSON para ``make claims``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path

from .spec import NO_VERDICT, Claim, Num

__all__ = ["Markdown", "aprendido", "auditoria", "consejos", "resultado", "write_json"]


class Markdown:
    """Texto Markdown que se muestra con formato y se valida como texto plano."""

    def __init__(self, text: str) -> None:
        self.text = text

    def _repr_markdown_(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return self.text

    def __str__(self) -> str:
        return self.text


def _one(c: Claim) -> str:
    return f"{c.icono} {c.frase}"


def resultado(*claims: Claim, texto: str = "") -> Markdown:
    """**Resultado.** La frase de cada conclusión (con su icono), y `texto` delante si se da."""
    parts = [texto] if texto else []
    parts += [_one(c) for c in claims]
    return Markdown("**Resultado.** " + " ".join(parts))


def aprendido(claims: Sequence[Claim], extra: Sequence[str] = ()) -> Markdown:
    """**Lo que hemos aprendido**: una viñeta por conclusión (su lección) y las de `extra`."""
    bullets = [f"- {c.icono} {c.leccion}" for c in claims] + [f"- {e}" for e in extra]
    return Markdown("\n".join(bullets))


def consejos(claims: Sequence[Claim]) -> Markdown:
    """Los consejos de las conclusiones que tienen uno para su veredicto, en viñetas."""
    lines = [f"- {c.consejo}" for c in claims if c.consejo]
    return Markdown("\n".join(lines) if lines else "Ninguna conclusión da aquí un consejo.")


def _interval(c: Claim) -> str:
    if math.isnan(c.ic_bajo):
        return "—"
    return f"[{Num(c.ic_bajo):.4g}, {Num(c.ic_alto):.4g}]"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def auditoria(claims: Sequence[Claim]) -> Markdown:
    """La tabla completa de las conclusiones, sin recortar ningún texto."""
    head = (
        "| id | afirmación | veredicto | valor | intervalo | diseño | medida | regla |\n"
        "|---|---|---|---|---|---|---|---|"
    )
    rows = []
    for c in claims:
        design = (
            f"{c.n_divisiones} div. × {c.n_inicializaciones} inic. × {c.n_barajados} baraj. "
            f"(n = {c.n})"
        )
        verdict = f"{c.icono} {c.veredicto}" + (
            f" ({c.motivo})" if c.veredicto == NO_VERDICT else ""
        )
        cells = [
            f"`{c.id}`", c.enunciado, verdict, f"{Num(c.valor):.4g}", _interval(c), design,
            c.medida, c.regla,
        ]  # fmt: skip
        rows.append("| " + " | ".join(_cell(x) for x in cells) + " |")
    return Markdown("\n".join([head, *rows]))


def write_json(claims: Sequence[Claim], path: str | Path) -> Path:
    """Escribe las conclusiones en `path` (lista de objetos, UTF-8) y devuelve la ruta."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    ids = [c.id for c in claims]
    if len(set(ids)) != len(ids):
        raise ValueError(f"Hay ids de conclusiones repetidos: {ids}")
    records = [c.to_json() for c in claims]
    path.write_text(json.dumps(records, ensure_ascii=False, indent=1), encoding="utf-8")
    return path
