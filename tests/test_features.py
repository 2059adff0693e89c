"""Las preparaciones de variables: sin fuga, deterministas y con el efecto que prometen."""

import numpy as np
import pytest

import batchlab as bl
from batchlab import features as ft
from batchlab.experiments import tails


@pytest.fixture(scope="module")
def raw():
    df = bl.load_housing()
    X = df[bl.FEATURES].to_numpy()
    return df, X[:15000], X[15000:]


def test_skewed_features_are_the_positive_heavy_tailed_ones(raw):
    df = raw[0]
    heavy = ft.skewed_features(df, bl.FEATURES)
    assert "AveOccup" in heavy and "AveRooms" in heavy
    assert "Longitude" not in heavy and "HouseAge" not in heavy  # negativa / simétrica


@pytest.mark.parametrize("name", ft.PIPELINES)
def test_pipelines_fit_on_train_only_and_are_deterministic(raw, name):
    df, X_tr, X_te = raw
    cols = [bl.FEATURES.index(f) for f in ft.skewed_features(df, bl.FEATURES)]
    a = ft.feature_transformer(name, log_columns=cols).fit(X_tr)
    b = ft.feature_transformer(name, log_columns=cols).fit(X_tr)
    np.testing.assert_array_equal(a.transform(X_te), b.transform(X_te))
    Z = a.transform(X_tr)
    assert Z.shape == X_tr.shape and np.isfinite(Z).all()
    assert np.abs(Z.mean(axis=0)).max() < 0.2  # centrado con el entrenamiento
    assert name in ft.PIPELINE_LABELS


def test_tail_control_reduces_the_most_extreme_row(raw):
    df, X_tr, _ = raw
    cols = [bl.FEATURES.index(f) for f in ft.skewed_features(df, bl.FEATURES)]
    z = {
        n: ft.max_abs_z(
            ft.feature_transformer(n, log_columns=cols, clip_sigma=4.0).fit_transform(X_tr)
        ).max()
        for n in ft.PIPELINES
    }
    assert z["standard"] > 50
    assert z["clip"] == pytest.approx(4.0)
    assert z["log"] < z["standard"] / 3 and z["quantile"] < 6


def test_bad_pipeline_names_the_choices():
    with pytest.raises(ValueError, match="standard"):
        ft.feature_transformer("robusto")
    with pytest.raises(ValueError, match="log_columns"):
        ft.feature_transformer("log")


def test_split_and_scale_uses_the_chosen_pipeline():
    df = bl.load_housing()
    raw = bl.split_and_scale(df, seed=3)
    log = bl.split_and_scale(df, seed=3, features="log")
    assert raw.features == "standard" and log.features == "log"
    np.testing.assert_array_equal(raw.y_train, log.y_train)  # misma división, mismo objetivo
    assert np.abs(log.X_train).max() < np.abs(raw.X_train).max() / 2
    with pytest.raises(ValueError, match="quantile"):
        bl.split_and_scale(df, features="robust")


# -- medir las colas: número de condición, filas extremas y comparación de preparaciones ----
def test_condition_table_separates_centring_scaling_and_correlation(raw):
    X = raw[1]
    kappa = ft.condition_table(X)["condition"]
    assert list(kappa.index) == ["raw", "centred", "scaled", "standardized"]
    # centrar y escalar ganan cada uno por separado; lo que queda es la correlación
    assert kappa["raw"] > 100 * kappa["centred"] and kappa["raw"] > 100 * kappa["scaled"]
    assert kappa["standardized"] < min(kappa["centred"], kappa["scaled"]) / 100
    corr = np.linalg.cond(np.corrcoef(X.T))
    assert kappa["standardized"] == pytest.approx(corr, rel=1e-6)


def test_extreme_rows_finds_a_planted_row_and_its_gradient_share():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((300, 8))
    y = rng.standard_normal((300, 1))
    X[17, 5] = 60.0  # una fila plantada a 60σ en la variable 5
    table = tails.extreme_rows(X, y, bl.MLP(rng=0), bl.FEATURES, threshold=20.0)
    assert list(table.index) == [17]
    assert table.loc[17, "feature"] == bl.FEATURES[5]
    assert table.loc[17, "z"] == pytest.approx(60.0)
    assert 0.5 < table.loc[17, "share_grad"] <= 1.0  # domina Σ‖∇ℓᵢ‖² al empezar
    assert tails.extreme_rows(X, y, bl.MLP(rng=0), bl.FEATURES, threshold=100.0).empty


@pytest.fixture(scope="module")
def tiny_df():
    return bl.load_housing().sample(400, random_state=0)


def test_compare_pipelines_measures_every_pipeline_with_its_runs(tiny_df):
    summary, runs = tails.compare_pipelines(
        tiny_df, seed=0, learning_rate=0.001, epochs=1, shuffle_seeds=[0, 1]
    )
    assert list(summary.index) == list(ft.PIPELINES)
    assert (summary["runs"] == 2).all() and (summary["diverged"] == 0).all()
    assert summary.loc["clip", "max_z_train"] == pytest.approx(5.0)
    assert summary.loc["standard", "max_z_train"] > summary.loc["log", "max_z_train"]
    assert np.isfinite(summary["median_test_mse"]).all()
    assert (summary["mse_low"] <= summary["median_test_mse"]).all()
    assert (summary["median_test_mse"] <= summary["mse_high"]).all()
    assert runs.loc["log", "test_mse"].size == 2
    assert tails.choose_pipeline(summary) == summary["median_test_mse"].idxmin()


def test_compare_pipelines_with_a_diverging_rate_counts_and_warns_nothing(tiny_df):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        summary, runs = tails.compare_pipelines(
            tiny_df, seed=0, learning_rate=50.0, epochs=1, shuffle_seeds=[0, 1]
        )
    assert (summary["diverged"] == 2).all() and runs["diverged"].all()
    assert np.isinf(summary["median_test_mse"]).all() and np.isinf(summary["spike"]).all()
    assert summary["p_div_low"].gt(0).all() and summary["p_div_high"].eq(1).all()
    assert tails.choose_pipeline(summary) is None


def test_choose_pipeline_rule_prefers_no_divergence_over_a_lower_median():
    import pandas as pd

    summary = pd.DataFrame(
        {"diverged": [1, 0, 0], "median_test_mse": [0.1, 0.3, 0.2]},
        index=pd.Index(["standard", "log", "quantile"], name="pipeline"),
    )
    assert tails.choose_pipeline(summary) == "quantile"
    summary["diverged"] = 1
    assert tails.choose_pipeline(summary) is None
