"""targets: los pasos hasta un objetivo y la brecha de generalización, sobre train_many."""

import math

import numpy as np
import pandas as pd
import pytest
from _helpers import run_to_target

import batchlab as bl
from batchlab.experiments import targets
from batchlab.experiments.grid import Task
from batchlab.training import lockstep

BIG = lockstep.STACK_MAX_BATCH + 22  # 150: por encima del apilado (train() run a run)


def one_by_one(model, X, y, Xe, ye, candidates, seeds, target, max_epochs, max_updates, **kw):
    """La definición: run_to_target (un train() con eval_rel) para cada (B, lr, semilla)."""
    rows = []
    for B, lrs in candidates.items():
        for lr in lrs:
            for s in seeds:
                per_epoch = -(-len(X) // B)
                r = run_to_target(
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
    ours = targets.steps_runs(Task(model, X, y, Xe, ye), candidates, optimizer=optimizer, **kw)
    theirs = one_by_one(model, X, y, Xe, ye, candidates, optimizer=optimizer, **kw)
    assert list(ours.columns) == targets.STEPS_COLUMNS
    assert (ours["optimizer"] == optimizer).all()
    cols = ["B", "lr", "seed", "steps", "samples", "reached", "diverged"]
    pd.testing.assert_frame_equal(ours[cols], theirs[cols], check_dtype=False)
    assert ours["reached"].sum() >= 4 and ours["diverged"].sum() >= 2
    assert ours.loc[ours["diverged"], "steps"].isna().all()  # divergir no es llegar
    # mismo resultado con los B repartidos entre procesos
    parallel = targets.steps_runs(
        Task(model, X, y, Xe, ye), candidates, n_jobs=2, optimizer=optimizer, **kw
    )
    pd.testing.assert_frame_equal(ours, parallel)


def test_samples_count_the_short_last_batch(small, model):
    """300 filas con B = 7: 42 batches de 7 y uno de 6 por época."""
    X, y = small
    runs = targets.steps_runs(
        Task(model, X, y, X[:100], y[:100]), {7: [0.003]}, seeds=[0], target=0.4, max_epochs=6
    )
    t = int(runs.loc[0, "steps"])
    assert runs.loc[0, "reached"] and t > 43  # llega después de la primera época
    sizes = np.tile([7] * 42 + [6], 6)
    assert runs.loc[0, "samples"] == sizes[:t].sum() < 7 * t


def test_no_candidates_give_an_empty_table(small, model):
    X, y = small
    runs = targets.steps_runs(Task(model, X, y, X, y), {}, seeds=[0], target=0.5, max_epochs=1)
    assert runs.empty and list(runs.columns) == targets.STEPS_COLUMNS
    gaps = targets.gap_at_train_loss(
        Task(model, X, y, X, y), {}, seeds=[0], target=0.5, max_epochs=1
    )
    assert gaps.empty and list(gaps.columns) == targets.GAP_COLUMNS


def test_gap_is_measured_where_train_reaches_the_training_target(small, housing_split, model):
    X, y = small
    Xt, yt = housing_split.X_test[:200], housing_split.y_test[:200]
    tuned = {7: 0.03, BIG: 0.1, 32: 50.0}  # la última diverge
    gaps = targets.gap_at_train_loss(
        Task(model, X, y, Xt, yt), tuned, seeds=[0, 1], target=0.6, max_epochs=20, max_updates=400
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
        Task(model, X, y, Xt, yt),
        tuned,
        seeds=[0, 1],
        target=0.6,
        max_epochs=20,
        max_updates=400,
        n_jobs=2,
    )
    pd.testing.assert_frame_equal(gaps, parallel)


def test_gap_replicates_train_every_split_and_init_of_the_design():
    """Cada división del diseño, con sus inicializaciones y barajados; cada fila, la brecha de
    gap_at_train_loss en esa división con esos pesos iniciales."""
    from batchlab.experiments import replicates

    design = replicates.Design(base=5, n_splits=2, n_inits=2, n_shuffles=1)
    df = bl.load_housing().iloc[:1500]
    splits = replicates.prepare_splits(df, design)
    tuned = {8: 0.03, 10_000: 0.1}  # el segundo es el batch completo
    gaps = targets.gap_replicates(splits, design, tuned, target=0.6, max_epochs=20,
                                  max_updates=400)  # fmt: skip
    assert list(gaps.columns) == ["split", "init", *targets.GAP_COLUMNS]
    assert len(gaps) == 2 * 2 * 2 and set(gaps["split"]) == set(design.splits)
    for s in design.splits:
        assert set(gaps.loc[gaps.split == s, "init"]) == set(design.inits(s))
    row = gaps[(gaps.B == 8)].iloc[0]
    data = splits[int(row.split)]
    one = targets.gap_at_train_loss(
        Task(bl.MLP(rng=int(row.init)), data.X_fit, data.y_fit, data.X_test, data.y_test),
        {8: 0.03}, seeds=[int(row.seed)], target=0.6, max_epochs=20, max_updates=400,
    )  # fmt: skip
    assert one["gap"].iloc[0] == pytest.approx(row.gap, rel=1e-12, nan_ok=True)
    assert gaps["B"].max() == data.n  # el batch completo, recortado a N de esa división


def test_steps_and_models_hold_the_weights_of_run_to_target(small, model):
    X, y = small
    Xe, ye = X[:100], y[:100]
    before = model.theta.copy()
    rates = {7: 0.05, BIG: 0.2, 32: 50.0}
    args = (Task(model, X, y, Xe, ye), {B: [lr] for B, lr in rates.items()})
    kw = dict(seeds=[0, 2], target=0.6, max_epochs=8, max_updates=300)
    table, models = targets.steps_and_models(*args, **kw, n_jobs=2)
    np.testing.assert_array_equal(model.theta, before)
    assert [(B, s) for B, _, s in models] == [(7, 0), (7, 2), (BIG, 0), (BIG, 2), (32, 0), (32, 2)]
    pd.testing.assert_frame_equal(table, targets.steps_runs(*args, **kw))
    for row, ((B, lr, s), m) in zip(table.itertuples(), models.items(), strict=True):
        alone = model.copy()
        r = run_to_target(
            alone,
            X,
            y,
            Xe,
            ye,
            batch_size=B,
            learning_rate=lr,
            seed=s,
            target=0.6,
            max_updates=min(8 * -(-len(X) // B), 300),
        )
        assert r["reached"] == row.reached and r["diverged"] == row.diverged
        if not row.diverged:
            np.testing.assert_allclose(m.theta, alone.theta, rtol=1e-12, atol=0)
    assert table["reached"].any()  # el test cubre las dos cosas
    assert table.loc[table.B == 32, "diverged"].all()


def test_full_batch_runs_once_per_rate_because_the_seed_only_reorders_the_sum(small, model):
    X, y = small
    n = len(X)
    runs = targets.steps_runs(
        Task(model, X, y, X[:100], y[:100]),
        {n: [0.05, 0.1], 7: [0.05]},
        seeds=[3, 4],
        target=0.6,
        max_epochs=200,
    )
    assert sorted(runs.loc[runs.B == n, "seed"]) == [3, 3] and (runs.B == 7).sum() == 2
    full = runs[runs.B == n].set_index("lr")
    for lr in (0.05, 0.1):  # la semilla de más habría dado lo mismo (salvo redondeo)
        other = run_to_target(
            model.copy(),
            X,
            y,
            X[:100],
            y[:100],
            batch_size=n,
            learning_rate=lr,
            seed=4,
            target=0.6,
            max_updates=200,
        )
        assert other["steps"] == full.loc[lr, "steps"]
