"""Fórmulas en MathML, convertidas al construir: las páginas no necesitan JavaScript ni red.

Los navegadores actuales (Chromium ≥ 109, Firefox, Safari) dibujan MathML sin ayuda.
Una fórmula que ``latex2mathml`` no entiende se avisa (y ``-W`` hace fallar la
construcción) en vez de quedar en blanco.
"""

from docutils import nodes
from latex2mathml.converter import convert
from sphinx.util import logging

logger = logging.getLogger(__name__)


def _mathml(self, node, display: bool) -> str:
    latex = node.astext()
    try:
        return convert(latex, display="block" if display else "inline")
    except Exception as err:  # noqa: BLE001 - cualquier fallo del conversor se avisa
        logger.warning("fórmula no convertida a MathML: %r (%s)", latex, err, location=node)
        return f"<code>{self.encode(latex)}</code>"


def visit_math(self, node):
    self.body.append(_mathml(self, node, display=False))
    raise nodes.SkipNode


def visit_displaymath(self, node):
    self.body.append(f'<div class="math">{_mathml(self, node, display=True)}</div>')
    raise nodes.SkipNode


def setup(app):
    app.add_html_math_renderer("mathml", (visit_math, None), (visit_displaymath, None))
    return {"parallel_read_safe": True, "parallel_write_safe": True}
