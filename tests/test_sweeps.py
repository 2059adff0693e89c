"""Notebooks 03 y 04: barridos de la tasa de aprendizaje y la regla de la mejor tasa."""

import numpy as np
import pandas as pd
import pytest

import batchlab as bl
from batchlab.experiments import sweeps


def _summary(lrs, worst, diverged, B=8, method="mini_batch", median=None):
    return pd.DataFrame(
        {
            "method": method,
            "lr": lrs,
            "B": B,
            "median": worst if median is None else median,
            "worst": worst,
            "diverged_runs": diverged,
            "runs": 2,
        }
    )


def test_sweep_is_the_same_in_parallel_and_picks_a_safe_learning_rate(small):
    X, y = small
    Xv, yv = X[:60], y[:60]
    grid = {1: [0.001, 5.0], 32: [0.01, 0.1, 50.0]}
    serial = sweeps.lr_sweep(bl.MLP(rng=0), X, y, Xv, yv, grid, epochs=2, seeds=[0, 1])
    parallel = sweeps.lr_sweep(bl.MLP(rng=0), X, y, Xv, yv, grid, epochs=2, seeds=[0, 1], n_jobs=2)
    pd.testing.assert_frame_equal(serial, parallel)
    assert len(serial) == 10
    assert list(serial.columns)[:7] == [  # las columnas de siempre (notebook 04), y después
        "method",
        "B",
        "lr",
        "seed",
        "val_loss",
        "train_loss",
        "diverged",
    ]
    # cada fila es un train() de verdad: la misma pérdida que entrenando a mano
    h = bl.train(
        bl.MLP(rng=0), X, y, batch_size=32, learning_rate=0.1, epochs=2, seed=1, X_val=Xv, y_val=yv
    )
    row = serial[(serial["B"] == 32) & (serial["lr"] == 0.1) & (serial["seed"] == 1)]
    assert row["val_loss"].item() == h.final_val_loss
    summary = sweeps.summarize_sweep(serial)
    assert (summary.loc[summary["lr"] == 50.0, "diverged_runs"] == 2).all()


def _history(val, diverged=False):
    return bl.training.History(
        batch_size=1,
        learning_rate=0.1,
        decay=0.0,
        seed=0,
        n_samples=10,
        epochs_requested=5,
        initial_train_loss=2.0,
        initial_val_loss=2.0,
        train_loss=np.array(val),
        val_loss=np.array(val),
        update_loss=np.array(val),
        samples_seen=np.arange(1, 6),
        epoch_time=np.ones(5),
        diverged=diverged,
    )


def test_init_seeds_vary_the_starting_weights(small):
    X, y = small
    grid = {8: [0.01]}
    a = sweeps.lr_sweep(
        bl.MLP(rng=0), X, y, X[:50], y[:50], grid, epochs=1, seeds=[0, 1], init_seeds=[3, 4]
    )
    h = bl.train(
        bl.MLP(rng=4),
        X,
        y,
        batch_size=8,
        learning_rate=0.01,
        epochs=1,
        seed=1,
        X_val=X[:50],
        y_val=y[:50],
    )
    assert a["val_loss"].iloc[1] == h.final_val_loss and list(a["init_seed"]) == [3, 4]
    with pytest.raises(ValueError, match="init_seeds"):
        sweeps.lr_sweep(bl.MLP(rng=0), X, y, X, y, grid, epochs=1, seeds=[0], init_seeds=[1, 2])


def test_choose_lr_best_median_among_rates_that_never_diverged():
    summary = pd.concat(
        [
            _summary([0.001, 0.01, 0.1], [0.5, 0.3, 0.2], [0, 0, 1], B=32, median=[0.5, 0.3, 0.1]),
            _summary(
                [0.01, 0.1], [np.inf, np.inf], [1, 2], B=1, method="sgd", median=[0.4, np.inf]
            ),
            _summary([0.1, 1.0], [0.3, 0.3], [0, 0], B=100, method="full_batch"),
        ],
        ignore_index=True,
    )
    chosen = sweeps.choose_lr(summary)
    assert list(chosen.index) == ["mini_batch", "sgd", "full_batch"]
    assert chosen.loc["mini_batch", "lr"] == 0.01  # 0.1 tiene mejor mediana pero divergió
    assert np.isnan(chosen.loc["sgd", "lr"]) and not chosen.loc["sgd", "reliable"]
    assert chosen.loc["full_batch", "lr"] == 1.0  # empate: la mayor


def test_summary_has_wilson_bounds_of_the_divergence_rate():
    table = pd.DataFrame(
        {
            "method": "sgd",
            "B": 1,
            "lr": 0.1,
            "seed": range(10),
            "val_loss": [np.inf] * 3 + [0.3] * 7,
            "diverged": [True] * 3 + [False] * 7,
        }
    )
    s = sweeps.summarize_sweep(table)
    assert s["diverged_runs"].item() == 3
    assert 0.1 < s["div_low"].item() < 0.3 < s["div_high"].item() < 0.7


def test_a_rate_whose_runs_end_worse_than_they_started_is_not_chosen(small):
    """Batch completo a lr 0.5: 766 tras el paso (no diverge), pero no mejora: no se elige."""
    X, y = small
    grid = {len(X): [0.01, 0.5]}
    table = sweeps.lr_sweep(bl.MLP(rng=0), X, y, X[:50], y[:50], grid, epochs=1, seeds=[0, 1])
    summary = sweeps.summarize_sweep(table)
    worse = summary.set_index("lr")["worse_runs"]
    assert worse[0.01] == 0 and worse[0.5] == 1  # B = N: una sola ejecución por tasa
    assert (summary["runs"] == 1).all()
    assert not table.loc[table["lr"] == 0.5, "diverged"].any()
    assert sweeps.choose_lr(summary).loc["full_batch", "lr"] == 0.01
    crafted = summary.assign(median=[0.9, 0.1])  # aunque su mediana fuese la mejor
    assert sweeps.choose_lr(crafted).loc["full_batch", "lr"] == 0.01
