"""requirements.txt y environment.yml describen el mismo entorno."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def pip_pins() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if not line or line.startswith("-e"):
            continue
        name, _, version = line.partition("==")
        assert version, f"requirements.txt: fija la versión de {name!r} con =="
        pins[name.lower()] = version
    return pins


def conda_pins() -> dict[str, str]:
    pins = {}
    text = (ROOT / "environment.yml").read_text()
    for m in re.finditer(r"^  - ([A-Za-z0-9_.-]+)=([^=\s]+)\s*$", text, flags=re.M):
        pins[m.group(1).lower()] = m.group(2)
    return pins


def test_same_packages_and_versions():
    pip, conda = pip_pins(), conda_pins()
    conda.pop("python", None)
    assert pip == conda


def test_both_install_the_package_editable():
    assert "-e ." in (ROOT / "requirements.txt").read_text().splitlines()
    assert re.search(r"- pip:\n\s+- -e \.", (ROOT / "environment.yml").read_text())


def test_course_tools_are_listed():
    needed = {"numpy", "pandas", "matplotlib", "seaborn", "scikit-learn", "jupyterlab",
              "nbval", "papermill", "pytest", "nbstripout", "ruff", "ipykernel"}
    assert needed <= set(pip_pins())
