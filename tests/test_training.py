"""El bucle de entrenamiento: regímenes, determinismo, último batch, validación, divergencia."""

import math
import warnings

import numpy as np
import pytest

import batchlab as bl
from batchlab.training import DIVERGENCE_FACTOR


def fit(X, y, seed=0, model_seed=0, **kw):
    kw.setdefault("epochs", 3)
    kw.setdefault("learning_rate", 0.01)
    model = bl.MLP(rng=np.random.default_rng(model_seed))
    return bl.train(model, X, y, seed=seed, **kw), model


@pytest.mark.parametrize(("batch_size", "lr"), [("full", 0.1), (None, 0.1), (1, 0.005), (16, 0.02)])
def test_loss_decreases_in_every_regime(small, batch_size, lr):
    X, y = small
    h, model = fit(X, y, batch_size=batch_size, learning_rate=lr, epochs=5)
    assert not h.diverged
    assert h.train_loss[-1] < 0.8 * h.initial_train_loss
    assert model.loss(X, y) < h.initial_train_loss


def test_full_batch_means_n_updates_per_epoch_one(small):
    X, y = small
    h, _ = fit(X, y, batch_size="full", epochs=4)
    assert h.batch_size == len(X) and h.n_updates == 4


@pytest.mark.parametrize("bs", [1, 7, 32, 299, 300])
def test_last_partial_batch_is_used(small, bs):
    X, y = small
    h, _ = fit(X, y, batch_size=bs, epochs=2)
    per_epoch = math.ceil(len(X) / bs)
    assert h.updates_per_epoch == per_epoch
    assert h.n_updates == len(h.update_loss) == 2 * per_epoch
    # cada época cubre exactamente N muestras: el último batch parcial cuenta
    assert h.samples_seen[per_epoch - 1] == len(X)
    assert h.samples_seen[-1] == 2 * len(X)
    assert np.all(np.diff(h.samples_seen) > 0)


def test_epoch_loss_is_sample_weighted_mean_of_batch_losses(small):
    X, y = small
    h, _ = fit(X, y, batch_size=128, epochs=1)  # batches de 128, 128 y 44
    w = np.array([128, 128, 44])
    assert h.train_loss[0] == pytest.approx(np.dot(h.update_loss, w) / 300)


def test_same_seed_same_history_different_seed_different(small):
    X, y = small
    kw = dict(batch_size=8, epochs=2, X_val=X[:50], y_val=y[:50])
    a, ma = fit(X, y, seed=5, **kw)
    b, mb = fit(X, y, seed=5, **kw)
    c, _ = fit(X, y, seed=6, **kw)
    for field in ("train_loss", "val_loss", "update_loss", "samples_seen"):
        np.testing.assert_array_equal(getattr(a, field), getattr(b, field))
    assert a.n_updates == b.n_updates and a.diverged == b.diverged
    assert all(np.array_equal(p, q) for p, q in zip(ma.weights, mb.weights, strict=True))
    assert not np.array_equal(a.update_loss, c.update_loss)
    assert a.train_loss[-1] != c.train_loss[-1]


def test_history_records_validation_and_times(small):
    X, y = small
    h, model = fit(X, y, batch_size=32, epochs=3, X_val=X[:40], y_val=y[:40])
    assert len(h.val_loss) == len(h.train_loss) == len(h.epoch_time) == 3
    assert h.val_loss[-1] == pytest.approx(model.loss(X[:40], y[:40]))
    assert np.all(h.epoch_time > 0)
    assert list(h.to_frame().columns) == ["epoca", "train_loss", "val_loss", "tiempo_s"]


def test_time_based_decay_changes_the_steps(small):
    X, y = small
    a, _ = fit(X, y, batch_size=10, epochs=1)
    b, _ = fit(X, y, batch_size=10, epochs=1, decay=0.5)
    assert a.update_loss[0] == b.update_loss[0]  # t = 0: misma lr
    assert not np.array_equal(a.update_loss[2:], b.update_loss[2:])


def test_decay_follows_lr0_over_one_plus_decay_t(small):
    """Con decay, el paso t debe ser el de un SGD manual con lr_0 / (1 + decay·t)."""
    X, y = small
    h, model = fit(X[:30], y[:30], batch_size=30, epochs=3, learning_rate=0.2, decay=0.7)
    manual = bl.MLP(rng=np.random.default_rng(0))
    for t in range(3):  # con el batch completo el barajado no cambia el gradiente
        manual.train_step(X[:30], y[:30], 0.2 / (1 + 0.7 * t))
    np.testing.assert_allclose(model.weights[0], manual.weights[0], rtol=1e-10)


BAD = [
    (dict(batch_size=0), ValueError, "batch_size debe ser ≥ 1"),
    (dict(batch_size=-3), ValueError, "batch_size"),
    (dict(batch_size=301), ValueError, "mayor que el número de muestras"),
    (dict(batch_size=2.5), TypeError, "entero positivo"),
    (dict(batch_size="mini"), TypeError, "'full'"),
    (dict(batch_size=True), TypeError, "entero positivo"),
    (dict(learning_rate=0), ValueError, "learning_rate"),
    (dict(learning_rate=-0.1), ValueError, "learning_rate"),
    (dict(learning_rate=float("nan")), ValueError, "finito"),
    (dict(learning_rate=float("inf")), ValueError, "finito"),
    (dict(learning_rate="0.1"), TypeError, "número real"),
    (dict(epochs=0), ValueError, "epochs debe ser ≥ 1"),
    (dict(epochs=2.0), TypeError, "epochs debe ser un entero"),
    (dict(decay=-1.0), ValueError, "decay"),
    (dict(seed=-1), ValueError, "seed"),
    (dict(seed=None), ValueError, "seed"),
    (dict(seed=True), TypeError, "seed debe ser un entero"),
    (dict(decay=True), TypeError, "decay debe ser un número real"),
    (dict(epochs=np.bool_(True)), TypeError, "epochs debe ser un entero"),
]


@pytest.mark.parametrize(("kw", "exc", "match"), BAD)
def test_bad_arguments_raise_clear_errors(small, kw, exc, match):
    X, y = small
    args = dict(batch_size=8, learning_rate=0.01, epochs=1, seed=0) | kw
    with pytest.raises(exc, match=match):
        bl.train(bl.MLP(rng=0), X, y, **args)


def test_bad_data_raises_clear_errors(small):
    X, y = small
    m = bl.MLP(rng=0)
    kw = dict(batch_size=8, learning_rate=0.01, epochs=1, seed=0)
    with pytest.raises(ValueError, match="mismo número de filas"):
        bl.train(m, X, y[:-1], **kw)
    with pytest.raises(ValueError, match=r"forma \(n_muestras, 8\)"):
        bl.train(m, X[:, :5], y, **kw)
    with pytest.raises(ValueError, match=r"y debe tener forma \(n_muestras, 1\)"):
        bl.train(m, X, np.hstack([y, y]), **kw)
    Xn = X.copy()
    Xn[3, 2] = np.nan
    with pytest.raises(ValueError, match="1 valores NaN"):
        bl.train(m, Xn, y, **kw)
    with pytest.raises(ValueError, match="y_val"):
        bl.train(m, X, y, X_val=X, y_val=np.full_like(y, np.inf), **kw)
    with pytest.raises(ValueError, match="juntos"):
        bl.train(m, X, y, X_val=X, **kw)
    with pytest.raises(TypeError, match="numérico"):
        bl.train(m, [["a"] * 8], [1.0], **kw)


def test_vector_target_is_accepted_as_column(small):
    X, y = small
    a, _ = fit(X, y, batch_size=50, epochs=1)
    b, _ = fit(X, y.ravel(), batch_size=50, epochs=1)
    np.testing.assert_array_equal(a.update_loss, b.update_loss)


@pytest.mark.parametrize("lr", [10.0, 1e6])
def test_divergence_is_reported_without_warnings(small, lr):
    X, y = small
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # cualquier RuntimeWarning haría fallar el test
        h, _ = fit(X, y, batch_size=16, learning_rate=lr, epochs=50)
    assert h.diverged
    assert h.epochs_completed < 50
    assert math.isinf(h.final_train_loss) and h.n_updates == len(h.update_loss)
    last = h.update_loss[-1]
    assert not np.isfinite(last) or last > DIVERGENCE_FACTOR * h.initial_train_loss


def test_a_sane_run_is_not_flagged_as_diverged(housing_split):
    """Con B = 1 hay muestras atípicas con pérdida enorme; eso no es divergencia."""
    X, y = housing_split.X_train[:4000], housing_split.y_train[:4000]
    h, _ = fit(X, y, batch_size=1, learning_rate=0.001, epochs=1)
    assert not h.diverged and h.epochs_completed == 1


def test_progress_bar_is_optional(small, capsys):
    X, y = small
    fit(X, y, batch_size=100, epochs=2)
    assert capsys.readouterr().err == ""
    fit(X, y, batch_size=100, epochs=2, progress=True)
    assert "2/2" in capsys.readouterr().err


def test_max_updates_stops_mid_epoch_and_at_an_epoch_boundary(small):
    X, y = small  # 300 filas, B = 32 → 10 actualizaciones por época
    h, _ = fit(X, y, batch_size=32, epochs=5, max_updates=13)
    assert h.n_updates == 13 and h.stop_reason == "max_updates"
    assert h.epochs_completed == 1 and len(h.epoch_time) == 2
    assert h.samples_seen[-1] == 300 + 3 * 32
    h, _ = fit(X, y, batch_size=32, epochs=5, max_updates=20)
    assert h.n_updates == 20 and h.epochs_completed == 2


def test_checkpoints_record_loss_and_training_time(small):
    X, y = small
    Xv, yv = X[:60], y[:60]
    h, model = fit(X, y, batch_size=10, epochs=2, eval_every=7, X_val=Xv, y_val=yv)
    np.testing.assert_array_equal(h.checkpoint_updates, [0, 7, 14, 21, 28, 35, 42, 49, 56])
    assert h.checkpoint_loss[0] == pytest.approx(h.initial_val_loss)
    assert h.checkpoint_time[0] == 0 and np.all(np.diff(h.checkpoint_time) > 0)
    assert h.checkpoint_time[-1] <= h.total_time
    # el punto de control reproduce la pérdida de un entrenamiento parado allí
    g, m2 = fit(X, y, batch_size=10, epochs=2, max_updates=21)
    assert h.checkpoint_loss[3] == pytest.approx(m2.loss(Xv, yv), rel=1e-12)


def test_time_budget_stops_training(small):
    X, y = small
    h, _ = fit(X, y, batch_size=1, epochs=1000, time_budget=0.05)
    assert h.stop_reason == "time_budget"
    assert 0.05 <= h.total_time < 1.0
    assert h.epochs_completed < 1000


def test_callback_sees_every_update(small):
    X, y = small
    seen = []
    model = bl.MLP((8, 1), rng=0)
    h = bl.train(
        model,
        X,
        y,
        batch_size=64,
        learning_rate=0.01,
        epochs=2,
        seed=0,
        callback=lambda t, m: seen.append((t, m.theta.copy())),
    )
    assert [t for t, _ in seen] == list(range(1, h.n_updates + 1))
    np.testing.assert_array_equal(seen[-1][1], model.theta)
    assert not np.array_equal(seen[0][1], seen[-1][1])


@pytest.mark.parametrize(
    ("kw", "exc", "match"),
    [
        (dict(eval_every=0), ValueError, "eval_every"),
        (dict(max_updates=0), ValueError, "max_updates"),
        (dict(max_updates=2.5), TypeError, "max_updates"),
        (dict(time_budget=-1.0), ValueError, "time_budget"),
        (dict(callback="no"), TypeError, "callback"),
    ],
)
def test_bad_control_arguments_raise(small, kw, exc, match):
    X, y = small
    with pytest.raises(exc, match=match):
        fit(X, y, batch_size=8, **kw)


@pytest.mark.usefixtures("numpy_loop")
def test_batches_follow_the_batching_rule(small):
    """train() usa epoch_orders + minibatches: un SGD a mano con esas dos funciones coincide."""
    from batchlab.training.batching import epoch_orders, minibatches

    X, y = small
    h, model = fit(X, y, batch_size=32, epochs=2, seed=4)
    manual = bl.MLP(rng=np.random.default_rng(0))
    orders = epoch_orders(len(X), 4)
    losses = []
    for _ in range(2):
        order = next(orders)
        for batch in minibatches(len(X), 32):
            rows = order[batch]
            losses.append(manual.train_step(X[rows], y[rows], 0.01))
    np.testing.assert_array_equal(h.update_loss, losses)
    np.testing.assert_array_equal(model.theta, manual.theta)
    # la prueba notaría otra regla: sin barajar, las pérdidas ya son otras
    plain = bl.MLP(rng=np.random.default_rng(0))
    other = [plain.train_step(X[s], y[s], 0.01) for s in minibatches(len(X), 32)]
    assert not np.array_equal(h.update_loss[: len(other)], other)


@pytest.mark.parametrize(
    "stop",
    [dict(max_updates=25), dict(eval_every=5, target_loss=0.7), dict(time_budget=0.02)],
)
def test_epochs_can_be_left_out_when_another_bound_stops(small, stop):
    X, y = small
    model = bl.MLP(rng=0)
    h = bl.train(model, X, y, batch_size=16, learning_rate=0.01, seed=0, **stop)
    assert h.epochs_requested is None
    assert (
        h.stop_reason
        == {"max_updates": "max_updates", "target_loss": "target", "time_budget": "time_budget"}[
            list(stop)[-1]
        ]
    )
    if "max_updates" in stop:  # los mismos números que con un tope de épocas enorme
        g, _ = fit(X, y, batch_size=16, epochs=10**6, max_updates=25)
        np.testing.assert_array_equal(h.update_loss, g.update_loss)
        np.testing.assert_array_equal(h.train_loss, g.train_loss)


def test_without_any_bound_train_refuses_to_start(small):
    X, y = small
    with pytest.raises(ValueError, match="cuándo parar"):
        bl.train(bl.MLP(rng=0), X, y, batch_size=16, learning_rate=0.01, seed=0)


def test_a_reached_limit_is_not_relabelled_as_time_budget(small):
    """max_updates para al final de la época; el tiempo (agotado) no cambia el motivo."""
    X, y = small
    h, _ = fit(X, y, batch_size=300, epochs=None, max_updates=1, time_budget=1e-9)
    assert h.n_updates == 1 and h.epochs_completed == 1
    assert h.stop_reason == "max_updates"


# -- divergencia tras el último paso (issue 11, FINDINGS §5.1) --------------------------
def test_a_last_step_explosion_is_divergence(housing_split):
    """Con batch completo cada época es un solo paso: su resultado solo se ve después."""
    X, y = housing_split.X_train, housing_split.y_train
    h = bl.train(bl.MLP(rng=0), X, y, batch_size="full", learning_rate=3.0, epochs=1, seed=0)
    assert h.diverged and h.stop_reason == "diverged"
    # lr 1.0: 609 tras el paso (por debajo de 1e3 × la inicial): no diverge, pero no mejora
    h = bl.train(bl.MLP(rng=0), X, y, batch_size="full", learning_rate=1.0, epochs=1, seed=0)
    assert not h.diverged and not h.improved
    assert h.train_loss_end[0] > 100 * h.train_loss[0]


def test_a_recovery_is_not_divergence_and_no_warning_escapes(housing_split):
    X, y = housing_split.X_train, housing_split.y_train
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        h = bl.train(bl.MLP(rng=0), X, y, batch_size=32, learning_rate=0.3, epochs=1, seed=0)
        assert not h.diverged and h.improved  # la media de la época es enorme; el final no
        assert h.train_loss[0] > 100 and h.train_loss_end[0] < 2
        h = bl.train(bl.MLP(rng=0), X, y, batch_size=32, learning_rate=1.0, epochs=1, seed=0)
        assert h.diverged


def test_a_stop_mid_epoch_also_checks_the_weights(small):
    X, y = small
    h, model = fit(X, y, batch_size="full", learning_rate=50.0, epochs=None, max_updates=1)
    assert h.n_updates == 1 and h.diverged
    h, _ = fit(X, y, batch_size=8, learning_rate=0.01, epochs=None, max_updates=7)
    assert not h.diverged and h.stop_reason == "max_updates"


# -- órdenes dados ---------------------------------------------------------------------
def test_given_orders_are_followed(small):
    X, y = small
    n = len(X)
    kw = dict(batch_size=8, learning_rate=0.01, epochs=2)
    a, ma = fit(X, y, **kw)  # seed=0
    b = bl.train(bl.MLP(rng=0), X, y, orders=bl.training.epoch_orders(n, 0), **kw)
    np.testing.assert_array_equal(a.update_loss, b.update_loss)
    assert b.seed is None
    c = bl.train(bl.MLP(rng=0), X, y, orders=[np.arange(n)] * 2, **kw)
    assert not np.array_equal(a.update_loss, c.update_loss)


@pytest.mark.parametrize(
    ("kw", "match"),
    [
        (dict(seed=0, orders=[np.arange(300)]), "uno de los dos"),
        (dict(orders=[np.arange(299)]), "permutación"),
        (dict(orders=[np.zeros(300, int)]), "permutación"),
        (dict(orders=[np.arange(300)]), "agotado"),
    ],
)
def test_bad_orders_are_refused(small, kw, match):
    X, y = small
    with pytest.raises(ValueError, match=match):
        bl.train(bl.MLP(rng=0), X, y, batch_size=8, learning_rate=0.01, epochs=2, **kw)


@pytest.mark.parametrize("method", ["full_batch", "sgd", "mini_batch"])
def test_the_original_is_reproduced_to_the_digit(method):
    """Con los órdenes del original (RandomState(42)), sus 5 cifras de cada método."""
    from batchlab.experiments.original import ORIGINAL_PUBLISHED, original_orders

    X, y, _, _, model = bl.experiments.original.original_setup(bl.load_housing())
    bs = {"full_batch": len(X), "sgd": 1, "mini_batch": 32}[method]
    h = bl.train(
        model, X, y, batch_size=bs, learning_rate=0.001, epochs=10, orders=original_orders(len(X))
    )
    assert tuple(np.round(h.train_loss[1::2], 4)) == ORIGINAL_PUBLISHED[method]
