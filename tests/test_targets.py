"""targets: los pasos hasta un objetivo y la brecha de generalización, sobre train_many."""

import math

import numpy as np
import pandas as pd
import pytest

import batchlab as bl
from batchlab import lockstep, targets

BIG = lockstep.STACK_MAX_BATCH + 22  # 150: por encima del apilado (train() run a run)


def one_by_one(model, X, y, Xe, ye, candidates, seeds, target, max_epochs, max_updates, **kw):
    """La definición: run_to_target (un train() con eval_rel) para cada (B, lr, semilla)."""
    rows = []
    for B, lrs in candidates.items():
        for lr in lrs:
            for s in seeds:
                per_epoch = -(-len(X) // B)
                r = targets.run_to_target(
                    model.copy(),
                    X,
                    y,
                    Xe,
                    ye,
                    batch_size=B,
                    learning_rate=lr,
                    seed=s,
                    target=target,
                    max_updates=min(max_epochs * per_epoch, max_updates),
                    **kw,
                )
                rows.append({"B": B, "lr": lr, "seed": s, **r})
    return pd.DataFrame(rows)


@pytest.mark.parametrize("optimizer", ["sgd", "nesterov"])
def test_steps_runs_is_run_to_target_for_every_run(small, model, optimizer):
    X, y = small
    Xe, ye = X[:100], y[:100]
    lr = {"sgd": 0.05, "nesterov": 0.005}[optimizer]
    # una tasa que diverge en cada B, para mezclar divergencia con runs que llegan
    candidates = {7: [lr, 2 * lr, 50.0], BIG: [lr, 4 * lr, 50.0]}
    kw = dict(seeds=[0, 1], target=0.6, max_epochs=8, max_updates=300)
    ours = targets.steps_runs(model, X, y, Xe, ye, candidates, optimizer=optimizer, **kw)
    theirs = one_by_one(model, X, y, Xe, ye, candidates, optimizer=optimizer, **kw)
    assert list(ours.columns) == targets.STEPS_COLUMNS
    assert (ours["optimizer"] == optimizer).all()
    cols = ["B", "lr", "seed", "steps", "samples", "reached", "diverged"]
    pd.testing.assert_frame_equal(ours[cols], theirs[cols], check_dtype=False)
    assert ours["reached"].sum() >= 4 and ours["diverged"].sum() >= 2
    assert ours.loc[ours["diverged"], "steps"].isna().all()  # divergir no es llegar
    # mismo resultado con los B repartidos entre procesos
    parallel = targets.steps_runs(
        model, X, y, Xe, ye, candidates, n_jobs=2, optimizer=optimizer, **kw
    )
    pd.testing.assert_frame_equal(ours, parallel)


def test_samples_count_the_short_last_batch(small, model):
    """300 filas con B = 7: 42 batches de 7 y uno de 6 por época."""
    X, y = small
    runs = targets.steps_runs(
        model, X, y, X[:100], y[:100], {7: [0.003]}, seeds=[0], target=0.4, max_epochs=6
    )
    t = int(runs.loc[0, "steps"])
    assert runs.loc[0, "reached"] and t > 43  # llega después de la primera época
    sizes = np.tile([7] * 42 + [6], 6)
    assert runs.loc[0, "samples"] == sizes[:t].sum() < 7 * t


def test_no_candidates_give_an_empty_table(small, model):
    X, y = small
    runs = targets.steps_runs(model, X, y, X, y, {}, seeds=[0], target=0.5, max_epochs=1)
    assert runs.empty and list(runs.columns) == targets.STEPS_COLUMNS
    gaps = targets.gap_at_train_loss(model, X, y, X, y, {}, seeds=[0], target=0.5, max_epochs=1)
    assert gaps.empty and list(gaps.columns) == targets.GAP_COLUMNS


def test_gap_is_measured_where_train_reaches_the_training_target(small, housing_split, model):
    X, y = small
    Xt, yt = housing_split.X_test[:200], housing_split.y_test[:200]
    tuned = {7: 0.03, BIG: 0.1, 32: 50.0}  # la última diverge
    gaps = targets.gap_at_train_loss(
        model, X, y, Xt, yt, tuned, seeds=[0, 1], target=0.6, max_epochs=20, max_updates=400
    )
    assert list(gaps.columns) == targets.GAP_COLUMNS
    for row in gaps.itertuples():
        m = model.copy()
        h = bl.train(
            m,
            X,
            y,
            batch_size=row.B,
            learning_rate=row.lr,
            seed=row.seed,
            epochs=20,
            max_updates=400,
            eval_rel=0.05,
            target_loss=0.6,
        )
        if h.stop_reason == "target":
            assert row.steps == h.n_updates
            assert row.train == pytest.approx(m.loss(X, y), rel=1e-12) and row.train <= 0.6
            assert row.test == pytest.approx(m.loss(Xt, yt), rel=1e-12)
            assert row.gap == pytest.approx(row.test - row.train)
        else:
            assert math.isnan(row.steps) and math.isnan(row.gap)
    assert gaps["gap"].notna().sum() == 4 and gaps.loc[gaps["B"] == 32, "gap"].isna().all()
    parallel = targets.gap_at_train_loss(
        model,
        X,
        y,
        Xt,
        yt,
        tuned,
        seeds=[0, 1],
        target=0.6,
        max_epochs=20,
        max_updates=400,
        n_jobs=2,
    )
    pd.testing.assert_frame_equal(gaps, parallel)
