"""Réplicas sobre todo lo que varía, bootstrap jerárquico, conclusiones y búsqueda de la tasa."""

import math

import numpy as np
import pandas as pd
import pytest

import batchlab as bl
from batchlab import claims, stats
from batchlab.experiments import replicates, search
from batchlab.labels import fmt


def _nested(n_splits, n_inits, n_shuffles, split_sd, init_sd, shuffle_sd, seed=0):
    rng = np.random.default_rng(seed)
    keys, values = [], []
    for s in range(n_splits):
        a = rng.normal(0, split_sd)
        for i in range(n_inits):
            b = rng.normal(0, init_sd)
            for k in range(n_shuffles):
                keys.append((s, 100 * s + i, k))
                values.append(10 + a + b + rng.normal(0, shuffle_sd))
    return np.array(keys), np.array(values)


def test_hierarchical_interval_includes_the_variation_between_splits():
    """Con divisiones muy distintas, el intervalo jerárquico es mucho más ancho que el ingenuo."""
    keys, values = _nested(5, 3, 4, split_sd=1.0, init_sd=0.1, shuffle_sd=0.05)
    _, reps = stats.hierarchical_bootstrap({"x": (keys, values)}, lambda g: np.median(g["x"]))
    lo, hi = stats.percentile_interval(reps)
    naive = stats.bootstrap_interval(values)
    assert hi - lo > 3 * (naive[1] - naive[0])
    # el mismo cálculo, la misma semilla: las mismas réplicas
    _, again = stats.hierarchical_bootstrap({"x": (keys, values)}, lambda g: np.median(g["x"]))
    np.testing.assert_array_equal(reps, again)


def test_paired_groups_share_splits_and_inits():
    """Dos métodos sobre las mismas réplicas: su cociente no hereda la variación común."""
    keys, base = _nested(4, 3, 2, split_sd=2.0, init_sd=0.5, shuffle_sd=0.0)
    a, b = base, 2 * base
    est, reps = stats.hierarchical_bootstrap(
        {"a": (keys, a), "b": (keys, b)}, lambda g: np.median(g["b"]) / np.median(g["a"])
    )
    assert est == pytest.approx(2.0)
    np.testing.assert_allclose(reps, 2.0)


def test_design_counts_and_infinite_values_are_kept():
    keys, values = _nested(3, 2, 2, 0.1, 0.1, 0.1)
    assert stats.design_counts(keys) == {"n_divisiones": 3, "n_inicializaciones": 2,
                                         "n_barajados": 2}  # fmt: skip
    values[:7] = np.inf  # 7 de 12 divergen: la mediana es ∞
    assert stats.median_inf(values) == math.inf
    _, reps = stats.hierarchical_bootstrap({"x": (keys, values)}, lambda g: np.median(g["x"]))
    assert np.isinf(reps).any()


SPEC = claims.Spec(
    "99.prueba",
    "El valor supera {umbral}",
    "valor medido",
    claims.Rule(1.0, "mayor"),
    {
        claims.HOLDS: "Sí: {valor:.2f} [{ic_bajo:.2f}, {ic_alto:.2f}] con {n} ejecuciones.",
        claims.FAILS: "No: {valor:.2f}.",
        claims.INCONCLUSIVE: "No se sabe: {valor:.2f}.",
    },
)
DESIGN = {"n_divisiones": 3, "n_inicializaciones": 3, "n_barajados": 2}


@pytest.mark.parametrize(
    ("interval", "verdict"),
    [((1.2, 1.5), claims.HOLDS), ((0.2, 0.9), claims.FAILS), ((0.8, 1.3), claims.INCONCLUSIVE)],
)
def test_rule_verdicts_and_sentences(interval, verdict):
    c = claims.measure(SPEC, 1.1, interval, n=18, design=DESIGN, umbral=1)
    assert c.veredicto == verdict
    assert c.n_divisiones == 3 and c.n_inicializaciones == 3 and c.n_barajados == 2
    assert c.enunciado == "El valor supera 1"


def test_no_verdict_at_a_search_edge_or_without_data():
    c = claims.measure(SPEC, 2.0, (1.5, 3.0), n=18, design=DESIGN, umbral=1, motivo="borde")
    assert c.veredicto == claims.NO_VERDICT and "borde" in c.frase
    c = claims.measure(SPEC, math.nan, (math.nan, math.nan), n=0, design=DESIGN, umbral=1)
    assert c.veredicto == claims.NO_VERDICT and c.to_json()["valor"] is None


def test_equivalence_is_a_tost_that_can_fail():
    rule = claims.Equivalence(0.2)
    assert rule.verdict(-0.1, 0.15) == claims.HOLDS
    assert rule.verdict(0.25, 0.6) == claims.FAILS
    assert rule.verdict(-0.1, 0.4) == claims.INCONCLUSIVE


def test_numbers_are_written_the_course_way():
    assert fmt(16512) == "16\u00a0512" and fmt(2048) == "2048"
    assert fmt(1234567.891, ".2f") == "1\u00a0234\u00a0567.89" and fmt(math.inf) == "∞"
    assert "," not in fmt(0.5, ".3f")


def test_markdown_outputs_validate_as_plain_text():
    c = claims.measure(SPEC, 1.3, (1.2, 1.5), n=18, design=DESIGN, umbral=1)
    md = claims.resultado(c)
    assert repr(md) == md._repr_markdown_() and md.text.startswith("**Resultado.**")
    table = claims.auditoria([c]).text
    assert "99.prueba" in table and "3 div. × 3 inic. × 2 baraj." in table and "…" not in table


def test_a_proportion_interval_is_never_narrower_than_wilson():
    keys, _ = _nested(3, 3, 2, 0.1, 0.1, 0.1)
    hits = np.zeros(len(keys), bool)  # 0 de 18: el bootstrap solo daría [0, 0]
    spec = claims.Spec("99.div", "diverge", "proporción", claims.Rule(0.3, "menor"),
                       {v: "{k} de {n}" for v in claims.VERDICTS[:3]})  # fmt: skip
    c = claims.proportion(spec, hits, keys)
    assert c.ic_bajo == 0 and c.ic_alto == pytest.approx(stats.wilson_interval(0, 18)[1])
    assert c.veredicto == claims.HOLDS


def test_design_seeds_are_reproducible_distinct_and_nested():
    d = replicates.Design(42, 3, 3, 2)
    assert d.splits == [42, 1042, 2042] and d.size == 18
    inits = [i for s in d.splits for i in d.inits(s)]
    assert len(set(inits)) == 9 and d.inits(1042) == replicates.Design(42, 3, 3, 2).inits(1042)
    assert d.shuffles(42, d.inits(42)[0]) != d.shuffles(1042, d.inits(1042)[0])


def test_run_design_covers_every_replicate_and_full_batch_once_per_init():
    df = bl.load_housing().sample(800, random_state=0)
    d = replicates.Design(7, 2, 2, 2)
    splits = replicates.prepare_splits(df, d)
    configs = [replicates.Config(16, 0.01), replicates.Config(None, 0.05)]
    table = replicates.run_design(configs, d, splits, epochs=1)
    small, full = table[table["B"] == 16], table[table["B"] > 16]
    assert len(small) == 8 and len(full) == 4  # B = N: un barajado por inicialización
    assert stats.design_counts(replicates.keys_of(small))["n_barajados"] == 2
    assert np.isfinite(table["test_loss"]).all() and set(table["split"]) == set(d.splits)


def _fake_evaluate(best):
    """Una «pérdida» con mínimo en `best` (log) y divergencia por encima de 10·best."""

    def evaluate(rates):
        rows = []
        for B, lrs in rates.items():
            for lr in lrs:
                for k in range(3):
                    div = lr > 10 * best
                    loss = math.inf if div else 1 + (math.log10(lr / best)) ** 2
                    rows.append({"B": B, "lr": lr, "seed": k, "val_loss": loss,
                                 "diverged": div, "improved": not div})  # fmt: skip
        return pd.DataFrame(rows)

    return evaluate


def test_a_search_at_its_edge_extends_until_the_optimum_is_interior():
    runs, best = search.search_rates(_fake_evaluate(0.3), {8: [0.001, 0.01, 0.03]})
    assert best.loc[8, "edge"] == "" and best.loc[8, "extended"] >= 2
    assert best.loc[8, "lr"] == pytest.approx(0.3, rel=0.5)
    # sin pasos para ampliar, se queda en el borde y lo dice
    _, stuck = search.search_rates(_fake_evaluate(0.3), {8: [0.001, 0.01]}, max_steps=0)
    assert stuck.loc[8, "edge"] == "top"
