"""generalization: diferencia de medianas con bootstrap y el régimen «entrena más» (Hoffer)."""

import math

import numpy as np
import pytest

import batchlab as bl
from batchlab import hessian, stats
from batchlab.experiments import generalization as gen
from batchlab.experiments.grid import Task


def test_median_difference_known_inputs():
    value, reps = stats.median_difference([1.0, 2.0, 3.0], [5.0, 6.0, 7.0, np.nan], n_rep=500)
    assert value == 4.0  # mediana(5, 6, 7) − mediana(1, 2, 3), el NaN queda fuera
    assert len(reps) == 500
    # cada réplica es una mediana de valores de b menos una de a: entre 5 − 3 y 7 − 1
    assert reps.min() >= 2.0 and reps.max() <= 6.0
    # grupos constantes: todas las réplicas valen la diferencia exacta
    value, reps = stats.median_difference([0.0, 0.0], [1.5, 1.5, 1.5], n_rep=50)
    assert value == 1.5 and np.all(reps == 1.5)


def test_median_difference_needs_two_finite_values_per_group():
    value, reps = stats.median_difference([1.0, np.nan], [2.0, 3.0])
    assert math.isnan(value) and reps.size == 0


def test_equal_updates_epochs_gives_the_smallest_batch_budget_with_a_cap():
    plan = gen.equal_updates_epochs(100, [10, 25, 50], epochs=2, max_epochs=5)
    assert plan[10] == (2, 20)  # presupuesto: 2 épocas de 10 actualizaciones
    assert plan[25] == (5, 20)  # 4 por época: 5 épocas
    assert plan[50] == (5, 10)  # 2 por época: el tope de 5 épocas deja 10 actualizaciones


def test_train_longer_matches_train_and_measures_sharpness(small, model):
    X, y = small
    Xt, yt = X[:50], y[:50]
    runs = gen.train_longer(
        Task(model, X, y, Xt, yt), {8: 0.02, 64: 0.05}, seeds=[0, 1], epochs=1, max_epochs=3
    )
    assert list(runs.columns) == gen.LONGER_COLUMNS
    assert len(runs) == 8
    per8, per64 = -(-len(X) // 8), -(-len(X) // 64)
    upd = runs.set_index(["regime", "B", "seed"])["updates"]
    assert upd[("epochs", 8, 0)] == per8 and upd[("updates", 8, 0)] == per8
    assert upd[("epochs", 64, 1)] == per64
    assert upd[("updates", 64, 1)] == min(per8, 3 * per64)
    # un run del régimen de actualizaciones es train() con esas épocas y ese tope
    m = model.copy()
    bl.train(m, X, y, batch_size=64, learning_rate=0.05, epochs=3, seed=1, max_updates=per8)
    row = runs[(runs.regime == "updates") & (runs.B == 64) & (runs.seed == 1)].iloc[0]
    assert np.isclose(row["test"], m.loss(Xt, yt), rtol=0, atol=1e-12)
    assert np.isclose(row["gap"], m.loss(Xt, yt) - m.loss(X, y), rtol=0, atol=1e-12)
    lam, _ = hessian.top_eigenvalue(m, X, y, tolerance=1e-4)
    assert np.isclose(row["lambda_max"], lam, rtol=1e-6)
    # una tasa que diverge da NaN, no un número
    bad = gen.train_longer(Task(model, X, y, Xt, yt), {8: 50.0}, seeds=[0], epochs=1, max_epochs=1)
    assert bad["diverged"].all() and bad["test"].isna().all()


def test_sharpness_replicates_train_each_init_of_each_split_with_the_same_updates():
    """Cada división e inicialización del diseño, solo con «mismas actualizaciones»; cada fila,
    la de train_longer en esa división partiendo de MLP(rng=init)."""
    from batchlab.experiments import replicates

    design = replicates.Design(base=3, n_splits=2, n_inits=2, n_shuffles=1)
    splits = replicates.prepare_splits(bl.load_housing().iloc[:1200], design)
    tuned = {8: 0.01, 64: 0.02}
    reps = gen.sharpness_replicates(splits, design, tuned, epochs=1, max_epochs=3)
    assert list(reps.columns) == ["split", *gen.LONGER_COLUMNS]
    assert len(reps) == 2 * 2 * 2 and set(reps["regime"]) == {"updates"}
    for s in design.splits:
        assert set(reps.loc[reps.split == s, "init"]) == set(design.inits(s))
    row = reps[reps.B == 64].iloc[0]
    data = splits[int(row.split)]
    one = gen.train_longer(
        Task(bl.MLP(rng=int(row.init)), data.X_fit, data.y_fit, data.X_test, data.y_test),
        tuned, seeds=[int(row.seed)], epochs=1, max_epochs=3,
    )  # fmt: skip
    alone = one[(one.regime == "updates") & (one.B == 64)].iloc[0]
    # la misma ejecución, entrenada sola o apilada con las demás: iguales salvo los últimos bits
    assert alone.updates == row.updates and alone.test == pytest.approx(row.test, rel=1e-10)
    assert alone.lambda_max == pytest.approx(row.lambda_max, rel=1e-6)
    assert gen.sharpness_replicates(splits, design, {}, epochs=1, max_epochs=3).empty
