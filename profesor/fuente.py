"""Genera la tarea fuente de nbgrader a partir del notebook 06 y del registro de ejercicios.

    python profesor/fuente.py            # reescribe profesor/source/ejercicios/ejercicios.ipynb
    python profesor/fuente.py --check    # falla si la fuente guardada no está al día

Cada celda ✏️ del notebook 06 se vuelve una celda de respuesta calificada (el esqueleto del
notebook queda a la vista; la solución del registro va entre ``### BEGIN/END SOLUTION``),
cada ``ej.comprobar(n, nombre)`` una celda de test de solo lectura, con los puntos del
registro, que llama al mismo comprobador y añade casos aleatorios ocultos; las celdas que
calculan el enunciado son de solo lectura y la primera activa el modo evaluado.
"""

from __future__ import annotations

import copy
import re
import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_markdown_cell

from batchlab import ejercicios as ej

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "06_ejercicios.ipynb"
FUENTE = ROOT / "profesor" / "source" / "ejercicios" / "ejercicios.ipynb"
EDIT = re.compile(r"^# ✏️ Ejercicio (\d+)\n")
CHECK = re.compile(r"^ej\.comprobar\((\d+), (\w+)\)$")

PORTADA = """# Ejercicios evaluables · batchlab

Doce ejercicios que recorren el curso; cada uno da los puntos que indica su celda de
comprobación. En cada ejercicio:

1. escribe tu respuesta en la celda marcada con ✏️ (sustituye el `None`);
2. ejecuta la celda de comprobación que la sigue: te dice si es correcta y, si no, qué falla;
3. si te atascas, `ej.pista(n)` y `ej.pista(n, 2)` dan pistas (en esta versión no hay
   soluciones).

No cambies las celdas de comprobación ni las del enunciado: al calificar se restauran, se
prueban tus funciones con casos nuevos y cada celda tiene un límite de tiempo. Antes de
entregar: *Kernel → Restart & Run All* y comprueba que no hay errores."""


def _nbgrader(grade_id: str, *, grade=False, solution=False, locked=False, points=None):
    meta = {
        "grade": grade,
        "grade_id": grade_id,
        "locked": locked,
        "schema_version": 3,
        "solution": solution,
        "task": False,
    }
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def generar() -> nbformat.NotebookNode:
    """La tarea fuente de nbgrader, construida desde el notebook 06."""
    book = nbformat.read(NOTEBOOK, as_version=4)
    cells = [new_markdown_cell(PORTADA)]
    code_index = 0
    for cell in book.cells[1:]:
        cell = copy.deepcopy(cell)
        if cell.cell_type == "markdown":
            cell.metadata = {}
            cells.append(cell)
            continue
        cell.outputs, cell.execution_count = [], None
        source = cell.source.strip()
        if m := EDIT.match(cell.source):
            e = ej.EJERCICIOS[int(m.group(1))]
            cell.source = f"{source}\n### BEGIN SOLUTION\n{e.solucion}### END SOLUTION"
            cell.metadata = _nbgrader(f"respuesta_{e.numero}", solution=True)
        elif m := CHECK.match(source):
            n, nombre = int(m.group(1)), m.group(2)
            cell.source = (
                f"# Comprobación del ejercicio {n}: no la cambies (se restaura al "
                f"calificar)\nej.comprobar({n}, {nombre}).exigir()\n"
                "### BEGIN HIDDEN TESTS\n"
                f"ej.comprobar({n}, {nombre}, repeticiones=5).exigir()\n"
                "### END HIDDEN TESTS"
            )
            cell.metadata = _nbgrader(
                f"comprobar_{n}", grade=True, locked=True, points=ej.EJERCICIOS[n].puntos
            )
        else:
            code_index += 1
            if code_index == 1:  # la celda de los imports: modo evaluado, sin soluciones
                cell.source = source + "\n\nej.modo_evaluacion()  # sin soluciones ni referencias"
            cell.metadata = _nbgrader(f"enunciado_{code_index}", locked=True)
        cells.append(cell)
    fuente = nbformat.v4.new_notebook(cells=cells, metadata=book.metadata)
    for i, cell in enumerate(fuente.cells):
        cell.id = f"c{i:02d}"
    return fuente


def main(argv: list[str]) -> int:
    texto = nbformat.writes(generar()) + "\n"
    if "--check" in argv:
        if not FUENTE.exists() or FUENTE.read_text(encoding="utf-8") != texto:
            print("La fuente de nbgrader no está al día: python profesor/fuente.py")
            return 1
        return 0
    FUENTE.parent.mkdir(parents=True, exist_ok=True)
    FUENTE.write_text(texto, encoding="utf-8")
    print(f"Escrita {FUENTE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
