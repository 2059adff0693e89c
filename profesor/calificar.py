"""La tarea evaluable con nbgrader, sin JupyterHub: versión para estudiantes y calificación.

    python profesor/calificar.py alumnos [--salida build/alumnos]
    python profesor/calificar.py calificar ENTREGAS [--salida build/calificacion]

``ENTREGAS`` tiene un notebook por estudiante: ``ENTREGAS/<alumno>/ejercicios.ipynb`` o
``ENTREGAS/<alumno>.ipynb``. Cada orden crea un curso de nbgrader nuevo en ``--curso``
(por defecto ``build/nbgrader``; nunca se versiona), usa la CLI de nbgrader
(``generate_assignment``, ``autograde``, ``generate_feedback``) y deja en ``--salida``:
``notas.csv`` (alumno × ejercicio, con el total) y ``feedback/<alumno>.html``.
Cada entrega se ejecuta en un kernel nuevo, con límite de tiempo por celda, en modo
evaluado (``BATCHLAB_EVALUACION=1``: sin soluciones ni respuestas de referencia).
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TAREA = "ejercicios"
FUENTE = ROOT / "profesor" / "source" / TAREA
#: Segundos por celda al calificar (los comprobadores cortan antes cada respuesta: 10 s).
LIMITE_CELDA = 60

CONFIG = """c = get_config()  # noqa: F821
c.CourseDirectory.course_id = "batchlab"
c.CourseDirectory.root = {root!r}
# El esqueleto del notebook 06 queda fuera de la región de solución: no hace falta otro.
c.ClearSolutions.code_stub = {{"python": ""}}
c.Execute.timeout = {timeout}
c.Execute.interrupt_on_timeout = True
# Una celda de comprobación borrada vuelve (y vale cero si falta la respuesta).
c.OverwriteCells.add_missing_cells = True
"""


def _nbgrader(
    curso: Path, *args: str, check: bool = True, limite_respuesta: float = 10.0
) -> subprocess.CompletedProcess:
    """Ejecuta la CLI de nbgrader en el curso, en modo evaluado y con un hilo de BLAS."""
    env = {
        **os.environ,
        "BATCHLAB_EVALUACION": "1",
        "BATCHLAB_LIMITE_SEGUNDOS": str(limite_respuesta),
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "JUPYTER_PREFER_ENV_PATH": "1",
        # nbgrader llama a `alembic` por su nombre: el del entorno, primero en PATH.
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]]),
    }
    proc = subprocess.run(
        [sys.executable, "-m", "nbgrader", *args, "--log-level=WARN"],
        cwd=curso,
        env=env,
        capture_output=True,
        text=True,
    )
    if check and proc.returncode:
        raise SystemExit(f"nbgrader {args[0]} falló:\n{proc.stdout}\n{proc.stderr}")
    return proc


def preparar_curso(curso: Path, limite_celda: int = LIMITE_CELDA) -> None:
    """Un curso de nbgrader nuevo con la fuente de la tarea y su versión para estudiantes."""
    shutil.rmtree(curso, ignore_errors=True)
    (curso / "source").mkdir(parents=True)
    shutil.copytree(FUENTE, curso / "source" / TAREA)
    (curso / "nbgrader_config.py").write_text(
        CONFIG.format(root=str(curso.resolve()), timeout=limite_celda), encoding="utf-8"
    )
    _nbgrader(curso, "generate_assignment", TAREA, "--force")


def alumnos(curso: Path, salida: Path) -> Path:
    """Genera la versión para estudiantes (sin soluciones ni tests ocultos) en `salida`."""
    preparar_curso(curso)
    salida.mkdir(parents=True, exist_ok=True)
    destino = salida / f"{TAREA}.ipynb"
    shutil.copy(curso / "release" / TAREA / f"{TAREA}.ipynb", destino)
    return destino


def entregas(carpeta: Path) -> dict[str, Path]:
    """Alumno → notebook entregado (``<alumno>/ejercicios.ipynb`` o ``<alumno>.ipynb``)."""
    encontradas = {}
    for ruta in sorted(carpeta.iterdir()):
        if ruta.is_dir():
            notebooks = sorted(ruta.glob("*.ipynb"))
            ruta = (
                ruta / f"{TAREA}.ipynb"
                if (ruta / f"{TAREA}.ipynb").exists()
                else (notebooks[0] if len(notebooks) == 1 else None)
            )
            nombre = ruta.parent.name if ruta else None
        else:
            nombre = ruta.stem if ruta.suffix == ".ipynb" else None
        if ruta is not None and nombre:
            encontradas[re.sub(r"[^A-Za-z0-9_.-]", "_", nombre)] = ruta
    return encontradas


def calificar(
    carpeta: Path,
    curso: Path,
    salida: Path,
    limite_celda: int = LIMITE_CELDA,
    limite_respuesta: float = 10.0,
) -> Path:
    """Califica cada entrega de `carpeta`; escribe notas.csv y el feedback HTML en `salida`."""
    from nbgrader.api import Gradebook, MissingEntry

    lista = entregas(carpeta)
    if not lista:
        raise SystemExit(f"No hay entregas (.ipynb) en {carpeta}")
    preparar_curso(curso, limite_celda)
    for alumno, notebook in lista.items():
        destino = curso / "submitted" / alumno / TAREA
        destino.mkdir(parents=True)
        shutil.copy(notebook, destino / f"{TAREA}.ipynb")
    # Todas las entregas en una llamada; una entrega rota no para a las demás.
    _nbgrader(curso, "autograde", TAREA, "--create", check=False, limite_respuesta=limite_respuesta)
    _nbgrader(curso, "generate_feedback", TAREA, "--force", check=False)

    with Gradebook(f"sqlite:///{curso / 'gradebook.db'}") as gb:
        celdas = sorted((c.name, c.max_score) for c in gb.find_notebook(TAREA, TAREA).grade_cells)
        filas = []
        for alumno in lista:
            try:
                nb = gb.find_submission_notebook(TAREA, TAREA, alumno)
                puntos = {g.name: float(g.score) for g in nb.grades}
            except MissingEntry:  # la entrega no se pudo calificar: cero
                puntos = {}
            fila = {"alumno": alumno}
            fila.update({nombre: puntos.get(nombre, 0.0) for nombre, _ in celdas})
            fila["total"] = sum(fila[nombre] for nombre, _ in celdas)
            filas.append(fila)
    salida.mkdir(parents=True, exist_ok=True)
    notas = salida / "notas.csv"
    with notas.open("w", newline="", encoding="utf-8") as f:
        escritor = csv.DictWriter(f, fieldnames=["alumno", *(n for n, _ in celdas), "total"])
        escritor.writeheader()
        escritor.writerows(filas)
    feedback = salida / "feedback"
    shutil.rmtree(feedback, ignore_errors=True)
    feedback.mkdir()
    for alumno in lista:
        html = curso / "feedback" / alumno / TAREA / f"{TAREA}.html"
        if html.exists():
            shutil.copy(html, feedback / f"{alumno}.html")
    print(
        f"{len(filas)} entregas calificadas (máximo {sum(m for _, m in celdas):g} puntos): "
        f"{notas} y {feedback}/"
    )
    return notas


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("orden", choices=["alumnos", "calificar"])
    parser.add_argument("entregas", nargs="?", type=Path)
    parser.add_argument("--curso", type=Path, default=ROOT / "build" / "nbgrader")
    parser.add_argument("--salida", type=Path)
    parser.add_argument(
        "--limite-celda",
        type=int,
        default=LIMITE_CELDA,
        help="segundos por celda al calificar (un bucle infinito se corta)",
    )
    parser.add_argument(
        "--limite-respuesta",
        type=float,
        default=10.0,
        help="segundos de cada comprobación (la respuesta incluida)",
    )
    args = parser.parse_args(argv)
    if args.orden == "alumnos":
        destino = alumnos(args.curso, args.salida or ROOT / "build" / "alumnos")
        print(f"Versión para estudiantes: {destino}")
        return 0
    if args.entregas is None or not args.entregas.is_dir():
        parser.error("indica la carpeta de entregas: make calificar ENTREGAS=carpeta")
    calificar(
        args.entregas,
        args.curso,
        args.salida or ROOT / "build" / "calificacion",
        args.limite_celda,
        args.limite_respuesta,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
