"""Las piezas del notebook 04 que viven en el paquete: conclusiones, tablas y textos.

Cada test cambia los datos de entrada y comprueba que el veredicto, la tabla o la frase
cambian con ellos (y que las frases llevan las cifras).
"""

import math

import numpy as np
import pandas as pd
import pytest

from batchlab import claims, stats
from batchlab.claims import nb04, nb04_budget
from batchlab.experiments import (
    batch_rate,
    critical_batch,
    equal_budget,
    gd_curvature,
    heavy_rows,
    schedule_comparisons,
)
from batchlab.experiments.grid import Task

BS = [8, 32, 128, 512, 2048]
COL = {B: j for j, B in enumerate(BS)}


def _reps(values, spread=0.01, n=200, seed=0):
    """Réplicas alrededor de `values` (una columna por valor)."""
    rng = np.random.default_rng(seed)
    values = np.atleast_1d(np.asarray(values, dtype=float))
    return values * (1 + spread * rng.standard_normal((n, values.size)))


# -- conclusiones (claims.nb04) --------------------------------------------------------
def test_frontier_claim_follows_the_ratio_of_stable_rates():
    up = pd.Series([0.01, 0.03, 0.05, 0.1, 0.1], index=BS)
    claim = nb04.frontier_claim(BS, up, _reps(up.to_numpy()), COL, n=5)
    assert claim.id == "04.rejilla.frontera" and claim.veredicto == "se cumple"
    assert "ε_estable(512)/ε_estable(8) = 10.00" in claim.frase
    down = up[::-1].set_axis(BS)
    flat = nb04.frontier_claim(BS, down, _reps(down.to_numpy()), COL, n=5)
    assert flat.veredicto == "no se cumple" and "(0.30 [" in flat.frase


def test_linear_pair_takes_the_batch_closest_to_128_in_log_scale():
    assert nb04.linear_pair([8, 100, 200, 1000]) == (8, 100)
    assert nb04.linear_pair([4, 16, 256]) == (4, 256)


def test_linear_rule_claim_measures_the_log_log_slope():
    linear = pd.Series([0.001 * B for B in BS], index=BS)
    claim = nb04.linear_rule_claim(linear, _reps(linear.to_numpy()), COL, 8, 128, n=5)
    assert claim.veredicto == "se cumple" and claim.valor == pytest.approx(1.0)
    flat = pd.Series(0.1, index=BS)
    claim = nb04.linear_rule_claim(flat, _reps(flat.to_numpy()), COL, 8, 128, n=5)
    assert claim.veredicto == "no se cumple" and "pendiente 0.00" in claim.frase
    broken = linear.copy()
    broken[8] = math.nan
    claim = nb04.linear_rule_claim(broken, _reps(broken.to_numpy()), COL, 8, 128, n=5)
    assert claim.veredicto == "no concluyente" and claim.n == 0


def test_rate_noise_claim_compares_b_noise_with_128():
    small = nb04.rate_noise_claim(20.0, np.linspace(10, 40, 50), n=5)
    large = nb04.rate_noise_claim(900.0, np.linspace(500, 2000, 50), n=5)
    assert (small.veredicto, large.veredicto) == ("se cumple", "no se cumple")
    assert "B_ruido = 900" in large.frase


def test_step_scale_claims_add_b_simple_only_with_data():
    reps = np.linspace(40, 50, 100)
    only = nb04.step_scale_claims(BS, 45.0, reps, np.array([]), 3)
    assert [c.id for c in only] == ["04.escala.b_ruido_pasos"]
    assert only[0].veredicto == "se cumple" and "(B_ruido de los pasos > 32)" in only[0].enunciado
    both = nb04.step_scale_claims(BS, 45.0, reps, np.array([600.0, 700.0, 800.0]), 3)
    assert both[1].id == "04.escala.b_simple_sobrestima" and both[1].veredicto == "se cumple"
    below = nb04.step_scale_claims(BS, 45.0, reps, np.array([4.0, 5.0, 6.0]), 3)[1]
    assert below.veredicto == "no se cumple"
    assert len(nb04.step_scale_claims(BS, math.nan, reps, np.array([600.0]), 3)) == 1


def test_noise_claims_put_the_slope_in_every_sentence():
    good = nb04.noise_claims(-1.0, np.linspace(-1.02, -0.98, 100), 50, [-0.4, -0.3, -0.2])
    assert [c.veredicto for c in good] == ["se cumple", "se cumple"]
    assert "pendiente -1.000" in good[0].frase
    bad = nb04.noise_claims(-0.5, np.linspace(-0.55, -0.45, 100), 50, [])
    assert len(bad) == 1 and bad[0].veredicto == "no se cumple"
    assert "pendiente -0.500" in bad[0].frase and "{" not in bad[0].frase


def test_initial_bound_claim_counts_runs_that_do_not_diverge():
    assert nb04.initial_bound_claim(0.056, 5, 5, 10).veredicto == "se cumple"
    claim = nb04.initial_bound_claim(0.056, 0, 5, 10)
    assert claim.veredicto == "no se cumple" and "lr = 0.056" in claim.frase
    assert "(0 de 5 sin divergir)" in claim.frase


# -- conclusiones (claims.nb04_budget) -------------------------------------------------
REGIMES = {"epochs": "mismas épocas", "updates": "mismas actualizaciones"}


def _dif_reg(epochs_gap, updates_gap):
    return {
        ("epochs", "test"): (epochs_gap, np.linspace(epochs_gap - 0.01, epochs_gap + 0.01, 100)),
        ("updates", "test"): (
            updates_gap,
            np.linspace(updates_gap - 0.01, updates_gap + 0.01, 100),
        ),
    }


def test_regime_claims_and_hoffer_depend_on_the_epochs_gap():
    closed = nb04_budget.regime_claims(_dif_reg(0.1, 0.0), REGIMES, 8, 128, n=5)
    assert [c.id for c in closed] == [
        "04.generalizacion.epocas_prueba",
        "04.generalizacion.actualizaciones_prueba",
        "04.generalizacion.hoffer",
    ]
    assert closed[0].veredicto == "se cumple" and "como sostienen Hoffer" in closed[2].frase
    none = nb04_budget.regime_claims(_dif_reg(0.0, -0.1), REGIMES, 8, 128, n=5)
    assert none[0].veredicto == "no concluyente" and "aunque" in none[2].frase
    assert none[1].veredicto == "no se cumple" and "-0.1000" in none[1].frase


def test_keskar_claim_compares_log_sharpness():
    fin = pd.DataFrame({"B": [8] * 4 + [128] * 4, "lambda_max": [10.0] * 4 + [100.0] * 4})
    fin["lambda_max"] *= np.tile([1.0, 1.01, 0.99, 1.02], 2)
    claim = nb04_budget.keskar_claim(fin, 8, 128, n=4)
    assert claim.veredicto == "se cumple" and claim.valor == pytest.approx(1.0, abs=0.02)
    assert nb04_budget.keskar_claim(fin, 128, 8, n=4).veredicto == "no se cumple"


def test_optimizer_claims_divide_by_the_sgd_noise_scale():
    fits = {"sgd": (100.0, 50.0), "nesterov": (50.0, 100.0), "adam": (40.0, 25.0)}
    reps = {k: np.column_stack([_reps(v[0])[:, 0], _reps(v[1])[:, 0]]) for k, v in fits.items()}
    nesterov, adam = nb04_budget.optimizer_claims(fits, reps, n=3)
    assert nesterov.id == "04.optim.b_critico_nesterov" and nesterov.veredicto == "se cumple"
    assert adam.veredicto == "no se cumple" and "cociente 0.50" in adam.frase
    # una tasa elegida en el borde de su búsqueda (aquí la de SGD con B = 8): sin veredicto
    edges = {"sgd": [8], "nesterov": [], "adam": []}
    for claim in nb04_budget.optimizer_claims(fits, reps, n=3, edges=edges):
        assert claim.veredicto == "sin veredicto" and "SGD con B = 8" in claim.frase
        assert claim.valor == pytest.approx(fits[claim.id.split("_")[-1]][1] / 50.0)
    assert "⚪ sin veredicto" in claims.table([claim])["veredicto"].iloc[0]


def test_edge_batches_finds_the_rates_chosen_at_an_end_of_their_candidates():
    runs = pd.DataFrame({"B": [8, 8, 8, 32, 32, 32, 64], "lr": [0.1, 0.3, 1.0] * 2 + [0.5]})
    tables = {"sgd": pd.DataFrame({"lr": [1.0, 0.3, 0.5]}, index=pd.Index([8, 32, 64], name="B"))}
    # B = 8 eligió la mayor; B = 32, una interior; B = 64 solo probó una (no hay borde que decir)
    assert critical_batch.edge_batches({"sgd": runs}, tables) == {"sgd": [8]}
    claim = nb04.step_scale_claims(BS, 45.0, np.full((20, 2), 45.0), np.array([]), 3, edges=[8])[0]
    assert claim.veredicto == "sin veredicto" and "B = 8 es un extremo" in claim.frase


def test_smith_and_blog_claims():
    assert nb04_budget.smith_claim([0.001, -0.002, 0.0005]).veredicto == "se cumple"
    assert nb04_budget.smith_claim([0.3, -0.2, 0.25, 0.4, -0.3]).veredicto == "no se cumple"
    assert nb04_budget.blog_claim(0, 3).frase.endswith("(0 de 3 a favor).")
    assert nb04_budget.blog_claim(30, 30).veredicto == "se cumple"


def test_advice_gives_one_line_per_claim_and_the_heavy_tails_line():
    claims = [
        nb04_budget.smith_claim([0.001, -0.002, 0.0005]),
        nb04_budget.keskar_claim(
            pd.DataFrame({"B": [8, 8, 128, 128], "lambda_max": [100.0, 101, 10, 10.1]}), 8, 128, 2
        ),
    ]
    lines = nb04_budget.advice(claims, 8, 128, 1.0, True, 8)
    assert len(lines) == len(nb04_budget.advice_table(8, 128)) + 1
    assert any("Subir B por fases sustituye" in line for line in lines)
    assert any("B=128 no acaba en un mínimo más afilado que B=8" in line for line in lines)
    assert any(line.startswith("• Sin consejo") for line in lines)
    assert "al menos +1.00 décadas" in lines[-1]
    assert "no movió la frontera" in nb04_budget.advice(claims, 8, 128, 0.2, False, 8)[-1]


# -- experimentos: la rejilla (batch_rate) ---------------------------------------------
def test_batch_sizes_for_maps_zero_to_n_and_refuses_too_few():
    assert batch_rate.batch_sizes_for([8, 0, 100_000, 32], 1000) == [8, 32, 1000]
    with pytest.raises(ValueError, match="al menos 3"):
        batch_rate.batch_sizes_for([32, 0, 100_000], 1000)
    with pytest.raises(ValueError, match="quantile"):
        batch_rate.check_features("robusto")


def _optima(flags):
    return pd.DataFrame(
        {"opt": [0.01, 0.1, math.nan], "stable": [0.03, 0.3, math.nan], "flags": flags},
        index=[8, 128, 1024],
    )


def test_flag_warnings_say_the_most_serious_flag_once():
    lines = batch_rate.flag_warnings(
        _optima(["", "borde superior, en la frontera", "todas divergen"])
    )
    assert lines == [
        "B=128: la mejor tasa está en el borde superior de la rejilla: amplía `lr_grid`.",
        "B=1024: todas las tasas divergen con algún barajado: amplía `lr_grid` hacia abajo.",
    ]
    assert batch_rate.flags_note(_optima(["", "", ""]), (8, 128)) == ""
    assert "(en la frontera)" in batch_rate.flags_note(
        _optima(["en la frontera", "", ""]), (8, 128)
    )
    # solo lleva bandera B=8: el aviso no nombra a B=128
    only_8 = batch_rate.flags_note(_optima(["en la frontera", "", ""]), (8, 128))
    assert only_8 == "Ojo: el óptimo de B=8 (en la frontera) lleva bandera."


def test_curvature_table_and_report_count_the_stability_ratio():
    lam_fin = pd.Series([20.0, 2.0], index=[8, 128])
    table = batch_rate.curvature_table(_optima(["", "", ""]), lam_fin)
    assert table["sharpness_ratio"].tolist() == pytest.approx([0.1, 0.1])
    assert set(batch_rate.CURVATURE_HEADERS) == set(table.columns)
    final_runs = pd.DataFrame({"diverged": [False, True]})
    text = batch_rate.curvature_report(table, 50.0, final_runs)
    assert "en 1 de 2 B" in text and "1 ejecuciones en el óptimo divergieron" in text
    assert "Ningún B" in batch_rate.curvature_report(table.iloc[:0], 50.0, final_runs)


def test_fit_batches_and_excluded_note_count_updates():
    assert batch_rate.fit_batches([8, 512, 4096], 4096, 10, 50) == [8, 512]
    assert batch_rate.excluded_note([8, 512, 4096], 4096, 10, 50).endswith("B=4096 (10).")
    assert batch_rate.excluded_note([8, 512], 4096, 10, 50) == ""


def test_rate_fit_report_warns_at_the_edge_of_the_search():
    reps = np.column_stack([np.full(10, 0.2), np.linspace(40, 80, 10)])
    inside = batch_rate.rate_fit_report((0.2, 60.0), reps, 10, [8, 32])
    assert "B_ruido = 60" in inside and "regla lineal desde B=8" in inside
    edge = batch_rate.rate_fit_report((0.2, 1e7), reps, 10, [8, 32])
    assert "Ojo: B_ruido está en un extremo" in edge


# -- experimentos: la escala crítica (critical_batch) ----------------------------------
def test_step_candidates_respect_the_largest_batch():
    optima = _optima(["", "", ""])
    valid = optima[np.isfinite(optima["opt"])]
    assert list(critical_batch.step_candidates(valid, optima, 0)) == [8, 128]
    only = critical_batch.step_candidates(valid, optima, 32)
    assert list(only) == [8] and max(only[8]) == pytest.approx(0.03, rel=0.1)


def test_scale_estimates_and_report_without_b_simple():
    est = critical_batch.scale_estimates((58.0, 6.0, 201.0), (45.0, 40.0, 51.0), np.array([]))
    assert all(math.isnan(v) for v in est["b_simple"])
    assert list(critical_batch.estimate_labels(est))[2] == "(c) B_simple en el objetivo"
    text = critical_batch.scale_report(23.0, est)
    assert "(a) ajuste de ε_opt: 58 [IC 95 % 6, 201]" in text
    assert text.endswith("(c) B_simple en el objetivo: sin datos.")


def test_typical_ratios_use_median_over_mean_of_small_batches():
    draws = pd.DataFrame({"B": [2] * 3 + [512] * 3, "sq_error": [1.0, 1.0, 7.0, 1.0, 2.0, 3.0]})
    assert critical_batch.typical_ratios(draws, [2, 512]) == [pytest.approx(math.log10(1 / 3))]


def test_noise_along_training_without_valid_batches_says_so(model, small):
    X, y = small
    empty = pd.DataFrame(columns=["opt"])
    table, text = critical_batch.noise_along_training(model, X, y, empty, [0, 1], seed=0)
    assert table.empty and "Ningún B" in text
    valid = pd.DataFrame({"opt": [0.01]}, index=[30])
    table, text = critical_batch.noise_along_training(model, X, y, valid, [0, 1, 2], seed=0)
    assert "Entrenamiento con B=30, lr=0.01" in text and len(table) == 3


def test_optimizer_report_explains_a_missing_fit():
    tables = {"sgd": pd.DataFrame({"lr": [0.1], "steps": [10.0]}, index=[8])}
    text = critical_batch.optimizer_report(
        tables, {"sgd": (math.nan, math.nan)}, {"sgd": np.ones((5, 2))}
    )
    assert text.startswith("sgd: sin ajuste")


# -- experimentos: filas extremas, curvatura, presupuesto y programas ------------------
def test_max_share_finds_the_row_that_dominates_the_gradient_noise(model, small):
    X, y = small[0][:40].copy(), small[1][:40]
    X[17] = 50.0  # una fila extrema
    share, row = heavy_rows.max_share(model, X, y)
    assert row == 17 and share > 0.5
    assert "la fila 17 aporta" in heavy_rows.share_report({"log": (share, row)}, 50.0)


def test_frontier_shift_is_a_lower_bound_when_nothing_diverges():
    abl = pd.DataFrame({"first_diverging_lr": [0.001, math.nan]}, index=["standard", "log"])
    decades, bound, text = heavy_rows.frontier_shift(abl, "log", [0.001, 0.01, 0.1], 8)
    assert bound and decades == pytest.approx(2.0) and "al menos +2.00 décadas" in text
    decades, bound, text = heavy_rows.frontier_shift(abl, "standard", [0.1], 8)
    assert math.isnan(decades) and not bound and "no hay frontera" in text


def test_ablation_table_shows_spanish_headers_and_k_of_n():
    abl = pd.DataFrame(
        {"max_abs_z": [30.0, 4.0], "first_diverging_lr": [0.01, math.nan]}
        | {"diverged_runs": [3, 0], "runs": [35, 35]},
        index=pd.Index(["standard", "log"], name="features"),
    )
    shown = heavy_rows.ablation_table(abl)
    assert shown.index.name == "preparación"
    assert list(shown.columns) == list(heavy_rows.ABLATION_HEADERS.values())[1:]
    assert shown.loc["standard", "divergidas (todas las tasas)"] == "3 de 35"


def test_full_batch_trace_and_report():
    optima = pd.DataFrame({"opt": [0.1, math.nan]}, index=[8, 100])
    assert gd_curvature.full_batch_rate(optima, 8) == 0.1
    assert math.isnan(gd_curvature.full_batch_rate(optima, 100))
    assert math.isnan(gd_curvature.full_batch_rate(optima, 5))
    trace = pd.DataFrame({"loss": [1.0, 2.0], "lambda_max": [50.0, 30.0]})
    assert "La pérdida sube" in gd_curvature.trace_report(trace, 0.05)
    assert gd_curvature.trace_report(trace.iloc[:1], 0.05) == ""


def test_above_initial_bound_trains_only_beyond_each_bound(small):
    X, y = small[0][:64], small[1][:64]
    grid = pd.DataFrame({"B": [64, 64, 8], "lr": [0.01, 10.0, 10.0]})
    test = gd_curvature.above_initial_bound(grid, X, y, 1.0, 2, 1, 0)
    assert test["lr"] == 10.0 and len(test["lambdas"]) == 2
    assert len(test["histories"]) == sum(10.0 > 2 / lam for lam in test["lambdas"])
    assert gd_curvature.above_initial_bound(grid, X, y, 0.01, 2, 1, 0) is None


def test_compared_pair_leaves_out_batches_short_of_updates():
    rows = []
    for B, upd, test in ((8, 100, 0.3), (32, 100, 0.5), (128, 40, 0.6)):
        for regime in ("epochs", "updates"):
            for seed in (0, 1):
                rows.append({"B": B, "regime": regime, "updates": upd, "diverged": False})
                rows[-1] |= {"test": test + 0.01 * seed, "gap": 0.0}
    longer = pd.DataFrame(rows)
    h0, h1, lines = equal_budget.compared_pair(longer, [8, 32, 128], 40)
    assert (h0, h1) == (8, 32) and lines[0].startswith("B=128 llega al tope")
    diffs = equal_budget.regime_differences(longer, ["epochs", "updates"], h0, h1)
    assert diffs[("updates", "test")][0] == pytest.approx(0.2)
    text = equal_budget.differences_lines(diffs, REGIMES, h0, h1)
    assert text[0].startswith("mismas épocas: MSE de prueba(B=32) − MSE de prueba(B=8) = +0.2000")
    longer.loc[longer.B == 32, "diverged"] = True
    assert equal_budget.compared_pair(longer, [8, 32, 128], 40)[:2] == (8, 128)


def test_gap_pair_and_validation_note():
    summary = pd.DataFrame({"reached": [3, 1, 2]}, index=[8, 64, 512])
    assert equal_budget.gap_pair(summary, [8, 64, 512]) == (8, 512)
    assert equal_budget.gap_pair(summary.assign(reached=[2, 0, 0]), [4, 64, 1024]) == (4, 1024)
    med = pd.Series([0.25, 0.5], index=[8, 512])
    assert "(diferencia +0.2500)" in equal_budget.validation_note(med, 8, 512, 0.1, 10)
    assert equal_budget.validation_note(med, 8, 512, math.nan, 10) == ""


def test_smith_programs_need_room_for_25_times_the_batch():
    valid = pd.DataFrame({"opt": [0.1]}, index=[32])
    b_s, lr_s, programs = schedule_comparisons.smith_programs(valid, 1000, 10)
    assert (b_s, lr_s) == (32, 0.1) and programs["raise_batch"][2] == (2, 800, 0.1)
    assert set(programs) == set(schedule_comparisons.PROGRAM_NAMES)
    assert schedule_comparisons.smith_programs(valid, 700, 10)[2] is None


def test_paired_delta_and_rule_count():
    smith = pd.DataFrame(
        {"program": ["raise_batch"] * 2 + ["lower_rate"] * 2, "seed": [0, 1, 1, 0]}
        | {"val": [0.3, 0.5, 0.4, 0.1]}
    )
    assert schedule_comparisons.paired_delta(smith).tolist() == pytest.approx([0.2, 0.1])
    blog = pd.DataFrame(
        [
            {"mode": "per_epoch", "B": B, "lr": lr, "seed": s, "final": final}
            for s in (0, 1)
            for B, lr, final in ((32, 0.01, 0.2), (32, 1.0, 0.3 - 0.2 * s), (2048, 1.0, 0.1))
        ]
    )
    assert schedule_comparisons.rule_count(blog, [0, 1]) == 1
    text = schedule_comparisons.winners_report(blog, {"per_epoch": "por época"})
    assert text == "Decaimiento por época: gana B=2048, lr=1 (mediana 0.1000)."


def test_run_programs_trains_each_program_with_each_seed(model, small):
    X, y = small
    programs = {"constant": [(1, 30, 0.01)], "raise_batch": [(1, 30, 0.01), (1, 150, 0.01)]}
    smith = schedule_comparisons.run_programs(Task(model, X, y, X, y), programs, [0, 1])
    assert len(smith) == 4 and set(smith["program"]) == set(programs)
    ups = smith.groupby("program")["updates"].first()
    assert ups["raise_batch"] == ups["constant"] + 2
    table = schedule_comparisons.program_table(smith)
    assert table.index.name == "programa" and list(table.index) == ["constante", "subir B"]
    assert list(table.columns) == ["mediana", "mínimo", "máximo", "actualizaciones", "muestras"]


def _gaps(gap0, gap1, n_splits=3, n_inits=3):
    """Una tabla como la de gap_replicates: B = 8 y 128 en cada división e inicialización."""
    rows = []
    for B, gap in ((8, gap0), (128, gap1)):
        for i, (s, j) in enumerate((s, j) for s in range(n_splits) for j in range(n_inits)):
            rows.append({"split": 100 + s, "init": 10 * s + j, "seed": 7, "B": B, "gap": gap[i]})
    return pd.DataFrame(rows)


def test_gap_claim_uses_every_split_and_init_and_counts_runs_that_never_arrive():
    rng = np.random.default_rng(0)
    small = 0.001 + 0.0005 * rng.standard_normal(9)
    larger = _gaps(small, small + 0.01)
    claim = nb04_budget.gap_claim(larger, 8, 128, n_boot=200)
    assert claim.veredicto == "se cumple" and claim.valor == pytest.approx(0.01, abs=0.002)
    assert (claim.n_divisiones, claim.n_inicializaciones, claim.n_barajados) == (3, 3, 1)
    assert nb04_budget.gap_claim(_gaps(small + 0.01, small), 8, 128, n_boot=200).veredicto == (
        "no se cumple"
    )
    # lo que comparten los dos B en una división e inicialización se cancela al emparejar: un
    # bootstrap de cada B por separado (stats.median_difference) no vería el efecto
    offset = 0.05 * rng.standard_normal(9)
    paired = nb04_budget.gap_claim(_gaps(offset + small, offset + 0.01 + small[::-1]), 8, 128,
                                   n_boot=200)  # fmt: skip
    _, flat = stats.median_difference(offset + small, offset + 0.01 + small[::-1])
    assert paired.veredicto == "se cumple" and np.quantile(flat, 0.025) < 0
    lost = small + 0.01
    lost[:2] = np.nan  # a B=128 le faltan 2 de 9: aún se decide; con 3 (más de 1 de cada 4), no
    assert nb04_budget.gap_claim(_gaps(small, lost), 8, 128, n_boot=200).veredicto == "se cumple"
    lost[2] = np.nan
    none = nb04_budget.gap_claim(_gaps(small, lost), 8, 128, n_boot=200)
    assert none.veredicto == "sin veredicto" and "3 de 9" in none.frase
    # una sola ejecución por B no sostiene un intervalo (el bootstrap daría ancho 0)
    one = _gaps(small[:1], small[:1] + 0.01, n_splits=1, n_inits=1)
    assert nb04_budget.gap_claim(one, 8, 128, n_boot=50).veredicto == "sin veredicto"


def test_keskar_claim_over_replicates_counts_runs_without_sharpness():
    rng = np.random.default_rng(1)
    lam0 = 10 * (1 + 0.01 * rng.standard_normal(9))
    runs = _gaps(lam0, 10 * lam0).rename(columns={"gap": "lambda_max"})
    claim = nb04_budget.keskar_claim(runs, 8, 128, n_boot=200)
    assert claim.veredicto == "se cumple" and claim.valor == pytest.approx(1.0, abs=0.02)
    assert (claim.n_divisiones, claim.n_inicializaciones, claim.n) == (3, 3, 9)
    runs.loc[(runs.B == 128) & (runs.split == 100), "lambda_max"] = np.nan  # 3 de 9 divergen
    lost = nb04_budget.keskar_claim(runs, 8, 128, n_boot=200)
    assert lost.veredicto == "sin veredicto" and "3 de 9" in lost.frase
