"""Notebook 03: su registro de conclusiones (``claims.nb03``) y sus análisis
(``experiments.fair_comparison`` y ``experiments.bowl``).

Cada test cambia los datos de entrada y comprueba que el veredicto, la frase o la tabla
cambian con ellos: las cifras salen de los datos, no están escritas.
"""

import math

import numpy as np
import pandas as pd
import pytest

from batchlab import labels
from batchlab.claims import nb03
from batchlab.experiments import bowl, multirun
from batchlab.experiments import fair_comparison as fair

NAMES = labels.method_labels([100, 1, 32], 100)
SIZES = {"full_batch": 100, "sgd": 1, "mini_batch": 32}


def verdicts(found):
    return {c.id: c.veredicto for c in found}


# -- claims.nb03 ------------------------------------------------------------------------
def test_reproduction_counts_the_matching_figures():
    (all_match,) = nb03.reproduction(pd.DataFrame({"match": [True] * 15}))
    assert all_match.id == "03.reproduccion" and all_match.veredicto == "se cumple"
    assert all_match.frase == "Reproducción: coinciden 15 de 15 cifras publicadas del original."
    (few,) = nb03.reproduction(pd.DataFrame({"match": [True] * 3 + [False] * 12}))
    assert few.veredicto == "no se cumple" and "solo coinciden 3 de 15" in few.frase


def test_lottery_verdicts_follow_the_divergences():
    crude, far, top = nb03.lottery(
        [True] * 9 + [False], [False] * 10, [True, True] + [False] * 8, learning_rate=0.001
    )
    assert [crude.id, far.id, top.id] == [
        "03.loteria_cruda",
        "03.filas_extremas",
        "03.una_fila_no_basta",
    ]
    assert verdicts([crude, far, top]) == {
        "03.loteria_cruda": "se cumple",
        "03.filas_extremas": "se cumple",
        "03.una_fila_no_basta": "se cumple",
    }
    assert crude.frase.startswith("Preparación original, SGD a lr 0.001, todas las filas: 9 de 10")
    assert "lr 0.001" in crude.enunciado and top.frase.startswith(
        "Sin la fila más extrema: 2 de 10"
    )
    # sin ninguna divergencia, «alguna diverge» no se puede afirmar; con muchas, «< 30 %» falla
    crude, far, top = nb03.lottery(
        [False] * 10, [True] * 9 + [False], [False] * 10, learning_rate=0.3
    )
    assert crude.veredicto == "no concluyente" and "no se puede decidir" in crude.frase
    assert "lr 0.3" in crude.frase
    assert far.veredicto == "no se cumple" and "9 de 10" in far.frase


def _summary(diverged_sgd_at_0_001: int) -> pd.DataFrame:
    rows = [
        {"method": m, "B": B, "lr": lr, "median": 0.5, "diverged_runs": 0, "runs": 10}
        for m, B in SIZES.items()
        for lr in (0.001, 0.01)
    ]
    rows[2]["diverged_runs"] = diverged_sgd_at_0_001  # sgd, lr 0.001
    rows[0]["diverged_runs"] = 7  # batch completo, lr 0.001: no debe leerse
    return pd.DataFrame(rows)


def test_stable_preparation_reads_sgd_at_the_original_rate():
    (claim,) = nb03.stable_preparation(_summary(0), learning_rate=0.001, features="log")
    assert claim.id == "03.preparacion_estable" and claim.veredicto == "se cumple"
    assert claim.frase.startswith("Preparación «log», SGD a lr 0.001: 0 de 10")
    (claim,) = nb03.stable_preparation(_summary(8), learning_rate=0.001, features="quantile")
    assert claim.veredicto == "no se cumple" and "«quantile»" in claim.frase
    assert nb03.stable_preparation(_summary(0), learning_rate=0.003, features="log") == []


def test_equal_epochs_ratio_and_missing_method():
    worse = {"full_batch": np.full(10, 5.0), "mini_batch": np.ones(10)}
    (claim,) = nb03.equal_epochs(worse, epochs=3)
    assert claim.id == "03.gd_detras_epocas" and claim.veredicto == "se cumple"
    assert "(3)" in claim.frase and "5.00 veces" in claim.frase
    better = {"full_batch": np.full(10, 0.5), "mini_batch": np.ones(10)}
    (claim,) = nb03.equal_epochs(better, epochs=7)
    assert claim.veredicto == "no se cumple" and "por delante" in claim.frase
    assert "(7)" in claim.frase and "0.50 veces" in claim.frase
    assert nb03.equal_epochs({"full_batch": np.ones(10)}, epochs=3) == []


def test_budget_claims_compare_at_the_same_checkpoint():
    rng = np.random.default_rng(0)
    curves = {
        "full_batch": 1.0 + 0.01 * rng.random((10, 11)),
        "sgd": np.hstack([np.full((10, 11), 2.0), np.full((10, 20), 0.5)]),
        "mini_batch": 1.0 + 0.01 * rng.random((10, 11)),
    }
    found = nb03.budget(curves, t_equal=10, equal_updates=100, mini_batch=32)
    assert verdicts(found) == {"03.por_paso": "se cumple", "03.por_muestra": "se cumple"}
    assert found[0].frase.startswith("Tras 100 actualizaciones, el batch completo tiene menor")
    assert found[1].frase.startswith("Tras 3200 muestras vistas, SGD tiene menor MSE")
    # SGD se lee al final de su curva: si acaba peor que el mini-batch, por_muestra falla
    curves["sgd"][:, -1] = 3.0
    found = nb03.budget(curves, t_equal=10, equal_updates=100, mini_batch=32)
    assert verdicts(found)["03.por_muestra"] == "no se cumple"
    assert (
        verdicts(nb03.budget({"sgd": curves["sgd"]}, t_equal=10, equal_updates=100, mini_batch=32))
        == {}
    )


def test_cosine_claims_count_negative_cosines():
    cosines = {1: np.r_[-np.ones(300), np.ones(700)], 16: np.ones(1000)}
    b1, b16 = nb03.cosines(cosines, mini_batch=16)
    assert (b1.id, b16.id) == ("03.coseno_b1", "03.coseno_mini_batch")
    assert b1.veredicto == "se cumple" and "300 de 1000" in b1.frase
    assert b16.veredicto == "se cumple" and b16.frase.startswith("Con B = 16, 0 de 1000")
    cosines = {1: np.ones(1000), 16: np.r_[-np.ones(200), np.ones(800)]}
    b1, b16 = nb03.cosines(cosines, mini_batch=16)
    assert b1.veredicto == "no se cumple" and b16.veredicto == "no se cumple"
    assert "200 de 1000" in b16.frase


def test_noise_ball_claim_depends_on_the_slopes():
    (root,) = nb03.noise_ball([0.5, 0.52, 0.48, 0.51, 0.49])
    assert root.id == "03.bola_raiz" and root.veredicto == "se cumple"
    assert "pendiente 0.50" in root.frase
    (linear,) = nb03.noise_ball([1.0, 1.02, 0.98, 1.01, 0.99])
    assert linear.veredicto == "no se cumple" and "pendiente 1.00" in linear.frase


# -- experiments.fair_comparison --------------------------------------------------------
def test_sweep_cells_show_divergences_and_finite_medians():
    summary = pd.DataFrame(
        {
            "method": ["sgd", "sgd", "full_batch", "full_batch"],
            "lr": [0.01, 0.1, 0.01, 0.1],
            "diverged_runs": [0, 3, 0, 10],
            "runs": [10, 10, 10, 10],
            "median": [0.31234, 0.9, 1.5, math.inf],
        }
    )
    cells = fair.sweep_cells(summary)
    assert cells.loc[0.01, "sgd"] == "0 de 10 divergen · 0.312"
    assert cells.loc[0.1, "sgd"] == "3 de 10 divergen · 0.900"
    assert cells.loc[0.1, "full_batch"] == "10 de 10 divergen"


def _chosen(reliable_sgd: bool) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "lr": [0.01, 0.003 if reliable_sgd else math.nan, 0.1],
            "median": [1.3406, 0.2695 if reliable_sgd else math.nan, 0.2767],
            "div_high": [0.278, 0.278 if reliable_sgd else math.nan, 0.278],
            "reliable": [True, reliable_sgd, True],
        },
        index=pd.Index(list(SIZES), name="method"),
    )


def test_chosen_lr_lines_say_which_method_has_no_rate():
    lines = fair.chosen_lr_lines(_chosen(True), list(SIZES), NAMES, 10)
    assert len(lines) == 3 and lines[1].startswith(
        "SGD (B=1): lr 0.003, mediana de validación 0.2695"
    )
    assert "ninguna de 10 ejecuciones" in lines[1] and "0–28%" in lines[1]
    lines = fair.chosen_lr_lines(_chosen(False), list(SIZES), NAMES, 10)
    assert lines[1].startswith("SGD (B=1): sin tasa fiable en lr_grid")
    assert lines[2].startswith("mini-batch (B=32): lr 0.1")


def test_own_rate_lines_compare_full_batch_with_the_original_rate():
    summary = _summary(0).assign(median=[2.4378, 1.3406, 0.3, 0.27, 0.5, 0.28])
    rates = {"full_batch": 0.01, "sgd": 0.003, "mini_batch": 0.1}
    lines = fair.own_rate_lines(summary, _chosen(True), rates, NAMES, 0.001)
    assert lines[0] == "Batch completo: 2.4378 con lr 0.001 → 1.3406 con su tasa (0.01)."
    assert lines[1:] == [
        "SGD (B=1) con su tasa (0.003): 0.2695.",
        "mini-batch (B=32) con su tasa (0.1): 0.2767.",
    ]
    # la tasa del original no está en el barrido, o el batch completo no tiene tasa
    assert len(fair.own_rate_lines(summary, _chosen(True), rates, NAMES, 0.5)) == 2
    no_gd = {"sgd": 0.003}
    assert fair.own_rate_lines(summary, _chosen(True), no_gd, NAMES, 0.001) == [lines[1]]


def test_budget_overrides_give_enough_epochs_for_the_budget():
    over = fair.budget_overrides(100, {"full_batch": 100, "sgd": 1, "mini_batch": 32}, {
        "full_batch": 10, "sgd": 320, "mini_batch": 10,
    })  # fmt: skip
    assert over["full_batch"] == {"max_updates": 10, "epochs": 10}
    assert over["sgd"] == {"max_updates": 320, "epochs": 4}  # 100 pasos por época
    assert over["mini_batch"] == {"max_updates": 10, "epochs": 3}  # 4 pasos por época


def test_budget_table_summarizes_each_method():
    curves = {
        "full_batch": np.array([[2.0, 0.4, 0.3], [2.0, 0.6, 0.45]]),
        "sgd": np.array([[2.0, math.inf, math.inf], [2.0, math.inf, math.inf]]),
    }
    table = fair.budget_table(curves, SIZES, every=5, t_equal=2, target=0.5)
    assert list(table.index) == ["full_batch", "sgd"] and table.index.name == "method"
    assert table.loc["full_batch"].to_dict() == {
        "B": 100,
        "median_at_budget": "0.3750",
        "reached": "2 de 2",
        "median_updates_to_target": "8",  # llegan en los pasos 5 y 10
    }
    assert table.loc["sgd", "median_at_budget"] == "divergen la mayoría"
    assert table.loc["sgd", "reached"] == "0 de 2"
    assert table.loc["sgd", "median_updates_to_target"] == "no llega"
    # las que no llegan cuentan como ∞ (no se quitan): 2 de 3 llegan en 5 y 10 pasos → 10
    curves["mini_batch"] = np.array([[2.0, 0.4, 0.3], [2.0, 0.6, 0.45], [2.0, 0.9, 0.8]])
    mini = fair.budget_table(curves, {**SIZES, "mini_batch": 32}, every=5, t_equal=2, target=0.5)
    assert mini.loc["mini_batch", ["reached", "median_updates_to_target"]].tolist() == [
        "2 de 3",
        "10",
    ]
    curves["mini_batch"][0] = [2.0, 0.9, 0.8]  # llega 1 de 3: la mediana no llega
    mini = fair.budget_table(curves, {**SIZES, "mini_batch": 32}, every=5, t_equal=2, target=0.5)
    assert mini.loc["mini_batch", "median_updates_to_target"] == "no llega"


@pytest.fixture(scope="module")
def tiny():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(80, 8))
    y = (X[:, :1] - 0.5 * X[:, 1:2]) + 0.1 * rng.normal(size=(80, 1))
    return X[:60], y[:60], X[60:], y[60:]


def test_equal_epoch_runs_give_the_test_loss_of_each_run(tiny):
    X, y, X_test, y_test = tiny
    seeds = multirun.run_seeds(2, 0, offset=100)
    sizes, rates = {"sgd": 1, "mini_batch": 16}, {"sgd": 0.01, "mini_batch": 0.05}
    hist, test = fair.equal_epoch_runs(
        X, y, (X_test, y_test), sizes, rates, init_seeds=seeds[0], shuffle_seeds=seeds[1], epochs=1
    )
    assert list(hist) == list(test) == ["sgd", "mini_batch"]
    assert [h.batch_size for h in hist["mini_batch"]] == [16, 16]
    assert test["sgd"].shape == (2,) and np.isfinite(test["sgd"]).all()
    assert test["sgd"][0] != test["sgd"][1]  # otras semillas, otra pérdida
    empty = fair.equal_epoch_runs(X, y, (X_test, y_test), {}, {}, init_seeds=[], shuffle_seeds=[])
    assert empty == ({}, {})


def test_budget_curves_stop_each_method_at_its_budget(tiny):
    X, y, X_val, y_val = tiny
    curves = fair.budget_curves(
        X, y, {"full_batch": 60, "sgd": 1}, {"full_batch": 0.05, "sgd": 0.01},
        {"full_batch": 10, "sgd": 80}, every=5, init_seeds=[0, 1], shuffle_seeds=[10, 11],
        X_val=X_val, y_val=y_val,
    )  # fmt: skip
    assert curves["full_batch"].shape == (2, 3) and curves["sgd"].shape == (2, 17)
    assert np.isfinite(curves["sgd"]).all()
    assert fair.budget_curves(X, y, {}, {}, {}, every=5, init_seeds=[], shuffle_seeds=[]) == {}


# -- experiments.bowl -------------------------------------------------------------------
def test_w_reversals_measures_the_zigzag():
    zigzag = np.array([[0.0, 0], [1, 0], [0, 0], [1, 0], [0, 0]])
    straight = np.array([[0.0, 0], [1, 0], [2, 0], [3, 0]])
    assert bowl.w_reversals(zigzag) == 1.0
    assert bowl.w_reversals(straight) == 0.0
    assert bowl.w_reversals(straight[:2]) == 0.0


def test_path_table_distance_length_and_order():
    paths = {
        "full_batch": np.array([[3.0, 4.0], [0.0, 0.0]]),
        "sgd": np.array([[0.0, 0.0], [3.0, 4.0], [0.0, 4.0]]),
    }
    table = bowl.path_table(paths, (0.0, 0.0))
    assert list(table.index) == ["full_batch", "sgd"]
    assert list(table.columns) == ["final_distance", "path_length", "w_reversals"]
    assert table.loc["full_batch", "final_distance"] == 0.0
    assert table.loc["sgd", "final_distance"] == 4.0 and table.loc["sgd", "path_length"] == 8.0
    assert table.loc["sgd", "w_reversals"] == 1.0


def test_ends_near_rejects_diverged_or_far_paths():
    assert bowl.ends_near(np.array([[9.0, 9.0], [1.0, 1.0]]), (0.0, 0.0))
    assert not bowl.ends_near(np.array([[0.0, 0.0], [30.0, 0.0]]), (0.0, 0.0))
    assert not bowl.ends_near(np.array([[0.0, 0.0], [math.inf, 0.0]]), (0.0, 0.0))


def test_radius_table_makes_the_right_law_constant():
    lrs = [0.04, 0.01, 0.0025]
    ball = pd.DataFrame(
        [
            {"seed": s, "lr": lr, "radius": 2 * math.sqrt(lr), "slope": 0.5}
            for s in (0, 1)
            for lr in lrs
        ]
    )
    table = bowl.radius_table(ball)
    assert list(table.index) == lrs and table.index.name == "lr"
    np.testing.assert_allclose(table["radius_sqrt_lr"], 2.0)
    assert table["radius_lr"].is_monotonic_increasing  # no es constante: el radio no va con η
    np.testing.assert_array_equal(bowl.slopes(ball.assign(slope=[0.5] * 3 + [0.7] * 3)), [0.5, 0.7])


def test_method_paths_share_the_start_and_the_slow_rate():
    rng = np.random.default_rng(1)
    x = rng.uniform(1, 5, 50)
    y = 0.5 * x + rng.normal(0, 0.1, 50)
    paths, same_rate = bowl.method_paths(x, y, 0.05, 12, mini_batch=8, start=(0.0, 1.0), seed=0)
    assert list(paths) == ["full_batch", "mini_batch", "sgd"]
    for p in [*paths.values(), same_rate]:
        assert p.shape == (13, 2)
        np.testing.assert_array_equal(p[0], [0.0, 1.0])
    assert not np.array_equal(paths["sgd"], same_rate)  # cinco veces más lento
    w_grid, b_grid, surface = bowl.loss_grid(x, y, (0.5, 0.0), n=20)
    assert surface.shape == (20, 20) and w_grid[0] < 0.5 < w_grid[-1]
