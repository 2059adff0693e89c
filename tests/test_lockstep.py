"""train_many: K entrenamientos a la vez dan los mismos números que K llamadas a train()."""

import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

import batchlab as bl
from batchlab.training import DIVERGENCE_FACTOR, lockstep, train_many
from batchlab.training._stack_record import EVAL_ROWS, block_loss

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"
sys.path.insert(0, str(BENCH))

import bench_lockstep  # noqa: E402

# train_many frente a train() y los pasos a mano, bit a bit: con el bucle de NumPy
pytestmark = pytest.mark.usefixtures("numpy_loop")

#: campos de History que no son tiempos (los tiempos de train_many son amortizados)
FIELDS = (
    "batch_size",
    "learning_rate",
    "decay",
    "seed",
    "n_samples",
    "epochs_requested",
    "initial_train_loss",
    "initial_val_loss",
    "train_loss",
    "train_loss_end",
    "val_loss",
    "update_loss",
    "samples_seen",
    "checkpoint_updates",
    "checkpoint_loss",
    "n_updates",
    "diverged",
    "stop_reason",
    "optimizer",
)


def models(k, start=0):
    return [bl.MLP(rng=np.random.default_rng(start + i)) for i in range(k)]


def assert_same_run(h, g, model, twin, rtol=1e-12):
    """Misma historia (salvo tiempos) y mismos pesos finales, hasta `rtol`."""
    for name in FIELDS:
        a, b = getattr(h, name), getattr(g, name)
        if isinstance(b, np.ndarray):
            assert a.shape == b.shape, name
            np.testing.assert_allclose(a, b, rtol=rtol, atol=0, err_msg=name)
        elif isinstance(b, float):
            assert a == pytest.approx(b, rel=rtol), name
        else:
            assert a == b, name
    assert len(h.epoch_time) == len(g.epoch_time)
    assert len(h.checkpoint_time) == len(g.checkpoint_time)
    np.testing.assert_allclose(model.theta, twin.theta, rtol=rtol, atol=1e-300)


def compare(X, y, lrs, seeds, k=None, **kw):
    """train_many frente a train() run a run, desde los mismos pesos iniciales."""
    k = k or len(lrs)
    start = models(k)
    ours, theirs = [m.copy() for m in start], [m.copy() for m in start]
    lr_list = lrs if isinstance(lrs, list) else [lrs] * k
    seed_list = seeds if isinstance(seeds, list) else [seeds] * k
    H = train_many(ours, X, y, learning_rates=lrs, seeds=seeds, **kw)
    G = [
        bl.train(m, X, y, learning_rate=lr, seed=s, **kw)
        for m, lr, s in zip(theirs, lr_list, seed_list, strict=True)
    ]
    assert len(H) == k
    for h, g, m, t in zip(H, G, ours, theirs, strict=True):
        assert_same_run(h, g, m, t)
    return H, G


LRS = [0.001, 0.004, 0.002, 0.003]
SEEDS = [0, 1, 2, 2]


@pytest.mark.parametrize("batch_size", [1, 7, 32, "full"])
def test_same_histories_and_weights_as_train(small, batch_size):
    X, y = small
    H, _ = compare(X, y, LRS, SEEDS, batch_size=batch_size, epochs=3)
    assert all(h.stop_reason == "epochs" for h in H)
    # los runs son de verdad distintos: la comparación no es trivial
    assert len({h.update_loss[-1] for h in H}) == len(H)


def test_stacked_path_is_really_used(small, monkeypatch):
    """Con B pequeño no se cae en train(): el bucle apilado es el que se compara."""
    X, y = small
    monkeypatch.setattr(lockstep, "train", None)
    compare_to = [
        bl.train(m, X, y, batch_size=7, learning_rate=0.01, seed=s, epochs=2)
        for m, s in zip(models(3), [0, 1, 2], strict=True)
    ]
    ours = models(3)
    H = train_many(ours, X, y, batch_size=7, learning_rates=0.01, seeds=[0, 1, 2], epochs=2)
    for h, g in zip(H, compare_to, strict=True):
        np.testing.assert_allclose(h.update_loss, g.update_loss, rtol=1e-12)


def test_decay_validation_and_adam(small, housing_split):
    X, y = small
    Xv, yv = housing_split.X_test[:80], housing_split.y_test[:80]
    compare(X, y, LRS, SEEDS, batch_size=7, epochs=3, decay=0.05, X_val=Xv, y_val=yv, progress=True)
    H, _ = compare(X, y, LRS, SEEDS, batch_size=7, epochs=3, optimizer="adam", decay=0.01)
    assert all(h.optimizer == "adam" for h in H)
    compare(X, y, LRS, SEEDS, batch_size=1, epochs=2, optimizer="adam", X_val=Xv, y_val=yv)


@pytest.mark.parametrize("batch_size", [1, 7, 32, "full"])
def test_nesterov_same_as_train_with_decay_and_validation(small, housing_split, batch_size):
    X, y = small
    Xv, yv = housing_split.X_test[:80], housing_split.y_test[:80]
    lrs = [0.0005, 0.002, 0.001, 0.0015] if batch_size == 1 else [0.002, 0.008, 0.004, 0.006]
    H, _ = compare(
        X,
        y,
        lrs,
        SEEDS,
        batch_size=batch_size,
        epochs=2 if batch_size == 1 else 3,
        optimizer="nesterov",
        decay=0.01,
        X_val=Xv,
        y_val=yv,
    )
    assert all(h.optimizer == "nesterov" and not h.diverged for h in H)
    assert len({h.update_loss[-1] for h in H}) == len(H)
    compare(X, y, lrs, SEEDS, batch_size=batch_size, epochs=2, optimizer="nesterov", momentum=0.5)


def test_nesterov_stacked_path_freezes_a_diverging_run(small, monkeypatch):
    """Con B pequeño Nesterov va por la pila (no por train()); un run que diverge sale y los
    demás siguen con su velocidad (el estado de la pila reducida es el suyo)."""
    X, y = small
    lrs, seeds = [0.004, 3.0, 0.002, 0.02, 0.006], [0, 1, 2, 3, 4]
    start = models(5)
    alone = [
        bl.train(m, X, y, batch_size=7, learning_rate=lr, seed=s, epochs=3, optimizer="nesterov")
        for m, lr, s in zip([m.copy() for m in start], lrs, seeds, strict=True)
    ]
    monkeypatch.setattr(lockstep, "train", None)
    ours = [m.copy() for m in start]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # ningún RuntimeWarning de NumPy escapa
        H = train_many(
            ours,
            X,
            y,
            batch_size=7,
            learning_rates=lrs,
            seeds=seeds,
            epochs=3,
            optimizer="nesterov",
        )
    assert (
        [h.diverged for h in H] == [g.diverged for g in alone] == [False, True, False, True, False]
    )
    assert H[1].n_updates < H[0].n_updates
    for h, g in zip(H, alone, strict=True):
        assert (h.n_updates, h.stop_reason) == (g.n_updates, g.stop_reason)
        np.testing.assert_allclose(h.update_loss, g.update_loss, rtol=1e-12)
        np.testing.assert_allclose(h.train_loss, g.train_loss, rtol=1e-12)


def test_checkpoints_target_and_max_updates(small, housing_split):
    X, y = small
    Xv, yv = housing_split.X_test[:80], housing_split.y_test[:80]
    H, _ = compare(
        X,
        y,
        [0.001, 0.02, 0.05, 0.01],
        [0, 1, 2, 3],
        batch_size=7,
        epochs=6,
        eval_every=10,
        target_loss=0.6,
        X_val=Xv,
        y_val=yv,
    )
    reasons = {h.stop_reason for h in H}
    assert "target" in reasons and "epochs" in reasons  # paran en momentos distintos
    assert len({h.n_updates for h in H}) > 1
    H, _ = compare(X, y, LRS, SEEDS, batch_size=7, epochs=4, eval_every=9, max_updates=50)
    assert all(h.stop_reason == "max_updates" and h.n_updates == 50 for h in H)
    # el objetivo se alcanza justo al final de una época (43 batches de 7): la época cuenta
    compare(X, y, [0.02, 0.03], [0, 1], batch_size=7, epochs=4, eval_every=43, target_loss=0.9)


def test_a_diverging_run_is_frozen_and_the_others_go_on(small):
    X, y = small
    lrs = [0.01, 5.0, 0.003, 0.5, 0.02]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # ningún RuntimeWarning de NumPy escapa
        H, G = compare(X, y, lrs, [0, 1, 2, 3, 4], batch_size=1, epochs=3)
    assert [h.diverged for h in H] == [False, True, False, True, False]
    assert H[1].n_updates < H[0].n_updates == 3 * len(X)
    # y divergencia por época: con Adam los pasos son acotados, la pérdida media explota
    # (más de DIVERGENCE_FACTOR veces la inicial) sin llegar a inf
    H, _ = compare(X, y, [0.001, 0.5, 0.002], [0, 1, 2], batch_size=1, epochs=3, optimizer="adam")
    assert H[1].diverged and np.isfinite(H[1].update_loss).all()
    assert H[1].n_updates == len(X) and not H[0].diverged and not H[2].diverged
    assert H[0].n_updates == H[2].n_updates == 3 * len(X)


def test_same_result_whatever_n_jobs(small):
    X, y = small
    kw = dict(batch_size=7, learning_rates=[0.01, 0.02, 0.005, 0.5], seeds=[0, 1, 2, 3], epochs=2)
    a, b = models(4), models(4)
    H1 = train_many(a, X, y, n_jobs=1, **kw)
    H2 = train_many(b, X, y, n_jobs=2, **kw)
    for h1, h2, m1, m2 in zip(H1, H2, a, b, strict=True):
        assert_same_run(h1, h2, m1, m2, rtol=0)


def test_train_groups_runs_independent_batch_sizes(small):
    X, y = small

    def groups():
        return [
            dict(models=models(2), batch_size=1, learning_rates=0.005, seeds=[0, 1]),
            dict(models=models(3), batch_size=32, learning_rates=[0.01, 0.02, 0.05], seeds=4),
        ]

    g1, g2 = groups(), groups()
    serial = lockstep.train_groups(g1, X, y, epochs=2, n_jobs=1)
    parallel = lockstep.train_groups(g2, X, y, epochs=2, n_jobs=2)
    assert [len(p) for p in parallel] == [2, 3]
    assert [h.batch_size for h in parallel[1]] == [32] * 3
    for hs, gs, a, b in zip(serial, parallel, g1, g2, strict=True):
        for h, g, m1, m2 in zip(hs, gs, a["models"], b["models"], strict=True):
            assert_same_run(h, g, m1, m2, rtol=0)  # el proceso devolvió los pesos entrenados
    assert not np.allclose(g2[0]["models"][0].theta, models(1)[0].theta)


def test_large_batches_fall_back_to_train(small, monkeypatch):
    X, y = small
    calls = []
    monkeypatch.setattr(lockstep, "_train_stacked", lambda *a, **k: calls.append(1))
    H = train_many(
        models(2),
        X,
        y,
        batch_size=lockstep.STACK_MAX_BATCH + 1,
        learning_rates=0.01,
        seeds=0,
        epochs=1,
    )
    assert not calls and len(H) == 2


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        (dict(learning_rates=[0.01, 0.02]), ValueError, "un valor por modelo"),
        (dict(seeds=[0, -1, 2]), ValueError, "seeds"),
        (dict(learning_rates=-0.1), ValueError, "learning_rates"),
        (dict(optimizer="rmsprop"), ValueError, "optimizer"),
        (dict(optimizer="nesterov", momentum=1.0), ValueError, "momentum"),
        (dict(target_loss=0.5), ValueError, "eval_every"),
        (dict(n_jobs=0), ValueError, "n_jobs"),
        # las opciones son las de train() comunes a todos los runs: las demás se rechazan
        (dict(time_budget=1.0), TypeError, "train_many no admite \\['time_budget'\\]"),
        (dict(learning_rate=0.01), TypeError, "La tasa va por run: learning_rates="),
        (dict(epochs=0), ValueError, "epochs"),
    ],
)
def test_bad_arguments_are_refused(small, kwargs, error, match):
    X, y = small
    kw = dict(batch_size=8, learning_rates=0.01, seeds=0, epochs=1) | kwargs
    with pytest.raises(error, match=match):
        train_many(models(3), X, y, **kw)


def test_models_must_be_distinct_and_alike(small):
    X, y = small
    m = models(1)[0]
    with pytest.raises(ValueError, match="copy"):
        train_many([m, m], X, y, batch_size=8, learning_rates=0.01, seeds=0, epochs=1)
    other = bl.MLP((8, 16, 1), rng=0)
    with pytest.raises(ValueError, match="arquitectura"):
        train_many([m, other], X, y, batch_size=8, learning_rates=0.01, seeds=0, epochs=1)


def test_tiny_benchmark_runs_and_writes_its_outputs(tmp_path):
    table = bench_lockstep.main(["--tiny", "--out", str(tmp_path)])
    assert set(table["K"]) == {1, 4} and set(table["B"]) == {1, 32}
    assert (table["run-updates/s lockstep"] > 0).all()
    assert (table["run-updates/s secuencial"] > 0).all()
    for name in ("lockstep.md", "lockstep.csv", "lockstep_groups.csv"):
        assert (tmp_path / name).stat().st_size > 0
    assert "n_jobs=2" in (tmp_path / "lockstep.md").read_text(encoding="utf-8")


def test_the_comparison_would_notice_a_different_run(small):
    """La equivalencia no es trivial: una tasa un 1 % distinta ya no pasa."""
    X, y = small
    a, b = models(1), models(1)
    h = train_many(a, X, y, batch_size=7, learning_rates=0.0101, seeds=0, epochs=1)[0]
    g = bl.train(b[0], X, y, batch_size=7, learning_rate=0.01, seed=0, epochs=1)
    with pytest.raises(AssertionError):
        assert_same_run(h, g, a[0], b[0])


def test_runs_split_into_several_stacks(small):
    """Con B = 128 caben 4 runs por pila: 5 runs son dos pilas (4 + 1), mismos números."""
    X, y = small
    assert lockstep.STACK_MAX_ROWS // 128 == 4 and 128 <= lockstep.STACK_MAX_BATCH
    compare(X, y, [0.01, 0.02, 0.03, 0.04, 0.05], [0, 1, 2, 3, 4], batch_size=128, epochs=3)


def test_a_last_step_explosion_is_flagged_like_train(small):
    """La divergencia que solo se ve con los pesos tras el último paso (issue 11)."""
    X, y = small
    H, _ = compare(X, y, [0.2, 0.5, 0.01], [1, 1, 1], batch_size=100, epochs=1)
    assert [h.diverged for h in H] == [False, True, False]
    # la media de la época (pérdidas de antes de cada paso) no lo habría visto
    assert np.dot(H[1].update_loss, [100, 100, 100]) / 300 < DIVERGENCE_FACTOR
    assert len(H[0].train_loss_end) == 1 and H[0].train_loss_end[0] < 24


def test_parallel_groups_train_for_real_with_train_run_by_run(small):
    """Grupos que van por train() (B grande, un solo modelo) en procesos aparte: los
    mismos números que en serie (un MLP llegado por pickle debe seguir entrenando)."""
    X, y = small
    groups = [
        dict(models=[bl.MLP(rng=0)], learning_rates=[0.05], seeds=[1], batch_size=200),
        dict(models=[bl.MLP(rng=1)], learning_rates=[0.01], seeds=[2], batch_size=8),
    ]
    serial = lockstep.train_groups(
        [dict(g, models=[m.copy() for m in g["models"]]) for g in groups], X, y, epochs=2
    )
    parallel = lockstep.train_groups(groups, X, y, epochs=2, n_jobs=2)
    for a, b in zip(serial, parallel, strict=True):
        np.testing.assert_array_equal(a[0].update_loss, b[0].update_loss)
    assert parallel[0][0].train_loss_end[-1] < parallel[0][0].initial_train_loss


@pytest.mark.parametrize("extra", [1, 5, 2 * EVAL_ROWS - 5])
def test_block_loss_equals_model_loss(extra):
    """La evaluación por bloques de EVAL_ROWS filas (también el último, incompleto) da el
    MSE de un solo forward sobre todas las filas."""
    rows = EVAL_ROWS + extra
    rng = np.random.default_rng(rows)
    model = bl.MLP((4, 16, 8, 2), rng=rows)
    X, y = rng.standard_normal((rows, 4)), rng.standard_normal((rows, 2))
    whole = model.forward(X).copy()
    assert block_loss(model, X, y) == pytest.approx(bl.mse(whole, y), rel=1e-13, abs=0)


def test_block_evaluation_keeps_histories_equal_to_train(housing_split):
    """Con más filas que EVAL_ROWS (entrenamiento y validación) el bucle apilado evalúa por
    bloques y train() de golpe: mismas historias y pesos."""
    X, y = (
        housing_split.X_train[: 2 * EVAL_ROWS + 100],
        housing_split.y_train[: 2 * EVAL_ROWS + 100],
    )
    Xv, yv = housing_split.X_test[: EVAL_ROWS + 50], housing_split.y_test[: EVAL_ROWS + 50]
    compare(X, y, LRS[:3], SEEDS[:3], batch_size=64, epochs=2, X_val=Xv, y_val=yv, eval_every=10)


def test_stacked_loop_evaluates_by_blocks(housing_split, monkeypatch):
    """Ninguna evaluación del bucle apilado pasa a MLP.predict más de EVAL_ROWS filas."""
    X, y = housing_split.X_train[: 3 * EVAL_ROWS], housing_split.y_train[: 3 * EVAL_ROWS]
    seen = []
    original = bl.MLP.predict

    def spy(self, rows):
        seen.append(len(rows))
        return original(self, rows)

    monkeypatch.setattr(bl.MLP, "predict", spy)
    train_many(models(2), X, y, batch_size=32, learning_rates=0.001, seeds=[0, 1], epochs=1)
    assert seen and max(seen) == EVAL_ROWS
