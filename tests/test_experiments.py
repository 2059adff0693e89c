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


def test_refine_best_lr_finds_the_vertex_of_a_parabola():
    lrs = np.array([1e-3, 1e-2, 1e-1, 1.0])
    true = 0.03
    losses = np.exp((np.log(lrs) - np.log(true)) ** 2)
    assert ex.refine_best_lr(lrs, losses) == pytest.approx(true, rel=1e-6)
    # sin vecinos finitos a ambos lados, la mejor de la rejilla
    assert ex.refine_best_lr(lrs, [1.0, 0.5, np.inf, np.inf]) == 1e-2


def test_scaling_segments_recover_known_slopes():
    Bs = np.array([8, 32, 128, 512, 2048])
    lr = np.where(Bs <= 128, 1e-3 * Bs / 8, 1e-3 * 16)
    best = pd.DataFrame({"lr refinada": lr}, index=Bs)
    (s1, s2) = ex.scaling_segments(best, 128)
    assert s1[:2] == (8, 128) and s1[2] == pytest.approx(1.0)
    assert s2[:2] == (128, 2048) and s2[2] == pytest.approx(0.0, abs=1e-12)


def test_good_lr_band_counts_rates_close_to_the_best():
    summary = pd.DataFrame({
        "método": ["m"] * 4, "B": [8] * 4, "lr": [0.001, 0.01, 0.1, 1.0],
        "mediana": [0.5, 0.3, 0.33, np.inf], "peor": [0.5, 0.3, 0.35, np.inf],
        "divergidas": [0, 0, 0, 2], "ejecuciones": [2] * 4,
    })
    band = ex.good_lr_band(summary, tolerance=0.2)
    assert band.loc["m", "tasas buenas"] == 2
    assert band.loc["m", "ancho (décadas)"] == pytest.approx(1.0)


def _history(val, diverged=False):
    return bl.training.History(
        batch_size=1, learning_rate=0.1, decay=0.0, seed=0, n_samples=10, epochs_requested=5,
        initial_train_loss=2.0, initial_val_loss=2.0, train_loss=np.array(val),
        val_loss=np.array(val), update_loss=np.array(val), samples_seen=np.arange(1, 6),
        epoch_time=np.ones(5), diverged=diverged,
    )


@pytest.mark.parametrize(("val", "diverged", "label"), [
    ([1.0, 0.8, 0.6, 0.5, 0.45], False, "converge"),
    ([1.0, 0.8, 0.9, 0.7, 0.8, 0.6, 0.65], False, "oscila"),
    ([1.5, 1.4, 1.3, 1.2, 1.1], False, "se arrastra"),
    ([1.0], True, "diverge"),
])
def test_classify_run(val, diverged, label):
    assert ex.classify_run(_history(val, diverged), best_loss=0.45) == label


def test_steps_to_target_and_the_noise_model(housing_split):
    X, y = housing_split.X_train[:2000], housing_split.y_train[:2000]
    Xv, yv = housing_split.X_test[:500], housing_split.y_test[:500]
    table = ex.steps_to_target(bl.MLP(rng=0), X, y, Xv, yv, [16, 64, 2000], [0.01, 0.03, 0.1],
                               target=0.6, max_epochs=30, seed=0)
    assert table["alcanza"].iloc[:2].all()
    assert table["actualizaciones"].iloc[0] > table["actualizaciones"].iloc[1]
    # el modelo S = S_min (1 + B_ruido / B) se recupera de datos sintéticos exactos
    Bs = np.array([8, 32, 128, 512])
    fake = pd.DataFrame({"alcanza": True, "actualizaciones": 50 * (1 + 100 / Bs)}, index=Bs)
    fit = ex.fit_steps_model(fake)
    assert fit["S_min"] == pytest.approx(50) and fit["B_ruido"] == pytest.approx(100)


def test_generalization_reports_divergence_without_poisoning_the_means(housing_split):
    table = ex.generalization(bl.MLP(rng=0), housing_split, [256, 512], [0.01, 50.0],
                              epochs=1, seeds=[0, 1])
    assert list(table[("divergidas", "")]) == [0, 2]
    assert np.isfinite(table.loc[256, ("prueba", "mean")])
    assert np.isnan(table.loc[512, ("prueba", "mean")])
    gap = table.loc[256, ("diferencia", "mean")]
    assert gap == pytest.approx(table.loc[256, ("prueba", "mean")]
                                - table.loc[256, ("entrenamiento", "mean")])


def test_line_fit_frames_record_batches_and_parameters():
    rng = np.random.default_rng(0)
    x = rng.standard_normal(50)
    y = 0.7 * x
    frames = ex.line_fit_frames(x, y, [(10, 0.1), (50, 0.5)], n_updates=7, seed=3,
                                start=(0.0, 0.0))
    small, full = frames
    assert small["theta"].shape == (8, 2) and len(small["batches"]) == 7
    assert all(len(b) == 10 for b in small["batches"])
    assert len(set(np.concatenate(small["batches"][:5]))) == 50  # una época: todas las filas
    assert full["loss"][-1] < full["loss"][0]
    np.testing.assert_allclose(full["loss"][0], np.mean(y**2))


def test_moving_average_is_centred_on_its_indices():
    values = np.array([0.0, 0.0, 3.0, 0.0, 0.0, 6.0, 0.0])
    idx, trend = ex.moving_average(values, 3)
    np.testing.assert_array_equal(idx, [1, 2, 3, 4, 5])
    np.testing.assert_allclose(trend, [1.0, 1.0, 1.0, 2.0, 2.0])
    h = bl.training.History(
        batch_size=10, learning_rate=0.1, decay=0.0, seed=0, n_samples=1000,
        epochs_requested=1, initial_train_loss=1.0, initial_val_loss=None,
        train_loss=np.array([1.0]), val_loss=None, update_loss=np.ones(100),
        samples_seen=np.arange(10, 1001, 10), epoch_time=np.ones(1), n_updates=100,
    )
    assert ex.window_in_updates(h, 0.05) == 5 and ex.window_in_updates(h, 0.001) == 1
