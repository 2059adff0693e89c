"""Los experimentos de los notebooks: cada medida, comprobada contra algo independiente."""

import numpy as np
import pandas as pd
import pytest

import batchlab as bl
from batchlab import experiments as ex


def test_original_setup_reproduces_the_published_full_batch_losses():
    X, y, _, _, model = ex.original_setup(bl.load_housing())
    h = bl.train(model, X, y, batch_size="full", learning_rate=0.001, epochs=10, seed=0)
    published = [2.1975, 2.0170, 1.8635, 1.7325, 1.6202]  # el notebook original, épocas 2…10
    np.testing.assert_array_equal(h.train_loss[1::2].round(4), published)


def test_he_keeps_the_activation_scale_and_the_others_do_not(small):
    df = ex.activation_spread(small[0], depth=12, width=128, seed=0)
    last = df[df["capa"] == 12].set_index("inicialización")["desviación"]
    first = df[df["capa"] == 1].set_index("inicialización")["desviación"]
    ratio = last / first
    assert 0.3 < ratio["He: N(0, 2/n)"] < 3
    assert ratio["N(0, 1)"] > 1e8
    assert ratio["pequeña: N(0, 0.01²)"] < 1e-8


def test_baseline_table_orders_models_and_converts_to_dollars(housing_split):
    table = ex.baseline_table(housing_split, {"perfecto": 0.0})
    mse = table["MSE prueba (estandarizado)"]
    assert list(mse) == sorted(mse, reverse=True)
    assert mse["predecir la media"] > mse["regresión lineal"] > mse["HistGradientBoosting"]
    assert table.loc["perfecto", "RMSE ($)"] == 0
    assert table.loc["predecir la media", "RMSE ($)"] == round(
        housing_split.rmse_dollars(mse["predecir la media"]))


def test_compare_methods_starts_every_method_from_the_same_weights(small):
    X, y = small
    model = bl.MLP(rng=3)
    runs = ex.compare_methods(model, X, y, [300, 1, 32], 0.01, epochs=1, seed=0)
    assert list(runs) == ["batch completo (B=300)", "SGD (B=1)", "mini-batch (B=32)"]
    initial = {h.initial_train_loss for h in runs.values()}
    assert len(initial) == 1 and initial.pop() == pytest.approx(model.loss(X, y))
    with pytest.raises(ValueError, match="una por tamaño"):
        ex.compare_methods(model, X, y, [300, 1], [0.1], epochs=1, seed=0)


def test_update_noise_is_zero_for_full_batch_and_ordered_by_batch_size(small):
    X, y = small
    runs = ex.compare_methods(bl.MLP(rng=0), X, y, [300, 1, 10], 0.01, epochs=3, seed=0)
    noise = [ex.update_noise(h, window=0.1) for h in runs.values()]
    assert noise[0] == 0.0
    assert noise[1] > noise[2] > 0


def test_update_noise_measures_the_spread_around_the_trend():
    h = bl.training.History(
        batch_size=1, learning_rate=1.0, decay=0.0, seed=0, n_samples=1000, epochs_requested=1,
        initial_train_loss=1.0, initial_val_loss=None, train_loss=np.array([1.0]),
        val_loss=None, update_loss=1.0 + 0.1 * np.tile([1.0, -1.0], 500),
        samples_seen=np.arange(1, 1001), epoch_time=np.array([1.0]), n_updates=1000,
    )
    # ±0.1 alrededor de 1 con ventana de 20 (media móvil = 1): dispersión relativa 0.1
    assert ex.update_noise(h, window=0.02) == pytest.approx(0.1)


def test_loss_at_updates_stops_exactly(housing_split):
    model = bl.MLP(rng=0)
    table = ex.loss_at_updates(model, housing_split, [len(housing_split.X_train), 1], 0.01, 3, 0)
    assert list(table["actualizaciones"]) == [3, 3]
    assert table["épocas vistas"].iloc[0] == 3
    assert table["épocas vistas"].iloc[1] == pytest.approx(3 / len(housing_split.X_train))


def test_race_respects_the_time_budget(housing_split):
    runs = ex.race(bl.MLP(rng=0), housing_split, [64], [0.01], time_budget=0.1, seed=0)
    (h,) = runs.values()
    assert h.stop_reason == "time_budget"
    assert h.checkpoint_time[-1] <= h.total_time and h.total_time >= 0.1
    assert len(h.checkpoint_loss) > 2


def test_sweep_is_the_same_in_parallel_and_picks_a_safe_learning_rate(small):
    X, y = small
    Xv, yv = X[:60], y[:60]
    grid = {1: [0.001, 5.0], 32: [0.01, 0.1, 50.0]}
    serial = ex.lr_sweep(bl.MLP(rng=0), X, y, Xv, yv, grid, epochs=2, seeds=[0, 1])
    parallel = ex.lr_sweep(bl.MLP(rng=0), X, y, Xv, yv, grid, epochs=2, seeds=[0, 1], n_jobs=2)
    pd.testing.assert_frame_equal(serial, parallel)
    assert len(serial) == 10
    summary = ex.summarize_sweep(serial)
    assert (summary.loc[summary["lr"] == 50.0, "divergidas"] == 2).all()
    best = ex.best_learning_rates(summary)
    assert list(best.index) == ["SGD (B=1)", "mini-batch (B=32)"]
    assert best["fiable"].all()
    assert 50.0 not in set(best["lr"]) and 5.0 not in set(best["lr"])
    ok = summary[summary["método"] == "mini-batch (B=32)"]
    ok = ok[ok["divergidas"] == 0]
    assert best.loc["mini-batch (B=32)", "peor"] == ok["peor"].min()


def test_best_learning_rate_falls_back_when_every_rate_diverges():
    summary = pd.DataFrame({
        "método": ["SGD (B=1)"] * 2, "lr": [0.1, 1.0], "B": [1, 1],
        "mediana": [0.5, np.inf], "peor": [np.inf, np.inf], "divergidas": [1, 2],
        "ejecuciones": [2, 2],
    })
    best = ex.best_learning_rates(summary)
    assert best.loc["SGD (B=1)", "lr"] == 0.1 and not best.loc["SGD (B=1)", "fiable"]


def test_linear_loss_surface_matches_direct_mse():
    rng = np.random.default_rng(0)
    x = rng.standard_normal(200)
    y = 0.7 * x + 0.1 + 0.3 * rng.standard_normal(200)
    w, b = np.array([-1.0, 0.0, 0.7]), np.array([0.5, 0.1])
    surface = ex.linear_loss_surface(x, y, w, b)
    for i, bb in enumerate(b):
        for j, ww in enumerate(w):
            assert surface[i, j] == pytest.approx(np.mean((ww * x + bb - y) ** 2))


def test_linear_paths_start_at_the_start_and_full_batch_descends():
    rng = np.random.default_rng(1)
    x = rng.standard_normal(100)
    y = 0.5 * x + 0.2 * rng.standard_normal(100)
    paths = ex.linear_paths(x, y, [100, 1], 0.1, 25, start=(-1.0, 1.0), seed=0)
    full, sgd = paths["batch completo (B=100)"], paths["SGD (B=1)"]
    assert full.shape == sgd.shape == (26, 2)
    np.testing.assert_array_equal(full[0], [-1.0, 1.0])
    loss = ex.linear_loss_surface(x, y, full[:, 0], full[:, 1]).diagonal()
    assert np.all(np.diff(loss) < 0)  # GD con tasa pequeña: la pérdida baja en cada paso


def test_epoch_and_timing_tables(small):
    X, y = small
    runs = ex.compare_methods(bl.MLP(rng=0), X, y, [300, 30], 0.01, epochs=2, seed=0,
                              X_val=X[:50], y_val=y[:50])
    table = ex.epoch_table(runs)
    assert table.shape == (2, 4) and list(table.index) == [1, 2]
    assert table[("mini-batch (B=30)", "prueba")].iloc[-1] == runs["mini-batch (B=30)"].val_loss[-1]
    timing = ex.timing_table(runs)
    assert list(timing["actualizaciones / época"]) == [1, 10]
    assert (timing["muestras / s"] > 0).all()
