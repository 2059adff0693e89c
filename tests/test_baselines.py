"""Notebook 02: inicialización y modelos de referencia."""

from batchlab.experiments import baselines


def test_he_keeps_the_activation_scale_and_the_others_do_not(small):
    df = baselines.activation_spread(small[0], depth=12, width=128, seed=0)
    assert list(df.columns) == ["layer", "init", "activation_std"]
    last = df[df["layer"] == 12].set_index("init")["activation_std"]
    first = df[df["layer"] == 1].set_index("init")["activation_std"]
    ratio = last / first
    assert 0.3 < ratio["he"] < 3
    assert ratio["standard_normal"] > 1e8
    assert ratio["small"] < 1e-8


def test_baseline_table_orders_models_and_converts_to_dollars(housing_split):
    table = baselines.baseline_table(housing_split, {"perfect": 0.0})
    mse = table["test_mse"]
    assert table.index.name == "model"
    assert list(mse) == sorted(mse, reverse=True)
    assert mse["mean_prediction"] > mse["linear_regression"] > mse["hist_gradient_boosting"]
    assert table.loc["perfect", "rmse_dollars"] == 0
    assert table.loc["mean_prediction", "rmse_dollars"] == round(
        housing_split.rmse_dollars(mse["mean_prediction"])
    )


def test_baseline_table_has_sklearn_mlp_without_warnings_and_marks_a_diverged_model(
    housing_split,
):
    import warnings

    import numpy as np

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # ni ConvergenceWarning ni RuntimeWarning
        table = baselines.baseline_table(housing_split, {"mlp": float("nan")})
    mse = table["test_mse"]
    assert mse["linear_regression"] > mse["mlp_regressor"] > 0
    assert np.isinf(mse["mlp"]) and table.index[0] == "mlp"  # divergida: la peor
    assert table["rmse_dollars"].isna().tolist() == [True] + [False] * (len(table) - 1)


def test_final_test_mse_catches_a_run_that_explodes_in_its_last_update(housing_split):
    import math

    import batchlab as bl

    s = housing_split
    model = bl.MLP(rng=0)
    # batch completo, lr 3.0, una época: el único paso explota, pero train() no lo ve
    h = bl.train(model, s.X_train, s.y_train, batch_size=len(s.X_train), learning_rate=3.0,
                 epochs=1, seed=0, X_val=s.X_test, y_val=s.y_test)  # fmt: skip
    assert math.isinf(baselines.final_test_mse(h, model, s.X_test, s.y_test))
    good = bl.MLP(rng=0)
    h = bl.train(good, s.X_train, s.y_train, batch_size=256, learning_rate=0.01, epochs=1,
                 seed=0, X_val=s.X_test, y_val=s.y_test)  # fmt: skip
    assert baselines.final_test_mse(h, good, s.X_test, s.y_test) == good.loss(s.X_test, s.y_test)


def test_location_alone_beats_a_line_on_all_features(housing_split):
    hgb, lin = baselines.location_only_mse(housing_split)
    assert 0 < hgb < lin < 1
