"""El notebook 06 tal como lo usa un estudiante: cada celda ✏️ con la solución que imprime
``ej.solucion(n)`` pegada tal cual da un ✅ por ejercicio (sin atajos), y se guarda sin
responder."""

import json
import re
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from batchlab import ejercicios as ej

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "06_ejercicios.ipynb"
EDIT = re.compile(r"^# ✏️ Ejercicio (\d+)\n")
CHECK = re.compile(r"^ej\.comprobar\((\d+), (\w+)\)$")


def book() -> nbformat.NotebookNode:
    return nbformat.read(NOTEBOOK, as_version=4)


def check_texts(nb) -> list[str]:
    """Los mensajes de las comprobaciones (✅/❌/⏳), en orden."""
    texts = []
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            text = o.get("text") or o.get("data", {}).get("text/plain", "")
            if text.startswith(("✅", "❌", "⏳")):
                texts.append(text)
    return texts


def test_one_edit_cell_and_one_check_per_registered_exercise():
    code = [c.source for c in book().cells if c.cell_type == "code"]
    edits = [int(m.group(1)) for s in code if (m := EDIT.match(s))]
    checks = [(int(m.group(1)), m.group(2)) for s in code if (m := CHECK.match(s.strip()))]
    assert edits == sorted(ej.EJERCICIOS)
    assert checks == [(n, e.nombre) for n, e in sorted(ej.EJERCICIOS.items())]


def test_committed_notebook_is_unanswered_and_clean():
    nb = book()
    texts = check_texts(nb)
    assert len(texts) == len(ej.EJERCICIOS)
    assert all(t.startswith("⏳") for t in texts), "guarda el notebook sin responder"
    assert NOTEBOOK.stat().st_size < 2_000_000 and nb.metadata.kernelspec.name == "python3"
    code = [c for c in nb.cells if c.cell_type == "code" and c.source.strip()]
    assert [c.execution_count for c in code] == list(range(1, len(code) + 1))
    for c in code:
        for o in c.outputs:
            assert o.output_type != "error"
            assert not re.search(r"/(?:work|root|tmp|home/[a-z]+)/", json.dumps(o))
            assert "Warning" not in o.get("text", "")
    assert "resolver" not in NOTEBOOK.read_text(), "sin atajos: no hay parámetro resolver"


def test_pasted_solutions_give_one_tick_each():
    """Sustituye cada celda ✏️ por su cabecera + la solución impresa y ejecuta todo."""
    nb = book()
    for cell in nb.cells:
        m = EDIT.match(cell.source) if cell.cell_type == "code" else None
        if m:
            cell.source = m.group(0) + ej.EJERCICIOS[int(m.group(1))].solucion
    NotebookClient(
        nb,
        timeout=120,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOK.parent)}},
    ).execute()
    texts = check_texts(nb)
    assert len(texts) == len(ej.EJERCICIOS) and all(t.startswith("✅") for t in texts), texts
    for n, text in enumerate(texts, start=1):
        assert text.startswith(f"✅ Ejercicio {n} ·")
