"""Notebook 02: sus tablas (`experiments.mlp_from_scratch`) y sus conclusiones (`claims.nb02`)."""

import math

import numpy as np
import pandas as pd
import pytest

import batchlab as bl
from batchlab.claims import FAILS, HOLDS, INCONCLUSIVE, nb02
from batchlab.data import TARGET_CAP
from batchlab.experiments import mlp_from_scratch as scratch

# --- tablas -----------------------------------------------------------------------------


def test_architecture_table_follows_the_layer_sizes():
    model = bl.MLP((8, 64, 32, 1), rng=np.random.default_rng(0))
    table = scratch.architecture_table(model)
    assert list(table.index) == [1, 2, 3]
    assert list(table["parámetros"]) == [576, 2080, 33]
    assert table["parámetros"].sum() == model.n_params
    assert list(table["activación"]) == ["ReLU", "ReLU", "lineal"]
    assert table.loc[2, "W"] == "(64, 32)" and table.loc[2, "b"] == "(32,)"
    other = scratch.architecture_table(bl.MLP((8, 5, 1), rng=np.random.default_rng(0)))
    assert list(other["parámetros"]) == [45, 6]


def _censored(error_at_cap: float):
    """Dos filas en el tope y tres por debajo; error fijo en el tope y 0,5 en el resto."""
    y_true = np.array([TARGET_CAP, TARGET_CAP, 1.0, 2.0, 3.0])
    y_pred = y_true + np.array([-error_at_cap, -error_at_cap, 0.5, -0.5, 0.5])
    return y_true, y_pred


def test_cap_errors_measures_each_group_and_their_ratio():
    top, rest, ratio = scratch.cap_errors(*_censored(2.0))
    assert top == pytest.approx(2.0) and rest == pytest.approx(0.5)
    assert ratio == pytest.approx(4.0)
    # si la red acierta más en el tope, el cociente baja de 1
    assert scratch.cap_errors(*_censored(0.25))[2] == pytest.approx(0.5)


def test_cap_errors_refuses_data_without_both_groups():
    y = np.array([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="tope"):
        scratch.cap_errors(y, y + 0.1)


def test_censorship_table_counts_rows_and_averages_predictions():
    y_true, y_pred = _censored(1.0)
    table = scratch.censorship_table(y_true, y_pred)
    assert list(table.index) == ["en el tope 5.00001", "resto"]
    assert list(table["filas"]) == [2, 3]
    assert table.loc["en el tope 5.00001", "predicción media ($100k)"] == pytest.approx(
        TARGET_CAP - 1.0
    )
    assert table["RMSE ($100k)"].tolist() == pytest.approx([1.0, 0.5])


def test_baseline_view_formats_numbers_and_marks_a_diverged_model():
    table = pd.DataFrame(
        {"test_mse": [0.34921, math.inf], "rmse_dollars": [68327.0, np.nan]},
        index=pd.Index(["linear_regression", "mlp"], name="model"),
    )
    view = scratch.baseline_view(table)
    assert list(view.columns) == ["MSE prueba (estandarizado)", "RMSE ($)"]
    assert list(view.index) == ["regresión lineal", "MLP (este notebook)"]
    assert view.iloc[0].tolist() == ["0.3492", "68 327 $"]
    assert view.iloc[1].tolist() == ["∞ (divergió)", "—"]


def test_seed_table_divides_by_the_linear_mse_and_says_which_diverged():
    table = scratch.seed_table(np.array([0.2, math.inf, 0.5]), [3, 4, 5], linear_mse=0.4)
    assert table.index.name == "semilla" and list(table.index) == [3, 4, 5]
    assert table["MSE prueba"].tolist() == ["0.2000", "divergió", "0.5000"]
    assert table["MSE / regresión lineal"].tolist() == ["0.500", "∞", "1.250"]


# --- con entrenamientos reales y diminutos ----------------------------------------------


@pytest.fixture(scope="module")
def trained(housing_split):
    """Dos redes con una época: una con una tasa razonable y otra que diverge."""
    X, y = housing_split.X_train[:400], housing_split.y_train[:400]
    models, histories = [], []
    for lr in (0.01, 5.0):
        model = bl.MLP((8, 16, 1), rng=np.random.default_rng(1))
        histories.append(bl.train(model, X, y, batch_size=8, learning_rate=lr, epochs=1, seed=0))
        models.append(model)
    return models, histories


def test_final_test_mses_is_finite_only_for_the_run_that_did_not_diverge(trained, housing_split):
    models, histories = trained
    mse = scratch.final_test_mses(histories, models, housing_split)
    assert mse.shape == (2,)
    assert np.isfinite(mse[0]) and 0 < mse[0] < 2
    assert mse[1] == math.inf


def test_finite_cap_ratios_skips_the_diverged_models(trained, housing_split):
    models, histories = trained
    mse = scratch.final_test_mses(histories, models, housing_split)
    ratios = scratch.finite_cap_ratios(models, mse, housing_split)
    assert len(ratios) == 1 and ratios[0] > 0
    y_true = housing_split.to_original_target(housing_split.y_test).ravel()
    y_pred = housing_split.to_original_target(models[0].predict(housing_split.X_test)).ravel()
    assert ratios[0] == scratch.cap_errors(y_true, y_pred)[2]
    assert scratch.finite_cap_ratios(models, [math.inf, math.inf], housing_split) == []


# --- conclusiones -----------------------------------------------------------------------


def test_divergence_claim_verdict_follows_the_count():
    ok = nb02.divergence_claim(0, 5, batch_size=32, learning_rate=0.01)
    assert ok.id == "02.entrena_sin_divergir" and ok.veredicto == HOLDS
    assert ok.enunciado.startswith("Con B = 32 y lr = 0.01, menos de la mitad")
    assert ok.frase == "Divergen 0 de 5 semillas (IC 95 % [0.00, 0.43])."
    bad = nb02.divergence_claim(5, 5, batch_size=16, learning_rate=0.5)
    assert bad.veredicto == FAILS and "demasiado grande" in bad.frase
    assert nb02.divergence_claim(2, 5, 16, 0.5).veredicto == INCONCLUSIVE


def test_comparison_claims_keep_their_ids_and_put_the_numbers_in_the_sentences():
    mse = np.array([0.2374, 0.2371, 0.2489, 0.2410, 0.2299])
    found = nb02.comparison_claims(mse, linear_mse=0.3492, trees_mse=0.1598, sklearn_mse=0.2033)
    assert [c.id for c in found] == [
        "02.mlp_mejora_lineal",
        "02.arboles_mejor_que_mlp",
        "02.sklearn_mejor_que_mlp",
    ]
    assert all(c.veredicto == HOLDS and c.n == 5 for c in found)
    linear = found[0]
    assert linear.valor == pytest.approx(np.median(mse) / 0.3492)
    assert f"mediana {linear.valor:.3f}" in linear.frase and "5 semillas)" in linear.frase
    assert "divergen" not in linear.frase


def test_comparison_claims_change_verdict_when_the_mlp_gets_worse():
    mse = np.array([0.50, 0.52, 0.55, 0.51, 0.53])
    found = nb02.comparison_claims(mse, linear_mse=0.3492, trees_mse=0.9, sklearn_mse=0.51)
    verdicts = [c.veredicto for c in found]
    assert verdicts[:2] == [FAILS, FAILS]  # peor que la lineal, mejor que los árboles
    assert verdicts[2] == INCONCLUSIVE  # el intervalo contiene el 1
    assert found[0].frase.startswith("La MLP no mejora a la regresión lineal")


def test_comparison_claims_count_diverged_runs_as_infinite_and_say_so():
    mse = np.array([0.24, math.inf, 0.25])
    linear = nb02.comparison_claims(mse, 0.35, 0.16, 0.20)[0]
    assert linear.n == 3
    assert "; 1 divergen y cuentan como ∞)" in linear.frase


def test_censorship_claim_verdict_follows_the_ratios():
    holds = nb02.censorship_claim([2.44, 2.29, 2.53, 2.40, 2.47])
    assert holds.id == "02.censura_error_mayor" and holds.veredicto == HOLDS
    assert holds.frase.startswith("El RMSE de las filas en el tope es mayor que el del resto")
    assert "mediana 2.440" in holds.frase
    fails = nb02.censorship_claim([0.8, 0.7, 0.9])
    assert fails.veredicto == FAILS and "no es mayor" in fails.frase
