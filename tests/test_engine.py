"""El motor compilado (por defecto) da los números del bucle legible de NumPy
(``BATCHLAB_ENGINE=numpy``).

Cada pérdida de un History (por actualización, por época, al final de la época, de validación,
de los puntos de control y las iniciales) difiere como mucho 1e-10 en relativo, y el final es el
mismo: mismas actualizaciones, mismo motivo de parada, mismas divergencias. Sin la variable,
``train()`` y ``train_many`` usan el motor.
"""

import os

import numpy as np
import pytest

import batchlab as bl
from batchlab.optimizers import Adam
from batchlab.training import _engine, train_many
from batchlab.training.engines import ENGINE_MAX_BATCH, selected_engine

TOLERANCE = 1e-10
#: los campos de pérdidas de un History
LOSSES = (
    "update_loss",
    "train_loss",
    "train_loss_end",
    "val_loss",
    "checkpoint_loss",
    "initial_train_loss",
    "initial_val_loss",
)
#: los que deben ser iguales exactamente
SAME = ("n_updates", "diverged", "stop_reason", "checkpoint_updates", "samples_seen")
#: (optimizador, tasa que converge, tasa que diverge)
RATES = [("sgd", 0.01, 3.0), ("nesterov", 0.001, 1.0), ("adam", 0.002, 5.0)]


@pytest.fixture(scope="module")
def data(housing_split):
    """256 filas reales de entrenamiento y otras 128 como validación."""
    s = housing_split
    return s.X_train[:256], s.y_train[:256], s.X_train[-128:], s.y_train[-128:]


def max_rel_diff(a, b) -> float:
    """Máxima diferencia relativa entre dos pérdidas o arrays (lo no finito, idéntico)."""
    if a is None or b is None:
        assert a is None and b is None
        return 0.0
    a, b = np.atleast_1d(np.asarray(a, float)), np.atleast_1d(np.asarray(b, float))
    assert a.shape == b.shape
    finite = np.isfinite(a)
    assert np.array_equal(finite, np.isfinite(b))
    assert np.array_equal(a[~finite], b[~finite], equal_nan=True)
    if not finite.any():
        return 0.0
    return float(np.max(np.abs(a[finite] - b[finite]) / np.abs(a[finite])))


def history_diff(h_numpy, h_engine) -> float:
    """Máxima diferencia relativa en todas las pérdidas; el resto, igual."""
    for name in SAME:
        assert np.array_equal(getattr(h_numpy, name), getattr(h_engine, name)), name
    return max(max_rel_diff(getattr(h_numpy, f), getattr(h_engine, f)) for f in LOSSES)


def train_both(monkeypatch, data, **kw):
    """El mismo entrenamiento con el bucle de NumPy y con el motor: (History, History, θ, θ)."""
    X, y, X_val, y_val = data
    out = []
    for engine in ("numpy", "numba"):
        monkeypatch.setenv("BATCHLAB_ENGINE", engine)
        model = bl.MLP(rng=7)
        out.append((bl.train(model, X, y, X_val=X_val, y_val=y_val, seed=3, **kw), model))
    (h_np, m_np), (h_en, m_en) = out
    return h_np, h_en, m_np.theta, m_en.theta


CASES = {
    "B=1, una época": dict(batch_size=1, epochs=1, decay=0.01, eval_every=50),
    "B=32, 10 épocas": dict(batch_size=32, epochs=10, eval_rel=0.1),
    "B=N": dict(batch_size=None, epochs=30, decay=0.05, eval_every=4),
    # los dos caminos del núcleo (bucles con B < SMALL_BATCH, BLAS si no) y un último batch menor
    "B=3, resto de 1 fila": dict(batch_size=3, epochs=1, eval_every=40),
    "B=100, resto de 56": dict(batch_size=100, epochs=10),
}


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize(("optimizer", "lr", "lr_diverges"), RATES)
def test_engine_equals_numpy_train(monkeypatch, data, case, optimizer, lr, lr_diverges):
    h_np, h_en, th_np, th_en = train_both(
        monkeypatch, data, learning_rate=lr, optimizer=optimizer, **CASES[case]
    )
    assert not h_np.diverged and h_np.stop_reason == "epochs"
    assert history_diff(h_np, h_en) <= TOLERANCE
    assert max_rel_diff(th_np, th_en) <= 1e-8  # los pesos finales, también


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize(("optimizer", "lr", "lr_diverges"), RATES)
def test_diverging_runs_stop_on_their_own_at_the_same_update(
    monkeypatch, data, case, optimizer, lr, lr_diverges
):
    h_np, h_en, _, _ = train_both(
        monkeypatch, data, learning_rate=lr_diverges, optimizer=optimizer, **CASES[case]
    )
    assert h_np.diverged and h_en.stop_reason == "diverged"
    assert history_diff(h_np, h_en) <= TOLERANCE


@pytest.mark.parametrize(("optimizer", "lr", "lr_diverges"), RATES)
def test_target_loss_and_max_updates_stop_at_the_same_update(
    monkeypatch, data, optimizer, lr, lr_diverges
):
    kw = dict(batch_size=8, epochs=20, learning_rate=lr, optimizer=optimizer, eval_every=5)
    h_np, _, _, _ = train_both(monkeypatch, data, **kw)
    target = float(np.quantile(h_np.checkpoint_loss, 0.3))  # se alcanza a media época
    h_np, h_en, _, _ = train_both(monkeypatch, data, target_loss=target, **kw)
    assert h_np.stop_reason == "target"
    assert history_diff(h_np, h_en) <= TOLERANCE
    h_np, h_en, _, _ = train_both(monkeypatch, data, max_updates=77, **kw)
    assert h_np.stop_reason == "max_updates" and h_np.n_updates == 77
    assert history_diff(h_np, h_en) <= TOLERANCE


def test_callback_sees_every_update_with_the_current_weights(monkeypatch, data):
    seen = {}
    for engine in ("numpy", "numba"):
        monkeypatch.setenv("BATCHLAB_ENGINE", engine)
        trace = seen[engine] = []
        bl.train(
            bl.MLP(rng=1),
            *data[:2],
            batch_size=64,
            learning_rate=0.01,
            epochs=2,
            seed=0,
            callback=lambda t, m, trace=trace: trace.append((t, m.theta[:3].copy())),
        )
    assert [t for t, _ in seen["numpy"]] == [t for t, _ in seen["numba"]] == list(range(1, 9))
    for (_, a), (_, b) in zip(seen["numpy"], seen["numba"], strict=True):
        assert max_rel_diff(a, b) <= TOLERANCE


def test_train_many_with_the_engine_is_train(monkeypatch, data):
    """Con el motor, train_many da los números de train() con el motor (≤ 1e-10): Adam con B = 4
    va en la pila de NumPy y, con B > STACK_MAX_BATCH, run a run por train() con el motor."""
    X, y, X_val, y_val = data
    kw = dict(epochs=3, X_val=X_val, y_val=y_val, eval_every=20, optimizer="adam")
    lrs, seeds = [0.001, 0.003, 5.0], [0, 1, 2]  # el último diverge
    monkeypatch.setenv("BATCHLAB_ENGINE", "numba")
    for B in (4, 200):
        many = train_many([bl.MLP(rng=s) for s in seeds], X, y, batch_size=B,
                          learning_rates=lrs, seeds=seeds, **kw)  # fmt: skip
        for h, lr, s in zip(many, lrs, seeds, strict=True):
            alone = bl.train(bl.MLP(rng=s), X, y, batch_size=B, learning_rate=lr, seed=s, **kw)
            assert history_diff(alone, h) <= (TOLERANCE if B == 4 else 0.0)
        assert [h.diverged for h in many] == [False, False, True]


def test_a_perturbed_learning_rate_is_detected(monkeypatch, data):
    """Los tests pueden fallar: una tasa 1e-7 distinta ya se nota en las pérdidas."""
    X, y, _, _ = data
    kw = dict(batch_size=32, epochs=10, seed=3)
    monkeypatch.setenv("BATCHLAB_ENGINE", "numpy")
    h_np = bl.train(bl.MLP(rng=7), X, y, learning_rate=0.01, **kw)
    monkeypatch.setenv("BATCHLAB_ENGINE", "numba")
    h_en = bl.train(bl.MLP(rng=7), X, y, learning_rate=0.01 * (1 + 1e-7), **kw)
    assert history_diff(h_np, h_en) > TOLERANCE


def test_k_stacked_runs_in_one_block_are_k_single_runs(data):
    X, y, _, _ = data
    sizes = np.array([8, 64, 32, 1], np.int64)
    theta = np.stack([bl.MLP(rng=s).theta for s in range(3)])
    perms = np.stack([np.random.default_rng(s).permutation(len(X)) for s in range(3)])
    lr0 = np.array([0.01, 0.02, 0.03])
    state = np.zeros_like(theta), np.zeros_like(theta)
    together, losses = theta.copy(), np.empty((3, 10))
    _engine.run_block(together, *state, 2, sizes, X, y, perms, 8, 2, lr0, 0.1, 5, 0.9, losses)
    for k in range(3):
        one, loss_k = theta[k : k + 1].copy(), np.empty((1, 10))
        zeros = np.zeros_like(one), np.zeros_like(one)
        _engine.run_block(
            one, *zeros, 2, sizes, X, y, perms[k : k + 1], 8, 2, lr0[k : k + 1], 0.1, 5, 0.9, loss_k
        )
        assert np.array_equal(one[0], together[k]) and np.array_equal(loss_k[0], losses[k])


def test_by_default_train_uses_the_engine(monkeypatch):
    monkeypatch.delenv("BATCHLAB_ENGINE", raising=False)
    assert selected_engine("sgd") is _engine
    monkeypatch.setenv("BATCHLAB_ENGINE", "numpy")
    assert selected_engine("adam") is None
    monkeypatch.setenv("BATCHLAB_ENGINE", "numba")
    assert selected_engine("sgd") is _engine
    assert selected_engine("otro") is None  # un optimizador que el motor no sabe dar
    assert selected_engine("sgd", ENGINE_MAX_BATCH) is _engine
    assert selected_engine("sgd", ENGINE_MAX_BATCH + 1) is None  # ahí BLAS domina: NumPy
    monkeypatch.setenv("BATCHLAB_ENGINE", "jax")
    with pytest.raises(ValueError, match="BATCHLAB_ENGINE debe ser uno de numba, numpy"):
        selected_engine("sgd")


def test_the_engine_uses_the_course_optimizers():
    assert _engine.ADAM_BETAS == (Adam.BETA1, Adam.BETA2, Adam.EPS)
    assert set(_engine.ENGINE_OPTIMIZERS) <= set(bl.optimizers.OPTIMIZERS)


STACK_CASES = {
    "B=1, decaimiento y puntos cada 50": dict(batch_size=1, epochs=2, decay=0.01, eval_every=50),
    "B=1, puntos geométricos y objetivo": dict(
        batch_size=1, epochs=3, eval_rel=0.05, target_loss=0.45
    ),
    "B=3, resto de 1 fila, tope": dict(batch_size=3, epochs=4, eval_every=40, max_updates=150),
    "B=2, sin puntos de control": dict(batch_size=2, epochs=2),
}
#: las tasas de cada caso (la cuarta diverge) y las de un caso que diverge a lo grande con B = 3
#: (ahí la pila pasa por inf·0: sin la NaN de NumPy, el núcleo paraba 66 pasos más tarde)
STACK_RATES = [0.001, 0.003, 0.002, 2.0, 0.004]
STACK_CASES_LR = {case: STACK_RATES for case in STACK_CASES}
STACK_CASES["B=3, tasas enormes"] = dict(batch_size=3, epochs=1)
STACK_CASES_LR["B=3, tasas enormes"] = [0.5, 1.0, 2.0, 3.0, 5.0]


@pytest.mark.parametrize("case", STACK_CASES)
def test_the_stacked_sgd_engine_is_train_many(monkeypatch, data, case):
    """SGD con B < 4: la pila va por el núcleo apilado (runs en el eje interior) y da los números
    de ``train_many`` con NumPy; los runs que divergen se congelan en la misma actualización."""
    X, y, X_val, y_val = data
    lrs, seeds = STACK_CASES_LR[case], [100, 101, 102, 103, 104]
    kw = dict(X_val=X_val, y_val=y_val, learning_rates=lrs, seeds=seeds, **STACK_CASES[case])
    out = {}
    for engine in ("numpy", "numba"):
        monkeypatch.setenv("BATCHLAB_ENGINE", engine)
        models = [bl.MLP(rng=s) for s in seeds]
        out[engine] = train_many(models, X, y, **kw), [m.theta for m in models]
    (h_np, th_np), (h_en, th_en) = out["numpy"], out["numba"]
    assert any(h.diverged for h in h_np) and (case == "B=3, tasas enormes" or not h_np[0].diverged)
    assert max(history_diff(a, b) for a, b in zip(h_np, h_en, strict=True)) <= TOLERANCE
    kept = [k for k, h in enumerate(h_np) if not h.diverged]  # los pesos de un divergido: basura
    for k in kept:  # (las unidades muertas dejan pesos exactamente 0 en los dos)
        np.testing.assert_allclose(th_en[k], th_np[k], rtol=1e-8, atol=1e-14)


def test_the_stacked_engine_is_the_one_that_runs(monkeypatch, data):
    """Con el motor y SGD a B < 4, train_many usa el núcleo apilado (no train() run a run)."""
    from batchlab.training import _engine_stack, _stack_loop

    calls = []
    real = _engine_stack.sgd_stack_block
    monkeypatch.setattr(_engine_stack, "sgd_stack_block", lambda *a: calls.append(1) or real(*a))
    monkeypatch.setenv("BATCHLAB_ENGINE", "numba")
    X, y = data[:2]
    train_many([bl.MLP(rng=s) for s in range(3)], X, y, batch_size=1, learning_rates=0.01,
               seeds=[0, 1, 2], epochs=1)  # fmt: skip
    assert calls
    assert _stack_loop.stack_engine("sgd", 4, (8, 1)) is None  # B ≥ 4: la pila de NumPy
    assert _stack_loop.stack_engine("adam", 1, (8, 1)) is None


def test_using_engine_restores_the_variable_and_refuses_unknown_names(monkeypatch):
    from batchlab.training.engines import engine_name, using_engine

    monkeypatch.delenv("BATCHLAB_ENGINE", raising=False)
    with using_engine("numpy"):
        assert engine_name() == "numpy"
    assert engine_name() == "numba" and "BATCHLAB_ENGINE" not in os.environ
    monkeypatch.setenv("BATCHLAB_ENGINE", "numpy")
    with using_engine("numba"):
        assert selected_engine("sgd") is _engine
    assert engine_name() == "numpy"
    with pytest.raises(ValueError, match="uno de numba, numpy"), using_engine("jax"):
        pass


def test_train_groups_workers_train_with_the_callers_engine(data, monkeypatch):
    """Los procesos de joblib se reutilizan: arrancados con el motor, un train_groups pedido
    después con el bucle de NumPy debe entrenar con NumPy (el mismo número, bit a bit)."""
    from batchlab.training.lockstep import train_groups

    X, y = data[0][:128], data[1][:128]

    def groups():
        return [dict(models=[bl.MLP(rng=s)], batch_size=1, learning_rates=0.01, seeds=[s])
                for s in (0, 1)]  # fmt: skip

    monkeypatch.delenv("BATCHLAB_ENGINE", raising=False)
    with_engine = train_groups(groups(), X, y, epochs=1, n_jobs=2)  # arranca los procesos
    monkeypatch.setenv("BATCHLAB_ENGINE", "numpy")
    serial = train_groups(groups(), X, y, epochs=1)
    parallel = train_groups(groups(), X, y, epochs=1, n_jobs=2)
    for a, b, c in zip(serial, parallel, with_engine, strict=True):
        np.testing.assert_array_equal(a[0].update_loss, b[0].update_loss)
        assert not np.array_equal(a[0].update_loss, c[0].update_loss)  # los motores difieren


def test_engine_evaluates_more_rows_than_a_block_with_the_same_losses(housing_split, monkeypatch):
    """Con más filas que EVAL_ROWS, train() con el motor evalúa por bloques (block_loss): las
    pérdidas sobre el conjunto entero (iniciales, de época, de validación) son las de NumPy."""
    from batchlab.training._stack_record import EVAL_ROWS

    s = housing_split
    rows = 2 * EVAL_ROWS + 100
    data = (s.X_train[:rows], s.y_train[:rows], s.X_train[-rows:], s.y_train[-rows:])
    h_np, h_en, th_np, th_en = train_both(monkeypatch, data, batch_size=32, epochs=2,
                                          learning_rate=0.01, eval_every=20)  # fmt: skip
    assert history_diff(h_np, h_en) <= TOLERANCE
    assert max_rel_diff(th_np, th_en) <= TOLERANCE
