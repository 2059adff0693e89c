"""La forma del paquete y de los notebooks: módulos cortos, figuras descritas, celdas cortas.

* cada módulo de ``src/batchlab`` tiene como mucho :data:`MAX_MODULE_LINES` líneas;
* cada función pública de ``batchlab.plots`` que crea una figura le pone su texto
  alternativo con ``describe`` (una figura nueva queda cubierta sin escribir nada más);
* ninguna celda de código de un notebook pasa de :data:`MAX_CELL_LINES` líneas (salvo la de
  parámetros) y la mediana de cada notebook es como mucho :data:`MAX_MEDIAN_LINES`.
"""

import ast
import json
import pathlib
import re
import statistics

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "batchlab"
MAX_MODULE_LINES, MAX_CELL_LINES, MAX_MEDIAN_LINES = 330, 25, 10
MODULES = sorted(PACKAGE.rglob("*.py"))
PLOTS = [p for p in sorted((PACKAGE / "plots").glob("*.py")) if p.stem not in ("alt_text", "style")]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_every_module_is_short(path):
    n = len(path.read_text(encoding="utf-8").splitlines())
    assert n <= MAX_MODULE_LINES, f"{path.name}: {n} líneas (máximo {MAX_MODULE_LINES}); pártelo"


def _called(call: ast.Call) -> str:
    """El nombre de lo que llama `call` (``plt.subplots`` → ``subplots``)."""
    f = call.func
    return f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", "")


def figure_functions(path: pathlib.Path):
    """Las funciones públicas de `path` que crean una figura de matplotlib."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
            calls = {_called(c) for c in ast.walk(node) if isinstance(c, ast.Call)}
            if calls & {"subplots", "figure", "Figure"}:
                yield node.name, calls


FIGURES = [(p.stem, name, calls) for p in PLOTS for name, calls in figure_functions(p)]


@pytest.mark.parametrize(
    ("module", "name", "calls"), FIGURES, ids=[f"{m}.{n}" for m, n, _ in FIGURES]
)
def test_every_figure_function_sets_its_alt_text(module, name, calls):
    assert "describe" in calls, (
        f"plots/{module}.py: {name} crea una figura sin texto alternativo; "
        'termina con return describe(fig, "…") (CONTRIBUTING, «Añadir una figura»)'
    )


def test_the_figure_scan_finds_figures():
    assert len(FIGURES) >= 20


def _small_legends(path: pathlib.Path) -> list[str]:
    """Leyendas de `path` con un tamaño de letra explícito menor que el mínimo del curso."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and _called(node) in ("legend", "finish"):
            for kw in node.keywords:
                small = isinstance(kw.value, ast.Constant) and isinstance(
                    kw.value.value, int | float
                )
                if kw.arg in ("fontsize", "legend_size") and small and kw.value.value < 10:
                    found.append(f"{path.name}:{node.lineno}")
    return found


@pytest.mark.parametrize("path", [p for p in PLOTS if p.stem != "animation"], ids=lambda p: p.stem)
def test_legends_are_at_least_ten_points(path):
    """Las leyendas de las figuras de los notebooks, ≥ 10 pt (el GIF tiene su propio tamaño)."""
    assert not _small_legends(path), f"leyendas de menos de 10 pt en {_small_legends(path)}"


def code_cells(path: pathlib.Path) -> list[int]:
    """Líneas de cada celda de código de un notebook, sin la de parámetros."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    return [
        len("".join(c["source"]).splitlines())
        for c in nb["cells"]
        if c["cell_type"] == "code" and "parameters" not in c["metadata"].get("tags", [])
    ]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem[:2])
def test_notebook_cells_are_short_calls(path):
    lines = code_cells(path)
    long = [n for n in lines if n > MAX_CELL_LINES]
    assert not long, f"{path.name}: celdas de {long} líneas (máximo {MAX_CELL_LINES})"
    assert statistics.median(lines) <= MAX_MEDIAN_LINES, (
        f"{path.name}: mediana {statistics.median(lines)}"
    )


def test_the_public_names_stay_importable():
    """Los nombres que usan los notebooks y el profesorado no cambian con la reorganización."""
    import batchlab as bl
    from batchlab import data, mlp, parameters
    from batchlab.training import History, lockstep, loop, train_groups, train_many

    assert bl.MLP is mlp.MLP and bl.train is loop.train and bl.History is History
    assert bl.check_parameters is parameters.check_parameters
    assert bl.load_housing is data.load_housing and bl.split_and_scale is data.split_and_scale
    assert train_many is lockstep.train_many and train_groups is lockstep.train_groups


#: La capa de cada módulo de primer nivel (las subcarpetas son su propia capa), como en el README.
TOP_LAYER = {
    "_checks": "base", "labels": "base", "stats": "base", "parameters": "base",
    "data": "datos", "features": "datos", "census": "datos",
    "mlp": "modelo", "optimizers": "modelo", "reference": "modelo", "hessian": "modelo",
}  # fmt: skip
LAYER_HEADINGS = {
    "base": "base (no importa nada del paquete)",
    "datos": "datos (importa base)",
    "modelo": "modelo (importa base)",
    "training": "training/ (importa base y modelo)",
    "experiments": "experiments/ (importa base, datos, modelo y training)",
    "plots": "plots/ (importa base y datos; reciben tablas)",
    "claims": "claims/ (importa base)",
    "ejercicios": "ejercicios/ (notebook 06; importa todas)",
}


def structure_section() -> str:
    """La lista de capas y módulos del README, hecha con el primer párrafo de cada docstring."""
    groups = {layer: [] for layer in LAYER_HEADINGS}
    for p in MODULES:
        rel = p.relative_to(PACKAGE)
        if p.name in ("__init__.py", "__main__.py"):
            continue
        layer = rel.parts[0] if len(rel.parts) > 1 else TOP_LAYER[rel.stem]
        doc = ast.get_docstring(ast.parse(p.read_text(encoding="utf-8"))) or ""
        para = " ".join(doc.split("\n\n")[0].split())
        para = re.sub(r":(func|mod|class|data):`~?([^`]+)`", r"`\2`", para)
        groups[layer].append(f"  - `{rel}` — {para}")
    return "\n".join(f"- **{LAYER_HEADINGS[k]}**\n" + "\n".join(v) for k, v in groups.items())


def test_the_readme_structure_is_the_generated_one():
    """La sección «Estructura» del README nombra cada módulo con su docstring (no se queda vieja).

    Si falla: ``python tests/test_structure.py`` imprime la lista que va en el README.
    """
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert structure_section() in readme, "regenera la lista con python tests/test_structure.py"


if __name__ == "__main__":
    print(structure_section())
