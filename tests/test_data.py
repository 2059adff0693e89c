"""Carga de California Housing: caché, réplica sin conexión, errores claros, escalado."""

from pathlib import Path
from urllib.error import URLError

import numpy as np
import pytest
import sklearn.datasets._california_housing as skcal

import batchlab as bl
from batchlab import census
from batchlab import data as bdata


@pytest.fixture
def real_cache():
    """La caché ya rellenada por `make data` (réplica o descarga)."""
    return bdata.ensure_housing_cache()


@pytest.fixture
def offline(monkeypatch):
    """Simula una máquina sin red: la descarga de scikit-learn falla."""

    def no_network(*args, **kwargs):
        raise URLError("sin conexión (simulada en el test)")

    monkeypatch.setattr(skcal, "_fetch_remote", no_network)
    monkeypatch.delenv("SCIKIT_LEARN_DATA", raising=False)


def test_no_cache_no_mirror_no_network_gives_one_clear_error(tmp_path, monkeypatch, offline):
    monkeypatch.setenv("HOUSING_MIRROR", str(tmp_path / "no-existe"))
    home = tmp_path / "cache"
    with pytest.raises(bl.DatasetUnavailableError) as info:
        bl.load_housing(home)
    msg = str(info.value)
    assert isinstance(info.value, OSError)
    assert str(home / bdata.CACHE_FILENAME) in msg
    assert str(tmp_path / "no-existe" / bdata.CACHE_FILENAME) in msg
    assert "HOUSING_MIRROR" in msg and "make data" in msg and "URLError" in msg
    assert not (home / bdata.CACHE_FILENAME).exists()  # nada inventado ni a medias


def test_mirror_is_copied_and_loads_20640_rows(tmp_path, monkeypatch, offline, real_cache):
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    (mirror / bdata.CACHE_FILENAME).write_bytes(real_cache.read_bytes())
    monkeypatch.setenv("HOUSING_MIRROR", str(mirror))
    home = tmp_path / "cache"
    df = bl.load_housing(home)
    assert (home / bdata.CACHE_FILENAME).is_file()
    assert df.shape == (20_640, 9)
    assert list(df.columns) == [*bl.FEATURES, bl.TARGET]
    # medias documentadas del dataset (shared/data/README.md, documentación de scikit-learn)
    assert df["MedInc"].mean() == pytest.approx(3.870671, abs=1e-6)
    assert df[bl.TARGET].mean() == pytest.approx(2.068558, abs=1e-6)
    assert not list(home.glob(".tmp-*"))


def test_scikit_learn_data_variable_is_the_default_home(tmp_path, monkeypatch, offline, real_cache):
    home = tmp_path / "sk"
    home.mkdir()
    (home / bdata.CACHE_FILENAME).write_bytes(real_cache.read_bytes())
    monkeypatch.setenv("SCIKIT_LEARN_DATA", str(home))
    monkeypatch.setenv("HOUSING_MIRROR", str(tmp_path / "no-existe"))
    assert bdata.ensure_housing_cache() == home / bdata.CACHE_FILENAME
    assert len(bl.load_housing()) == 20_640


def test_default_home_is_the_repository_data_folder(monkeypatch):
    monkeypatch.delenv("SCIKIT_LEARN_DATA", raising=False)
    assert bdata._data_home(None) == Path(bdata.__file__).resolve().parents[2] / "data"


def test_corrupt_cache_gives_a_clear_error(tmp_path, offline):
    (tmp_path / bdata.CACHE_FILENAME).write_bytes(b"esto no es un pickle comprimido")
    with pytest.raises(bl.DatasetCorruptError, match="dañada.*Bórrala"):
        bl.load_housing(tmp_path)


def test_split_fits_scalers_on_training_rows_only(housing_split):
    s = housing_split
    assert s.X_train.shape == (16_512, 8) and s.X_test.shape == (4_128, 8)
    assert s.y_train.shape == (16_512, 1) and s.y_test.shape == (4_128, 1)
    np.testing.assert_allclose(s.X_train.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(s.X_train.std(axis=0), 1, rtol=1e-12)
    # el conjunto de prueba NO queda exactamente centrado: no se usó para ajustar
    assert np.abs(s.X_test.mean(axis=0)).max() > 1e-3
    raw = s.x_scaler.inverse_transform(s.X_train)
    np.testing.assert_allclose(s.x_scaler.mean_, raw.mean(axis=0))


def test_split_is_reproducible_by_seed():
    df = bl.load_housing()
    a, b, c = (bl.split_and_scale(df, seed=s) for s in (1, 1, 2))
    np.testing.assert_array_equal(a.X_test, b.X_test)
    assert not np.array_equal(a.X_test, c.X_test)


def test_rmse_back_in_dollars(housing_split):
    s = housing_split
    sd = s.y_scaler.scale_[0]
    assert s.rmse_100k(1.0) == pytest.approx(sd)
    assert s.rmse_dollars(0.25) == pytest.approx(0.5 * sd * 100_000)
    back = s.to_original_target(s.y_test)
    raw = bl.load_housing()[bl.TARGET]
    assert back.min() >= raw.min() - 1e-9 and back.max() <= raw.max() + 1e-9


@pytest.mark.parametrize(
    ("kw", "exc", "match"),
    [
        (dict(test_size=0.0), ValueError, "entre 0 y 1"),
        (dict(test_size=1.5), ValueError, "entre 0 y 1"),
        (dict(test_size="0.2"), TypeError, "test_size"),
        (dict(seed=1.5), TypeError, "seed"),
        (dict(seed=True), TypeError, "seed debe ser un entero"),
        (dict(seed=-1), ValueError, "seed debe ser ≥ 0"),
        (dict(test_size=True), TypeError, "test_size"),
    ],
)
def test_split_rejects_bad_arguments(kw, exc, match):
    with pytest.raises(exc, match=match):
        bl.split_and_scale(bl.load_housing(), **kw)


def test_split_rejects_a_frame_without_the_columns():
    df = bl.load_housing().drop(columns=["MedInc"])
    with pytest.raises(ValueError, match="MedInc"):
        bl.split_and_scale(df)


def test_split_accepts_numpy_numbers():
    a = bl.split_and_scale(bl.load_housing(), test_size=np.float64(0.25), seed=np.int64(3))
    b = bl.split_and_scale(bl.load_housing(), test_size=0.25, seed=3)
    np.testing.assert_array_equal(a.X_test, b.X_test)


def test_censored_counts_include_medinc_on_both_sides():
    df = bl.load_housing()
    table = census.censored_counts(df)
    low, high = census.MEDINC_CAPS
    assert table.loc["MedInc (mínimo)", "rows"] == (df["MedInc"] == df["MedInc"].min()).sum()
    assert np.isclose(df["MedInc"].min(), low) and np.isclose(df["MedInc"].max(), high)
    top = np.isclose(df["MedInc"], high) | np.isclose(df["MedInc"], 15.0)
    assert table.loc["MedInc (máximo)", "rows"] == top.sum() > 0
    assert table.loc[bl.TARGET, "rows"] == (df[bl.TARGET] == df[bl.TARGET].max()).sum()
    assert table["percent"].tolist() == pytest.approx((100 * table["rows"] / len(df)).tolist())


@pytest.mark.parametrize("amount", [float("nan"), float("inf")])
def test_format_dollars_refuses_a_diverged_amount(amount):
    with pytest.raises(ValueError, match="divergió"):
        census.format_dollars(amount)


def test_split_index_names_the_rows_of_the_split():
    df = bl.load_housing()
    split = bl.split_and_scale(df, test_size=0.3, seed=5)
    train, test = bdata.split_index(df, test_size=0.3, seed=5)
    back = split.x_scaler.inverse_transform(split.X_test)
    np.testing.assert_allclose(back, df.loc[test, bl.FEATURES].to_numpy())
    assert len(train) == len(split.X_train) and not set(train) & set(test)
