"""Las preparaciones de variables: sin fuga, deterministas y con el efecto que prometen."""

import numpy as np
import pytest

import batchlab as bl
from batchlab import features as ft


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
