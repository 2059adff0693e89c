"""Notebook 01: su registro de conclusiones (claims.nb01) y sus medidas (experiments.exploration).

Con datos sintéticos pequeños: los veredictos cambian cuando cambian los datos y las frases
llevan las cifras medidas.
"""

import numpy as np
import pandas as pd
import pytest

import batchlab as bl
from batchlab import claims
from batchlab.claims import nb01
from batchlab.experiments import exploration


def _toy(n: int = 1000, outlier: bool = True) -> pd.DataFrame:
    """`n` filas con las columnas del dataset: el precio depende de la ubicación y del ingreso.

    Con `outlier`, la fila 17 tiene ``AveOccup = 5000`` (a más de 20σ del resto).
    """
    rng = np.random.default_rng(3)
    df = pd.DataFrame(
        {
            "MedInc": rng.uniform(0.5, 15.0, n),
            "HouseAge": rng.integers(1, 53, n).astype(float),
            "AveRooms": rng.lognormal(1.6, 0.3, n),
            "AveBedrms": rng.lognormal(0.05, 0.1, n),
            "Population": rng.lognormal(7.0, 0.6, n),
            "AveOccup": rng.lognormal(1.0, 0.3, n),
            "Latitude": rng.uniform(32.5, 42.0, n),
            "Longitude": rng.uniform(-124.3, -114.3, n),
        }
    )
    if outlier:
        df.loc[17, "AveOccup"] = 5000.0
    df[bl.TARGET] = (
        np.sin(df["Latitude"] * 2) + np.cos(df["Longitude"] * 2) + 0.1 * df["MedInc"]
    ) + rng.normal(0, 0.05, n)
    return df


@pytest.fixture(scope="module")
def toy_df():
    """1000 filas sintéticas con una fila extrema (la 17)."""
    return _toy()


@pytest.fixture(scope="module")
def clean_df():
    """Las mismas filas sin la fila extrema."""
    return _toy(outlier=False)


def _runs(mse: dict[str, list[float]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Tablas como las de ``tails.compare_pipelines`` (solo las columnas que se usan)."""
    rows = [
        {"pipeline": p, "shuffle_seed": s, "test_mse": v}
        for p, values in mse.items()
        for s, v in enumerate(values)
    ]
    runs = pd.DataFrame(rows).set_index(["pipeline", "shuffle_seed"])
    summary = pd.DataFrame(
        {
            "diverged": [int(np.sum(~np.isfinite(v))) for v in mse.values()],
            "runs": [len(v) for v in mse.values()],
        },
        index=pd.Index(list(mse), name="pipeline"),
    )
    return summary, runs


# -- claims.nb01 -------------------------------------------------------------------------
def test_location_claim_follows_the_ratio():
    better = pd.DataFrame({"hgb_lat_lon": [0.26, 0.27, 0.25], "linear_all": [0.41, 0.40, 0.39]})
    worse = better.rename(columns={"hgb_lat_lon": "linear_all", "linear_all": "hgb_lat_lon"})
    c_better, c_worse = nb01.location_claim(better), nb01.location_claim(worse)
    assert c_better.id == c_worse.id == "01.ubicacion_sola"
    assert c_better.veredicto == claims.HOLDS
    assert c_worse.veredicto == claims.FAILS
    ratio = float(np.median(better["hgb_lat_lon"] / better["linear_all"]))
    assert f"{ratio:.2f}" in c_better.frase and "3 divisiones" in c_better.frase


def test_lottery_claim_says_whether_some_or_all_diverge():
    some = nb01.lottery_claim(3, 10, lr=0.001)
    every = nb01.lottery_claim(10, 10, lr=0.001)
    none = nb01.lottery_claim(0, 10, lr=0.001)
    assert some.veredicto == every.veredicto == claims.HOLDS
    assert "3 de 10" in some.frase and "lotería" in some.frase
    assert "divergen todas" in every.frase and "lotería" not in every.frase
    assert none.veredicto != claims.HOLDS and "ninguna" not in some.frase
    assert "lr 0.001" in some.enunciado and "lr 0.5" in nb01.lottery_claim(3, 10, 0.5).enunciado


def test_log_divergence_claim_needs_fewer_than_half():
    assert nb01.log_divergence_claim(0, 10, lr=0.001).veredicto == claims.HOLDS
    many = nb01.log_divergence_claim(10, 10, lr=0.001)
    assert many.veredicto == claims.FAILS and "10 de 10" in many.frase
    assert nb01.log_divergence_claim(5, 10, lr=0.001).veredicto == claims.INCONCLUSIVE


def test_tail_claims_compare_log_with_standard_per_seed():
    summary, runs = _runs(
        {"standard": [1.0, np.inf, 0.9, 1.1, np.inf, 1.0], "log": [0.3, 0.3, 0.25, 0.3, 0.31, 0.3]}
    )
    found = nb01.tail_claims(summary, runs, lr=0.001)
    assert [c.id for c in found] == [
        "01.loteria_cruda",
        "01.log_sin_divergencias",
        "01.log_mejora_mse",
    ]
    assert "2 de 6" in found[0].frase
    mse = found[2]
    assert mse.n == 6 and mse.veredicto == claims.HOLDS
    assert mse.ic_bajo == 0.0  # la semilla en la que estandarizando divergió cuenta como 0
    summary2, runs2 = _runs(
        {"standard": [0.3, 0.3, 0.25, 0.3, 0.31, 0.3], "log": [1.0, 0.9, 1.1, 1.0, 1.2, 1.0]}
    )
    assert nb01.tail_claims(summary2, runs2, lr=0.001)[2].veredicto == claims.FAILS


def test_tail_claims_without_a_finite_log_mse_leave_out_the_mse_claim():
    summary, runs = _runs({"standard": [np.inf, np.inf], "log": [np.inf, np.inf]})
    found = nb01.tail_claims(summary, runs, lr=0.5)
    assert [c.id for c in found] == ["01.loteria_cruda", "01.log_sin_divergencias"]
    assert "divergen todas" in found[0].frase
    assert found[1].veredicto != claims.HOLDS


def test_leak_claim_threshold_is_five_percent_of_sigma():
    small = nb01.leak_claim([0.6, 0.4, 0.7, 0.5, 0.6])
    large = nb01.leak_claim([8.0, 9.5, 7.2, 8.8, 9.0])
    assert small.veredicto == claims.HOLDS and "0.60 % de σ" in small.frase
    assert large.veredicto == claims.FAILS and "8.80 % de σ" in large.frase
    assert small.id == large.id == "01.fuga_medias_pequenas"


# -- experiments.exploration -------------------------------------------------------------
def test_location_table_has_one_row_per_split(clean_df):
    table = exploration.location_table(clean_df, [1, 2], test_size=0.25)
    assert list(table.index) == [1, 2] and table.index.name == "split_seed"
    assert list(table.columns) == ["hgb_lat_lon", "linear_all"]
    # el precio es no lineal en la ubicación: los árboles con lat/lon ganan a la recta
    assert (table["hgb_lat_lon"] < table["linear_all"]).all()
    shown = bl.labels.spanish(table, exploration.LOCATION_LABELS)
    assert shown.index.name == "semilla de división"


def test_pipeline_table_writes_infinity_and_intervals():
    summary = pd.DataFrame(
        {
            "condition": [42.8, 40.9],
            "max_z_train": [107.1, 27.5],
            "max_z_test": [76.1, 26.9],
            "spike": [np.inf, 12.345],
            "diverged": [3, 0],
            "runs": [10, 10],
            "p_div_low": [0.108, 0.0],
            "p_div_high": [0.603, 0.278],
            "median_test_mse": [np.inf, 0.3021],
            "mse_low": [0.29, 0.2991],
            "mse_high": [np.inf, 0.31],
        },
        index=pd.Index(["standard", "log"], name="pipeline"),
    )
    shown = exploration.pipeline_table(summary)
    assert shown.index.name == "preparación"
    assert list(shown.index) == ["estandarizar", "log1p de las colas + estandarizar"]
    row_std, row_log = shown.iloc[0], shown.iloc[1]
    assert row_std["pico (máx/mediana)"] == "∞ (diverge)"
    assert row_log["pico (máx/mediana)"] == "12.35"
    assert row_std["divergen (IC 95 %)"] == "3 de 10 [0.11, 0.60]"
    assert row_std["MSE prueba: mediana [IC 95 %]"] == "∞ (diverge la mitad o más)"
    assert row_log["MSE prueba: mediana [IC 95 %]"] == "0.3021 [0.2991, 0.31]"


def test_extreme_train_rows_find_the_planted_row(toy_df):
    rows, n_train = exploration.extreme_train_rows(toy_df, test_size=0.25, seed=0)
    train_index, _ = bl.data.split_index(toy_df, test_size=0.25, seed=0)
    assert n_train == len(train_index) == 750 and 17 in set(train_index)
    assert list(rows["df_row"]) == [17] and rows.iloc[0]["feature"] == "AveOccup"
    assert train_index[rows.index[0]] == 17  # position es la fila del entrenamiento
    text = exploration.extremes_sentence(rows, toy_df, n_train)
    assert text.startswith("1 filas del entrenamiento (el 0.13 % de 750)")
    assert "fila 17 de df, AveOccup = 5000.0 a 27σ" in text
    assert f"lleva sola el {100 * rows.iloc[0]['share_grad']:.0f} %" in text
    shown = exploration.extremes_display(rows)
    assert list(shown.columns) == ["fila de df", "variable", "|z|", "% de Σ‖∇ℓᵢ‖²"]
    assert shown.index.name == "posición en el entrenamiento"


def test_extremes_sentence_when_the_extreme_row_falls_in_test(toy_df):
    rows, n_train = exploration.extreme_train_rows(toy_df, test_size=0.25, seed=1)
    assert rows.empty  # la fila 17 cae en la prueba con esta semilla
    assert exploration.extremes_sentence(rows, toy_df, n_train).startswith("Ninguna fila")


def test_leak_table_is_zero_without_leak_and_measures_a_shift(toy_df):
    split = bl.split_and_scale(toy_df, test_size=0.25, seed=0)
    train_index, _ = bl.data.split_index(toy_df, test_size=0.25, seed=0)
    X_train = toy_df.loc[train_index, bl.FEATURES].to_numpy()
    none = exploration.leak_table(X_train, split.x_scaler)
    assert np.allclose(none.to_numpy(), 0.0, atol=1e-9)
    shifted = X_train.copy()
    shifted[:, 0] += split.x_scaler.scale_[0]  # la media de MedInc sube una σ
    leak = exploration.leak_table(shifted, split.x_scaler)
    assert leak.loc["MedInc", "mean_shift"] == pytest.approx(100.0)
    assert leak.loc["MedInc", "sigma_change"] == pytest.approx(0.0, abs=1e-9)


def test_max_leak_shifts_and_their_claim_see_an_extreme_test_row(clean_df, toy_df):
    clean = exploration.max_leak_shifts(clean_df, [0, 1, 2], test_size=0.25)
    assert len(clean) == 3 and all(0 < s < 5 for s in clean)
    assert nb01.leak_claim(clean).veredicto == claims.HOLDS
    bigger = exploration.max_leak_shifts(clean_df, [0, 1, 2], test_size=0.6)
    assert np.median(bigger) > np.median(clean)  # más filas fuera del ajuste, más fuga
    # con la semilla 1 la fila extrema queda en la prueba: la fuga mueve su media cientos de σ
    extreme = exploration.max_leak_shifts(toy_df, [1, 1, 1], test_size=0.25)
    assert min(extreme) > 100
    assert nb01.leak_claim(extreme).veredicto == claims.FAILS


def test_summary_table_reports_the_findings(toy_df):
    censored = bl.census.censored_counts(toy_df)
    leak = pd.DataFrame(
        {"mean_shift": [0.1, -0.7], "sigma_change": [-12.5, 3.0]}, index=["MedInc", "AveOccup"]
    )
    kappa = pd.Series([5.68e10, 4.21e7, 6.61e7, 44.5])
    kwargs = dict(
        best=("MedInc", 0.6881), censored=censored, extreme=("AveOccup", 119.4), kappa=kappa,
        n_extreme=13, leak=leak, rmse_mean=114_486.0,
    )  # fmt: skip
    table = exploration.summary_table(toy_df, chosen="log", **kwargs)
    value = table["valor"]
    assert value["filas × variables"] == "1000 × 8"
    assert value["variable más correlacionada con el precio"] == "MedInc (r = 0.688)"
    assert value["cola más extrema"] == "AveOccup: máximo a 119 σ"
    assert (
        value["κ crudo / centrado / escalado / estandarizado"]
        == "5.68e+10 / 4.21e+07 / 6.61e+07 / 44.5"
    )
    assert value["media que más mueve la fuga"] == "AveOccup: -0.70 % de σ"
    assert value["σ que más cambia con la fuga"] == "MedInc: -12.50 %"
    assert value["preparación que elige la regla"] == "log1p de las colas + estandarizar"
    assert value["RMSE de predecir la media (prueba)"] == "114 486 $"
    none = exploration.summary_table(toy_df, chosen=None, **kwargs)
    assert none.loc["preparación que elige la regla", "valor"] == "ninguna"
