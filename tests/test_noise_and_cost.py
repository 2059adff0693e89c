"""Ruido del gradiente y coste de un batch: contra cuentas independientes."""

import numpy as np
import pytest

import batchlab as bl
from batchlab.experiments import cost, noise


@pytest.fixture(scope="module")
def tiny():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((120, 3))
    y = (X @ [0.5, -1.0, 0.2] + 0.3 * rng.standard_normal(120)).reshape(-1, 1)
    return X, y, bl.MLP((3, 6, 1), rng=1)


def test_noise_stats_match_explicit_per_example_gradients(tiny):
    X, y, model = tiny
    grads = np.array([noise.gradient(model, X[i : i + 1], y[i : i + 1]) for i in range(len(X))])
    G = noise.gradient(model, X, y)
    np.testing.assert_allclose(grads.mean(axis=0), G, rtol=1e-10, atol=1e-12)
    trace = np.trace(np.cov(grads.T, bias=True))
    stats = noise.gradient_noise_stats(model, X, y)
    assert stats["trace_sigma"] == pytest.approx(trace, rel=1e-9)
    assert stats["grad_sq_norm"] == pytest.approx(G @ G)
    assert stats["b_simple"] == pytest.approx(trace / (G @ G))


def test_minibatch_variance_follows_one_over_b(tiny):
    X, y, model = tiny
    table = noise.minibatch_variance(model, X, y, [1, 2, 4, 8], permutations=30, seed=0)
    np.testing.assert_allclose(table["measured_variance"], table["predicted_variance"], rtol=0.25)
    slope = np.polyfit(np.log(table["B"]), np.log(table["measured_variance"]), 1)[0]
    assert -1.2 < slope < -0.8
    # B = 1 recorre todas las filas en cada barajado: es exactamente tr(Σ)
    assert table["measured_variance"].iloc[0] == pytest.approx(table["predicted_variance"].iloc[0])


def test_noise_during_training_trains_in_place(tiny):
    X, y, model = tiny
    m = model.copy()
    table = noise.noise_during_training(
        m, X, y, batch_size=8, learning_rate=0.05, epochs=[0, 2, 5], seed=0
    )
    assert list(table["epoch"]) == [0, 2, 5]
    assert table["loss"].iloc[-1] < table["loss"].iloc[0]
    assert table["loss"].iloc[-1] == pytest.approx(m.loss(X, y))


def test_memory_grows_linearly_and_matches_the_arrays(tiny):
    X, y, model = tiny
    table = cost.memory_per_batch(model, X, y, [10, 40, 120])
    measured = table["measured_peak_bytes"]
    computed = table["forward_backward_bytes"]
    # por muestra (la pendiente, sin el coste fijo de las cabeceras de los arrays)
    slope_measured = np.diff(measured) / np.diff(table["B"])
    slope_computed = np.diff(computed) / np.diff(table["B"])
    np.testing.assert_allclose(slope_measured, slope_computed, rtol=0.1)
    assert (measured >= computed).all()
    assert table["forward_bytes"].iloc[0] == 8 * 10 * (6 + 1)


def test_timing_tables_are_consistent(tiny):
    X, y, model = tiny
    t = cost.time_per_update(model, X, y, [4, 120], seconds=0.02, repeats=1)
    assert (t["us_per_update"] > 0).all()
    np.testing.assert_allclose(t["s_per_epoch"], t["us_per_update"] * 1e-6 * [30, 1])
    np.testing.assert_allclose(t["samples_per_s"], 120 / t["s_per_epoch"])
    th = cost.blas_threads_effect(model, X, y, [120], threads=(1, 2), seconds=0.02, repeats=1)
    assert th["threads_used_1"].iloc[0] == 1
    assert "speedup_2_vs_1" in th
    assert cost.blas_threads_effect(model, X, y, [], seconds=0.01).empty
