"""Notebook 02: inicialización y modelos de referencia."""

from batchlab import baselines


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
