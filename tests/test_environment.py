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
    needed = {
        "numpy",
        "pandas",
        "matplotlib",
        "seaborn",
        "scikit-learn",
        "jupyterlab",
        "nbval",
        "papermill",
        "pytest",
        "nbstripout",
        "ruff",
        "ipykernel",
    }
    assert needed <= set(pip_pins())


def profesor_pins() -> dict[str, str]:
    """Lo que requirements-profesor.txt añade al entorno de los estudiantes."""
    lines = (ROOT / "requirements-profesor.txt").read_text().splitlines()
    assert "-r requirements.txt" in lines, "el entorno del profesorado extiende el de estudiantes"
    pins = {}
    for line in lines:
        line = line.split("#")[0].strip()
        if not line or line.startswith("-r"):
            continue
        name, _, version = line.partition("==")
        assert version, f"requirements-profesor.txt: fija la versión de {name!r} con =="
        pins[name.lower()] = version
    return pins


def test_instructor_extra_is_pinned_and_matches_pyproject():
    import tomllib

    extra = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]["profesor"]
    names = {re.split(r"[<>=!~ \[]", req)[0].lower() for req in extra}
    pins = profesor_pins()
    assert names == set(pins) == {"nbgrader"}
    for req in extra:  # la versión fijada cumple el rango de pyproject
        low = re.search(r">=([\d.]+)", req).group(1)
        high = re.search(r"<([\d.]+)", req).group(1)
        version = tuple(int(x) for x in pins["nbgrader"].split("."))
        assert (
            tuple(int(x) for x in low.split("."))
            <= version
            < tuple(int(x) for x in high.split("."))
        )


def test_student_environment_stays_lean():
    extras = set(profesor_pins())
    assert not extras & set(pip_pins()), "nbgrader no va en requirements.txt"
    assert not extras & set(conda_pins()), "nbgrader no va en environment.yml"
    assert "requirements-profesor.txt" in (ROOT / "environment.yml").read_text()


def test_make_lab_passes_extra_arguments_and_allows_root():
    import os
    import shutil
    import subprocess

    if shutil.which("make") is None:
        return
    out = subprocess.run(
        ["make", "-n", "lab", "LAB_ARGS=--port 9999 --no-browser"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    line = next(x for x in out.splitlines() if "jupyter lab notebooks/" in x)
    assert line.endswith("--port 9999 --no-browser")
    assert ("--allow-root" in line) == (os.getuid() == 0)
