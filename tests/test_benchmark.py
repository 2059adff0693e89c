"""El benchmark: el script no se pudre (que la referencia es el mismo algoritmo que
train() lo comprueba tests/test_reference.py).

No se afirman tiempos aquí (dependen de la máquina); la tabla con las cifras la
regenera `make bench`.
"""

import sys
from pathlib import Path

import numpy as np

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"
sys.path.insert(0, str(BENCH))

import bench_training  # noqa: E402


def test_tiny_benchmark_runs_and_writes_its_outputs(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text(
        f"antes\n{bench_training.README_START}\nviejo\n{bench_training.README_END}\ndespués\n",
        encoding="utf-8",
    )
    summary = bench_training.main(["--tiny", "--out", str(tmp_path), "--readme", str(readme)])
    impls = set(summary["impl"])
    assert {"batchlab", "referencia", "sklearn"} <= impls
    assert sorted(set(summary["B"])) == [1, 32, 300]
    assert (summary["µs/actualización"] > 0).all()
    ref = summary[summary["impl"] == "referencia"]
    assert np.allclose(ref["× más rápido que la referencia"], 1.0)
    for name in ("results.md", "results.png", "raw.csv"):
        assert (tmp_path / name).stat().st_size > 0
    text = readme.read_text(encoding="utf-8")
    assert "viejo" not in text and "| B |" in text
    assert text.startswith("antes\n") and text.endswith("después\n")


def test_the_jax_benchmark_says_what_is_missing_or_runs(capsys):
    """Sin JAX (el entorno de los estudiantes) avisa y termina bien; con JAX mide de verdad."""
    import importlib.util

    import bench_peers

    assert bench_peers.main(["--tiny"]) == 0
    out = capsys.readouterr().out
    if importlib.util.find_spec("jax") is None:
        assert "JAX no está instalado" in out and "requirements-bench.txt" in out
    else:
        assert "| 1 | 2 |" in out


def test_jax_is_not_in_the_student_environment():
    student = (BENCH.parent / "requirements.txt").read_text(encoding="utf-8").lower()
    assert "jax" not in student
    assert "jax==" in (BENCH.parent / "requirements-bench.txt").read_text(encoding="utf-8")
