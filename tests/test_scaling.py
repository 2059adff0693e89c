"""La escala del batch (notebook 04): reglas de la rejilla, ajustes, pasos y diagnósticos."""

import math

import numpy as np
import pandas as pd
import pytest
from _helpers import run_to_target

import batchlab as bl
from batchlab import hessian, optimizers, stats
from batchlab.experiments import noise, scaling, schedules, sweeps, targets


def _cell(rows):
    """Ejecuciones de un B: (lr, seed, val_loss, diverged)."""
    return pd.DataFrame(rows, columns=["lr", "seed", "val_loss", "diverged"])


def test_optimal_and_stable_reads_optimum_frontier_and_flags():
    runs = _cell(
        [(0.01, s, 0.5, False) for s in range(3)]
        + [(0.1, s, 0.3, False) for s in range(3)]
        + [(1.0, 0, 0.2, False), (1.0, 1, math.inf, True), (1.0, 2, 0.2, False)]
    )
    r = scaling.optimal_and_stable(runs)
    # 1.0 tiene la mejor mediana pero diverge una vez: no puede ser el óptimo
    assert r["opt"] == 0.1 and r["stable"] == 0.1
    assert r["flags"] == "en la frontera"


def test_optimal_and_stable_flags_the_bottom_edge_and_all_diverged():
    edge = _cell(
        [(0.01, s, 0.2, False) for s in range(3)] + [(0.1, s, 0.4, False) for s in range(3)]
    )
    assert scaling.optimal_and_stable(edge)["flags"] == "borde inferior"
    dead = _cell([(1.0, s, math.inf, True) for s in range(3)])
    r = scaling.optimal_and_stable(dead)
    assert math.isnan(r["opt"]) and r["flags"] == "todas divergen"


def test_fit_optimal_rate_recovers_the_parameters():
    B = np.array([2, 8, 32, 128, 512, 2048])
    eps = 0.2 / (1 + 40 / B)
    e, b = scaling.fit_optimal_rate(B, eps)
    assert e == pytest.approx(0.2, rel=1e-4) and b == pytest.approx(40, rel=1e-3)
    assert all(math.isnan(v) for v in scaling.fit_optimal_rate([8, 32], [0.1, 0.2]))


def test_fit_steps_recovers_the_parameters():
    B = np.array([8, 32, 128, 512, 2048])
    s, b = targets.fit_steps(B, 100 * (1 + 60 / B))
    assert s == pytest.approx(100) and b == pytest.approx(60)
    assert math.isnan(targets.fit_steps([8, 32], [10, 5])[1])


def test_bootstrap_steps_interval_contains_the_fit():
    rng = np.random.default_rng(0)
    rows = [
        {
            "B": B,
            "lr": 0.1,
            "seed": s,
            "steps": 100 * (1 + 60 / B) * rng.uniform(0.9, 1.1),
            "reached": True,
        }
        for B in (8, 32, 128, 512)
        for s in range(5)
    ]
    reps = targets.bootstrap_steps(pd.DataFrame(rows), n_boot=200)
    lo, hi = stats.fit_interval(reps[:, 1])
    assert lo < 60 < hi and hi / lo < 3


def test_classify_curve_calls_a_spike_a_spike():
    # la curva de validación de B=32, lr=0.01 con seed 7 / model_seed 1 (issue 12)
    curve = [1.11, 12.45, 3.44, 0.86, 2617.9, 0.97]
    assert schedules.classify_curve(curve, False, best_loss=0.3) == "spikes"
    assert schedules.classify_curve([1.0, 0.8, 0.6, 0.5], False, 0.2) == "crawls"
    assert schedules.classify_curve([1.0, 0.5, 0.3, 0.25], False, 0.24) == "converges"
    assert schedules.classify_curve([1.0, math.inf], True, 0.2) == "diverges"


def test_run_to_target_counts_the_same_steps_as_train(small, model):
    X, y = small
    X_val, y_val = X[:100], y[:100]
    h = bl.train(
        model.copy(),
        X,
        y,
        batch_size=16,
        learning_rate=0.05,
        seed=3,
        X_val=X_val,
        y_val=y_val,
        eval_every=1,
        target_loss=0.6,
        max_updates=400,
    )
    r = run_to_target(
        model.copy(),
        X,
        y,
        X_val,
        y_val,
        batch_size=16,
        learning_rate=0.05,
        seed=3,
        target=0.6,
        max_updates=400,
        rel=1e-9,
    )
    assert h.stop_reason == "target" and r["reached"]
    assert r["steps"] == h.n_updates
    assert r["samples"] == h.samples_seen[-1]
    # con puntos de control geométricos la cuenta se pasa como mucho un 1,5 %
    g = run_to_target(
        model.copy(),
        X,
        y,
        X_val,
        y_val,
        batch_size=16,
        learning_rate=0.05,
        seed=3,
        target=0.6,
        max_updates=400,
    )
    assert h.n_updates <= g["steps"] <= h.n_updates * 1.015 + 1


def test_grid_runs_matches_lr_sweep(small, model):
    X, y = small
    grid = {8: [0.01, 0.1], 300: [0.1]}
    ours = scaling.grid_runs(model, X, y, X[:50], y[:50], grid, epochs=2, seeds=[0, 1])
    ref = sweeps.lr_sweep(model, X, y, X[:50], y[:50], grid, epochs=2, seeds=[0, 1])
    # B = N (300 filas) corre solo la primera semilla: la otra daría el mismo run
    assert list(ours.loc[ours.B == 300, "seed"]) == [0]
    other = bl.train(
        model.copy(), X, y, batch_size=300, learning_rate=0.1, epochs=2, seed=1,
        X_val=X[:50], y_val=y[:50],
    ).final_val_loss  # fmt: skip
    assert other == pytest.approx(ours.loc[ours.B == 300, "val_loss"].iloc[0], rel=1e-12)
    cols = ["method", "B", "lr", "seed", "diverged"]
    pd.testing.assert_frame_equal(ours[cols], ref[cols], check_dtype=False)
    np.testing.assert_allclose(ours["val_loss"], ref["val_loss"], rtol=1e-10)


def test_nesterov_with_zero_momentum_is_sgd_and_momentum_accumulates(small, model):
    X, y = small
    a, b = model.copy(), model.copy()
    opt = optimizers.Nesterov(a, momentum=0.0)
    for _ in range(3):
        opt.step(X[:32], y[:32], 0.05)
        b.train_step(X[:32], y[:32], 0.05)
    np.testing.assert_allclose(a.theta, b.theta, rtol=1e-12)
    c = model.copy()
    nes = optimizers.Nesterov(c, momentum=0.9)
    g = noise.gradient(c, X[:32], y[:32])
    nes.step(X[:32], y[:32], 0.1)
    # primer paso: v = g, θ ← θ − lr·(g + 0.9·g)
    np.testing.assert_allclose(c.theta, model.theta - 0.1 * 1.9 * g, rtol=1e-10)


def test_minibatch_variance_includes_every_row():
    """Una fila enorme y N mod B ≠ 0: sin completar el último batch la fila se perdería."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(103, 8))
    X[57] *= 60.0
    y = rng.normal(size=(103, 1))
    m = bl.MLP((8, 4, 1), rng=0)
    t = noise.minibatch_variance(m, X, y, [10, 25], permutations=4, seed=1)
    np.testing.assert_allclose(t["measured_variance"], t["predicted_variance"], rtol=0.3)
    assert (t["batches"] == [44, 20]).all()


def test_random_subsets_and_slope_replicates(small):
    X, y = small[0][:120], small[1][:120]
    model = bl.MLP((8, 6, 1), rng=1)
    subsets = noise.random_subset_variance(model, X, y, [2, 8], draws=40, seed=0)
    assert len(subsets) == 80 and (subsets["sq_error"] >= 0).all()
    table = pd.DataFrame(
        {"B": [2, 4, 8, 16], "per_permutation": [[1 / b] * 3 for b in (2, 4, 8, 16)]}
    )
    n = 10**9  # (N − B)/(N − 1) ≈ 1
    point, reps = noise.slope_replicates(table, n, max_batch=16, n_boot=20)
    assert point == pytest.approx(-1.0, abs=1e-6) and np.allclose(reps, -1.0)


def test_top_eigenvalue_finds_lambda_max_when_a_negative_one_dominates(monkeypatch):
    H = np.diag([-5.0, 2.0, 1.0])
    model = bl.MLP((2, 1), rng=0)  # 3 parámetros
    monkeypatch.setattr(hessian, "hessian_vector_product", lambda m, X, y, v: H @ v)
    lam, v = hessian.top_eigenvalue(model, None, None, tolerance=1e-10)
    assert lam == pytest.approx(2.0, rel=1e-6)
    assert abs(v[1]) == pytest.approx(1.0, rel=1e-4)


def test_blog_decay_factor_and_phase_run_count_samples(small, model):
    assert schedules.decay_factor(13209, 32, 10, 1e-3) == pytest.approx(0.195, abs=1e-3)
    assert schedules.decay_factor(13209, 2048, 10, 1e-3) == pytest.approx(0.935, abs=1e-3)
    X, y = small[0][:120], small[1][:120]
    r = schedules.phase_run(
        model.copy(), X, y, X[:30], y[:30], [(1, 50, 0.01), (1, 120, 0.01)], seed=0
    )
    assert r["updates"] == 4 and r["samples"] == 240 and len(r["curve"]) == 3


def test_check_parameters_min_length():
    ns = {"__annotations__": {"batch_sizes": list[int]}, "batch_sizes": [8, 8]}
    with pytest.raises(ValueError, match="al menos 3 valores distintos"):
        bl.check_parameters(ns, min_length={"batch_sizes": 3})
    bl.check_parameters({**ns, "batch_sizes": [8, 32, 0]}, min_length={"batch_sizes": 3})


def test_bootstrap_rates_agree_with_the_rule_when_seeds_are_identical():
    rows = []
    for B, best in ((8, 0.01), (64, 0.1)):
        for s in range(4):
            for lr in (0.001, 0.01, 0.1, 1.0):
                div = lr == 1.0
                rows.append(
                    {
                        "B": B,
                        "lr": lr,
                        "seed": s,
                        "diverged": div,
                        "val_loss": math.inf if div else abs(math.log10(lr / best)) + 0.2,
                    }
                )
    runs = pd.DataFrame(rows)
    reps = scaling.bootstrap_rates(runs, n_boot=5)
    table = scaling.optimal_rates(runs)
    assert (reps["opt"] == table["opt"].to_numpy()).all()
    assert (reps["stable"] == table["stable"].to_numpy()).all()
    assert reps["opt"][0].tolist() == [0.01, 0.1]
