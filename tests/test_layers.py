"""Las capas del paquete importan en un solo sentido (y sin ciclos).

Cada módulo de ``src/batchlab`` pertenece a una capa; una capa solo puede importar las que su
fila de :data:`ALLOWED` nombra. Se recorre el AST de cada módulo, **también** los imports
dentro de funciones (un import diferido sigue siendo una dependencia). Las figuras pueden
nombrar tipos del entrenamiento solo dentro de ``if TYPE_CHECKING:``.
"""

import ast
import pathlib

import pytest

PACKAGE = pathlib.Path(__file__).resolve().parents[1] / "src" / "batchlab"

#: capa de cada módulo de primer nivel (las subcarpetas son su propia capa)
TOP = {
    "_checks": "foundation",
    "labels": "foundation",
    "stats": "foundation",
    "parameters": "foundation",
    "data": "data",
    "features": "data",
    "census": "data",
    "mlp": "model",
    "optimizers": "model",
    "reference": "model",
    "hessian": "model",
    "__init__": "entry",
    "__main__": "entry",
}
LAYERS = ["foundation", "data", "model", "training", "experiments", "plots", "claims"]
#: qué puede importar cada capa (además de sí misma)
ALLOWED = {
    "foundation": set(),
    "data": {"foundation"},
    "model": {"foundation"},
    "training": {"foundation", "model"},
    "experiments": {"foundation", "data", "model", "training"},
    "plots": {"foundation", "data"},
    "claims": {"foundation"},
    "ejercicios": set(LAYERS),
    "entry": set(LAYERS) | {"ejercicios"},
}
#: lo que una capa puede importar solo para anotar tipos (``if TYPE_CHECKING:``)
TYPE_ONLY = {"plots": {"training"}}


def module_name(path: pathlib.Path) -> str:
    """``batchlab.training.loop`` para ``src/batchlab/training/loop.py``."""
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer_of(module: str) -> str:
    """La capa de un módulo ``batchlab.x[.y]``."""
    parts = module.split(".")[1:]
    if not parts:
        return "entry"
    if (PACKAGE / parts[0]).is_dir():
        return parts[0]
    return TOP[parts[0]]


def _type_checking_lines(tree: ast.Module) -> set[int]:
    lines = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                lines.update(range(child.lineno, child.end_lineno + 1))
    return lines


def imports_of(source: str, module: str, is_package: bool) -> list[tuple[str, bool, int]]:
    """Los módulos de batchlab que importa `source`: ``(módulo, solo_tipos, línea)``."""
    tree = ast.parse(source)
    typing_only = _type_checking_lines(tree)
    base = module.split(".") if is_package else module.split(".")[:-1]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                root = base[: len(base) - (node.level - 1)]
                prefix = ".".join(root + ([node.module] if node.module else []))
            else:
                prefix = node.module or ""
            # `from . import x` importa el submódulo x
            targets = [prefix] if node.module else [f"{prefix}.{a.name}" for a in node.names]
        else:
            continue
        for target in targets:
            if target == "batchlab" or target.startswith("batchlab."):
                found.append((target, node.lineno in typing_only, node.lineno))
    return found


def violations(source: str, module: str, is_package: bool = False) -> list[str]:
    """Los imports de `source` (el módulo `module`) que la tabla de capas no permite."""
    layer = layer_of(module)
    bad = []
    for target, typing_only, line in imports_of(source, module, is_package):
        other = layer_of(target)
        if other == layer or other in ALLOWED[layer]:
            continue
        if typing_only and other in TYPE_ONLY.get(layer, set()):
            continue
        bad.append(f"{module}:{line} ({layer}) importa {target} ({other})")
    return bad


def all_modules():
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def test_every_module_has_a_layer():
    for path in all_modules():
        assert layer_of(module_name(path)) in ALLOWED, path


@pytest.mark.parametrize("path", all_modules(), ids=lambda p: module_name(p))
def test_imports_follow_the_layers(path):
    module = module_name(path)
    assert violations(path.read_text(encoding="utf-8"), module, path.name == "__init__.py") == []


def test_the_checker_sees_forbidden_imports_also_inside_functions():
    """El test de arriba puede fallar: un import hacia arriba, aunque sea diferido, se ve."""
    upward = "def f():\n    from ..experiments.sweeps import lr_sweep\n"
    assert violations(upward, "batchlab.training.loop") == [
        "batchlab.training.loop:2 (training) importa batchlab.experiments.sweeps (experiments)"
    ]
    plots_to_experiments = "from ..experiments import scaling\n"
    assert violations(plots_to_experiments, "batchlab.plots.scaling")
    claims_to_training = "import batchlab.training\n"
    assert violations(claims_to_training, "batchlab.claims.engine")
    typing_ok = (
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from ..training import History\n"
    )
    assert violations(typing_ok, "batchlab.plots.methods") == []
    assert violations(typing_ok.replace("if TYPE_CHECKING:\n    ", ""), "batchlab.plots.methods")


def test_no_import_cycles():
    """El grafo de imports entre módulos (con los diferidos) no tiene ciclos."""
    graph = {}
    for path in all_modules():
        module = module_name(path)
        targets = imports_of(path.read_text(encoding="utf-8"), module, path.name == "__init__.py")
        graph[module] = {t for t, typing_only, _ in targets if not typing_only and t != module}
    # un import de un nombre (`from .x import f`) se resuelve al módulo x si existe
    modules = set(graph)
    for module, targets in graph.items():
        graph[module] = {t if t in modules else t.rpartition(".")[0] for t in targets} & modules
    state: dict[str, int] = {}

    def visit(node, stack):
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycle = stack[stack.index(nxt) :] + [nxt]
                raise AssertionError("ciclo de imports: " + " → ".join(cycle))
            if nxt not in state:
                visit(nxt, stack + [nxt])
        state[node] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
