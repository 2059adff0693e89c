"""La tarea evaluable con nbgrader: la fuente sigue al notebook 06, la versión para
estudiantes no lleva soluciones y una clase sintética se califica de principio a fin."""

import copy
import csv
import importlib.util
import json
import sys
import time
from pathlib import Path

import nbformat
import pytest

from batchlab import ejercicios as ej

pytest.importorskip("nbgrader", reason="extra del profesorado: make install-profesor")

ROOT = Path(__file__).resolve().parents[1]


def load(name):
    path = ROOT / "profesor" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"profesor_{name}", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


fuente, calificar = load("fuente"), load("calificar")
TOTAL = sum(e.puntos for e in ej.EJERCICIOS.values())


def grade_id(cell):
    return cell.metadata.get("nbgrader", {}).get("grade_id", "")


def test_source_is_in_step_with_notebook_06():
    assert fuente.main(["--check"]) == 0, "ejecuta python profesor/fuente.py"


def test_source_has_answers_tests_and_points():
    nb = fuente.generar()
    answers = [c for c in nb.cells if grade_id(c).startswith("respuesta_")]
    tests = [c for c in nb.cells if grade_id(c).startswith("comprobar_")]
    assert len(answers) == len(tests) == len(ej.EJERCICIOS)
    for n, (a, t) in enumerate(zip(answers, tests, strict=True), start=1):
        assert ej.EJERCICIOS[n].solucion in a.source and "### BEGIN SOLUTION" in a.source
        meta = t.metadata["nbgrader"]
        assert meta["grade"] and meta["locked"] and meta["points"] == ej.EJERCICIOS[n].puntos
        assert f"ej.comprobar({n}, {ej.EJERCICIOS[n].nombre}).exigir()" in t.source
        assert "### BEGIN HIDDEN TESTS" in t.source
    setup = nb.cells[1]
    assert "ej.modo_evaluacion()" in setup.source and setup.metadata["nbgrader"]["locked"]


@pytest.fixture(scope="module")
def release(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("alumnos")
    path = calificar.alumnos(tmp / "curso", tmp / "salida")
    return nbformat.read(path, as_version=4)


def test_release_has_no_solutions_nor_hidden_tests(release):
    text = json.dumps(release)
    assert "BEGIN SOLUTION" not in text and "HIDDEN" not in text and "repeticiones" not in text
    for e in ej.EJERCICIOS.values():
        assert e.solucion.strip() not in text
    edits = [c.source for c in release.cells if grade_id(c).startswith("respuesta_")]
    assert all("None" in s for s in edits), edits  # el esqueleto del notebook 06, a la vista


# -- una clase sintética --------------------------------------------------------------
def answer(nb, n, code):
    (cell,) = [c for c in nb.cells if grade_id(c) == f"respuesta_{n}"]
    cell.source = f"# ✏️ Ejercicio {n}\n{code}"


def solved(release, skip=()):
    nb = copy.deepcopy(release)
    for n, e in ej.EJERCICIOS.items():
        if n not in skip:
            answer(nb, n, e.solucion)
    return nb


def drop(nb, gid):
    nb.cells = [c for c in nb.cells if grade_id(c) != gid]


def class_of_ten(release):
    """Alumno → (notebook o texto, ejercicios que deben quedar a cero)."""
    subs = {"correcto": (solved(release), set())}
    nb = solved(release)
    answer(nb, 1, "def relu_derivada(z):\n    return np.sign(z)\n")
    answer(nb, 4, "def actualizaciones(n, batch_size):\n    return n // batch_size\n")
    answer(nb, 5, 'se_cumple = "sí"\n')  # no es True/False
    subs["errores"] = (nb, {1, 4, 5})
    nb = solved(release)
    answer(nb, 2, "def batches(n, batch_size, seed):\n    while True:\n        pass\n")
    answer(nb, 5, "while True:\n    pass\nse_cumple = True\n")
    subs["bucle"] = (nb, {2, 5})
    nb = solved(release)
    answer(nb, 4, "def actualizaciones(n, batch_size):\n    return n // batch_size\n")
    next(c for c in nb.cells if grade_id(c) == "comprobar_4").source = "pass  # aprobado"
    subs["trampa"] = (nb, {4})
    nb = copy.deepcopy(release)
    for n in ej.EJERCICIOS:
        cell = next(c for c in nb.cells if grade_id(c) == f"respuesta_{n}")
        cell.source = "resolver = True\n" + cell.source
    subs["resolver"] = (nb, set(ej.EJERCICIOS))
    nb = solved(release)
    answer(nb, 1, "relu_derivada = ej.referencia(1)\n")
    answer(nb, 5, "se_cumple = ej.referencia(5)\n")
    subs["referencia"] = (nb, {1, 5})
    nb = solved(release)
    answer(nb, 6, "diverge = False\n")
    drop(nb, "respuesta_3")
    drop(nb, "comprobar_6")
    subs["borrada"] = (nb, {3, 6})
    nb = solved(release)
    answer(nb, 7, 'raise ValueError("uy")\n')
    answer(nb, 8, "prediccion = 1 / 0\n")
    subs["excepcion"] = (nb, {7, 8})
    subs["vacio"] = (copy.deepcopy(release), set(ej.EJERCICIOS))
    subs["roto"] = ("esto no es un notebook", set(ej.EJERCICIOS))
    return subs


def test_a_synthetic_class_is_graded_end_to_end(release, tmp_path):
    subs = class_of_ten(release)
    entregas = tmp_path / "entregas"
    for name, (nb, _) in subs.items():
        (entregas / name).mkdir(parents=True)
        target = entregas / name / "ejercicios.ipynb"
        if isinstance(nb, str):
            target.write_text(nb)
        else:
            nbformat.write(nb, target)
    start = time.perf_counter()
    notas = calificar.calificar(
        entregas, tmp_path / "curso", tmp_path / "salida", limite_celda=15, limite_respuesta=3
    )
    elapsed = time.perf_counter() - start
    print(f"\n{len(subs)} entregas calificadas en {elapsed:.0f} s")

    rows = {r["alumno"]: r for r in csv.DictReader(notas.open(encoding="utf-8"))}
    assert set(rows) == set(subs), "el CSV tiene una fila por entrega"
    for name, (_, zero) in subs.items():
        row = rows[name]
        for n, e in ej.EJERCICIOS.items():
            expected = 0.0 if n in zero else float(e.puntos)
            assert float(row[f"comprobar_{n}"]) == expected, (name, n, row)
        assert float(row["total"]) == TOTAL - sum(ej.EJERCICIOS[n].puntos for n in zero)

    feedback = tmp_path / "salida" / "feedback"
    html = (feedback / "errores.html").read_text(encoding="utf-8")
    for message in ("np.sign", "último batch", "Responde True (se cumple)", "Ejercicio 1"):
        assert message in html, message
    assert "tardó más de 3 s" in (feedback / "bucle.html").read_text(encoding="utf-8")
    assert "no hay respuestas de referencia" in (feedback / "referencia.html").read_text(
        encoding="utf-8"
    )
    assert {p.stem for p in feedback.glob("*.html")} >= set(subs) - {"roto"}
