"""Las conclusiones del curso como datos medidos: especificación, medida y presentación.

* :mod:`~batchlab.claims.spec` — :class:`Spec` (lo que se afirma y su regla), :func:`measure`
  y :class:`Claim`;
* :mod:`~batchlab.claims.measures` — del bootstrap jerárquico o de «k de n» a una conclusión;
* :mod:`~batchlab.claims.render` — Resultado, Lo que hemos aprendido, la auditoría y el JSON;
* ``nb01`` … ``nb04`` (y ``nb04_budget``): las medidas de las conclusiones de cada notebook.

Cada registro declara sus conclusiones como datos (``SPECS``: id con el notebook delante →
:class:`Spec`; el de 04 está en ``nb04_specs``). Hoy los mide aún el motor anterior,
:mod:`~batchlab.claims.engine` (``median_of``, ``rate_of``, ``fit_of``: una sola división, el
bootstrap de los barajados); medirlos sobre réplicas de divisiones × inicializaciones ×
barajados (:mod:`~batchlab.claims.measures`) es la issue 23.
"""

from . import spec
from .engine import fit_claim, median_claim, rate_claim, sentences, table
from .measures import from_replicates, proportion
from .render import Markdown, aprendido, auditoria, consejos, resultado, write_json
from .spec import *  # noqa: F403 (los nombres de spec.__all__, abajo)

__all__ = [
    *spec.__all__,
    "Markdown",
    "aprendido",
    "auditoria",
    "consejos",
    "fit_claim",
    "from_replicates",
    "median_claim",
    "proportion",
    "rate_claim",
    "resultado",
    "sentences",
    "table",
    "write_json",
]
