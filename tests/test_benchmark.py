"""El benchmark: la referencia es el mismo algoritmo y el script no se pudre.

No se afirman tiempos aquí (dependen de la máquina); la tabla con las cifras la
regenera `make bench`.
"""

import sys
from pathlib import Path

import numpy as np
import pytest

import batchlab as bl
from batchlab.reference import ReferenceMLP, reference_train

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"
sys.path.insert(0, str(BENCH))

import bench_training  # noqa: E402


@pytest.mark.parametrize("batch_size", [1, 7, 200])
def test_reference_gives_the_same_losses_and_weights(small, batch_size):
    X, y = small[0][:200], small[1][:200]
    model = bl.MLP(rng=np.random.default_rng(11))
    ref = ReferenceMLP(model.weights, model.biases, lr=0.01)
    h = bl.train(model, X, y, batch_size=batch_size, learning_rate=0.01, epochs=2, seed=3)
    losses, seconds = reference_train(ref, X, y, batch_size, epochs=2, seed=3)
    assert len(losses) == h.n_updates and seconds > 0
    np.testing.assert_allclose(h.update_loss, losses, rtol=1e-9)
    for W, R in zip(model.weights, (ref.W1, ref.W2, ref.W3), strict=True):
        np.testing.assert_allclose(W, R, rtol=1e-9, atol=1e-12)
    for b, R in zip(model.biases, (ref.b1, ref.b2, ref.b3), strict=True):
        np.testing.assert_allclose(b, R.ravel(), rtol=1e-9, atol=1e-12)


def test_the_comparison_would_notice_a_different_algorithm(small):
    """La equivalencia no es trivial: otra tasa de aprendizaje ya da otras pérdidas."""
    X, y = small[0][:200], small[1][:200]
    model = bl.MLP(rng=np.random.default_rng(11))
    ref = ReferenceMLP(model.weights, model.biases, lr=0.0101)
    h = bl.train(model, X, y, batch_size=7, learning_rate=0.01, epochs=1, seed=3)
    losses, _ = reference_train(ref, X, y, 7, epochs=1, seed=3)
    assert not np.allclose(h.update_loss, losses, rtol=1e-9)


def test_tiny_benchmark_runs_and_writes_its_outputs(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text(f"antes\n{bench_training.README_START}\nviejo\n"
                      f"{bench_training.README_END}\ndespués\n", encoding="utf-8")
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
