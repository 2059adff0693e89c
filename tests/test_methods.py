"""Notebook 03: los tres métodos, sus claves y la media móvil de la pérdida por actualización."""

import numpy as np
import pytest

import batchlab as bl
from batchlab import labels
from batchlab.experiments import cost, multirun, noise, original
from batchlab.plots import methods as method_plots


def test_method_ids_do_not_depend_on_n():
    assert labels.method_id(300, 300) == labels.method_id(16512, 16512) == "full_batch"
    assert labels.method_id(1, 300) == "sgd" and labels.method_id(32, 300) == "mini_batch"
    assert labels.method_labels([300, 1, 32], 300) == {
        "full_batch": "batch completo (B=300)",
        "sgd": "SGD (B=1)",
        "mini_batch": "mini-batch (B=32)",
    }


def test_train_respects_the_time_budget(housing_split):
    s = housing_split
    h = bl.train(
        bl.MLP(rng=0), s.X_train, s.y_train, batch_size=64, learning_rate=0.01,
        time_budget=0.1, seed=0, X_val=s.X_test, y_val=s.y_test, eval_every=20,
    )  # fmt: skip
    assert h.stop_reason == "time_budget"
    assert h.checkpoint_time[-1] <= h.total_time and h.total_time >= 0.1
    assert len(h.checkpoint_loss) > 2


def test_moving_average_is_centred_on_its_indices():
    values = np.array([0.0, 0.0, 3.0, 0.0, 0.0, 6.0, 0.0])
    idx, trend = method_plots.moving_average(values, 3)
    np.testing.assert_array_equal(idx, [1, 2, 3, 4, 5])
    np.testing.assert_allclose(trend, [1.0, 1.0, 1.0, 2.0, 2.0])
    h = bl.training.History(
        batch_size=10,
        learning_rate=0.1,
        decay=0.0,
        seed=0,
        n_samples=1000,
        epochs_requested=1,
        initial_train_loss=1.0,
        initial_val_loss=None,
        train_loss=np.array([1.0]),
        val_loss=None,
        update_loss=np.ones(100),
        samples_seen=np.arange(10, 1001, 10),
        epoch_time=np.ones(1),
        n_updates=100,
    )
    assert method_plots.window_in_updates(h, 0.05) == 5
    assert method_plots.window_in_updates(h, 0.001) == 1


# -- muchas ejecuciones (issue 11) -------------------------------------------------------
@pytest.mark.usefixtures("numpy_loop")
def test_many_runs_are_train_runs_with_their_own_seeds(small):
    X, y = small
    inits, shuffles = multirun.run_seeds(3, 5)
    assert inits == [5, 6, 7] and shuffles == [1005, 1006, 1007]
    runs, models = multirun.many_runs(
        X,
        y,
        {"sgd": 1, "full_batch": len(X)},
        {"sgd": 0.01, "full_batch": 0.1},
        init_seeds=inits,
        shuffle_seeds=shuffles,
        epochs=2,
        n_jobs=2,
        overrides={"full_batch": {"epochs": 3}},
    )
    h = bl.train(bl.MLP(rng=6), X, y, batch_size=1, learning_rate=0.01, epochs=2, seed=1006)
    np.testing.assert_array_equal(runs["sgd"][1].update_loss, h.update_loss)
    assert [g.epochs_completed for g in runs["full_batch"]] == [3, 3, 3]
    losses = multirun.final_losses(runs["sgd"], models["sgd"], X, y)
    assert losses[1] == pytest.approx(models["sgd"][1].loss(X, y)) and np.isfinite(losses).all()
    table = multirun.runs_table(
        runs, {k: multirun.final_losses(runs[k], models[k], X, y) for k in runs}
    )
    assert table.loc["sgd", "diverged"] == "0 de 3" and table.loc["full_batch", "B"] == len(X)


def test_checkpoint_matrix_marks_divergence_from_the_breaking_point(small):
    X, y = small
    hs = bl.training.train_many(
        [bl.MLP(rng=0), bl.MLP(rng=0)],
        X,
        y,
        batch_size=8,
        learning_rates=[0.01, 50.0],
        seeds=0,
        epochs=2,
        eval_every=5,
        max_updates=40,
    )
    c = multirun.checkpoint_matrix(hs, 40, 5)
    assert c.shape == (2, 9) and np.isfinite(c[0]).all()
    assert hs[1].diverged and np.isinf(c[1, -1]) and np.isfinite(c[1, 0])
    # nunca el último valor finito antes de divergir como si fuera el resultado
    assert np.isinf(c[1, len(hs[1].checkpoint_loss) - 1 :]).all()
    hit = multirun.updates_to_target(np.array([[3.0, 1.0, 0.5], [3.0, 2.0, 2.0]]), 10, 1.0)
    assert list(hit) == [10.0, np.inf]


def test_gradient_cosines_are_one_for_the_full_batch(small):
    X, y = small
    m = bl.MLP(rng=0)
    full = noise.gradient_cosines(m, X, y, len(X), n_batches=3)
    np.testing.assert_allclose(full, 1.0, rtol=1e-12)
    one = noise.gradient_cosines(m, X, y, 1, n_batches=200, seed=1)
    assert (one < 0).any() and one.min() >= -1 and one.max() <= 1
    assert np.median(noise.gradient_cosines(m, X, y, 64, n_batches=200)) > np.median(one)


def test_cost_model_and_ideal_hardware(small):
    X, y = small
    timing = cost.time_per_update(bl.MLP(rng=0), X, y, [1, 300], repeats=2, updates=20)
    assert list(timing["B"]) == [1, 300] and (timing["us_per_update"] > 0).all()
    ideal = cost.ideal_parallel_cost(timing.assign(B=[1, 8192]), parallel_width=4096)
    assert ideal[8192] == pytest.approx(2 * ideal[1])


def test_original_orders_are_those_of_the_legacy_global_state():
    import itertools

    np.random.seed(42)  # noqa: NPY002 (el estado global del original es lo que se prueba)
    for shape in original.ORIGINAL_SHAPES:
        np.random.randn(*shape)  # noqa: NPY002
    expected = [np.random.permutation(50) for _ in range(2)]  # noqa: NPY002
    got = list(itertools.islice(original.original_orders(50), 2))
    for a, b in zip(expected, got, strict=True):
        np.testing.assert_array_equal(a, b)


def test_the_lottery_runs_each_subset_with_the_same_seeds(small):
    X, y = small
    out = multirun.lottery(
        X,
        y,
        {"todas": np.ones(len(X), bool), "sin": np.arange(len(X)) > 0},
        learning_rate=100.0,
        init_seeds=[0, 1],
        shuffle_seeds=[0, 1],
        epochs=1,
    )
    assert out == {"todas": [True, True], "sin": [True, True]}


def test_final_losses_use_the_course_divergence_rule(small):
    """Unos pesos finales que explotan cuentan como ∞, aunque History.diverged sea falso."""
    from batchlab.training.divergence import final_loss_or_inf

    X, y = small
    model = bl.MLP(rng=0)
    h = bl.train(model, X, y, batch_size=32, learning_rate=0.01, epochs=1, seed=0,
                 X_val=X[:50], y_val=y[:50])  # fmt: skip
    model.theta[:] = 1e6  # pesos que explotan después de entrenar
    assert not h.diverged
    got = multirun.final_losses([h], [model], X, y)
    assert np.isinf(got[0]) and got[0] == final_loss_or_inf(h, model, X, y)
