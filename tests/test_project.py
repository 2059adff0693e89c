"""Los archivos de mantenimiento dicen lo mismo que el código (versión, licencia, dependencias,
ganchos de pre-commit y Makefile)."""

import ast
import re
import sys
import tomllib
from pathlib import Path

import yaml

import batchlab

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
#: nombre con el que se importa → nombre de la distribución en PyPI
DISTRIBUTION = {
    "sklearn": "scikit-learn",
    "PIL": "pillow",
    "IPython": "ipython",
    "matplotlib_inline": "matplotlib-inline",
}


def _imported_packages() -> set[str]:
    """Paquetes de terceros que importa src/batchlab (también dentro de funciones)."""
    found = set()
    for path in (ROOT / "src" / "batchlab").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                found.add(node.module.split(".")[0])
    stdlib = set(sys.stdlib_module_names) | {"__future__"}
    return {DISTRIBUTION.get(name, name) for name in found - stdlib - {"batchlab"}}


def test_pyproject_lists_exactly_what_the_package_imports():
    declared = {re.split(r"[<>=!~ \[;]", dep)[0] for dep in PYPROJECT["project"]["dependencies"]}
    imported = _imported_packages()
    assert imported - declared == set(), "faltan en pyproject: añádelas a dependencies"
    assert declared - imported == set(), "sobran en pyproject: el paquete no las importa"


def test_the_version_lives_in_one_place():
    assert "version" not in PYPROJECT["project"]
    assert "version" in PYPROJECT["project"]["dynamic"]
    dynamic = PYPROJECT["tool"]["setuptools"]["dynamic"]["version"]
    assert dynamic == {"attr": "batchlab.__version__"}
    init = (ROOT / "src" / "batchlab" / "__init__.py").read_text(encoding="utf-8")
    assert len(re.findall(r"^__version__ = ", init, flags=re.M)) == 1
    assert re.fullmatch(r"\d+\.\d+\.\d+", batchlab.__version__)


def test_changelog_has_unreleased_and_the_current_version():
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "## [Unreleased]" in text
    assert f"## [{batchlab.__version__}]" in text


def test_license_matches_pyproject():
    assert PYPROJECT["project"]["license"] == {"text": "MIT"}
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")


def _makefile_strip_keys() -> list[str]:
    text = (ROOT / "Makefile").read_text(encoding="utf-8").replace("\\\n", " ")
    return re.search(r"^STRIP_KEYS := (.*)$", text, flags=re.M).group(1).split()


def test_precommit_strips_notebooks_like_make_run():
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    hooks = {hook["id"]: hook for repo in config["repos"] for hook in repo["hooks"]}
    assert {"ruff-check", "ruff-format", "nbstripout"} <= set(hooks)
    args = hooks["nbstripout"]["args"]
    assert "--keep-output" in args and "--keep-count" in args  # nbval necesita ambas
    keys = args[args.index("--extra-keys") + 1].split()
    assert keys == _makefile_strip_keys()


def test_makefile_has_the_maintainer_targets():
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    for target in ("test-fast", "lint", "format"):
        assert re.search(rf"^{target}:.*## ", text, flags=re.M), f"falta make {target}"
    lint = re.search(r"^lint:.*?(?=^\S)", text, flags=re.M | re.S).group(0)
    assert "ruff check" in lint and "ruff format --check" in lint
