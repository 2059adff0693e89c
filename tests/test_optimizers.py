"""Adam y Nesterov: la misma cuenta que la fórmula, y entrenando de verdad con train()."""

import numpy as np
import pytest

import batchlab as bl
from batchlab import labels, optimizers
from batchlab.optimizers import Adam, Nesterov
from batchlab.training import train_many
from batchlab.training.batching import epoch_orders, minibatches

# train_many frente a train() y los pasos a mano, bit a bit: con el bucle de NumPy
pytestmark = pytest.mark.usefixtures("numpy_loop")


def test_adam_matches_the_formula_of_the_paper(small):
    X, y = small[0][:40], small[1][:40]
    model = bl.MLP((8, 5, 1), rng=1)
    twin = model.copy()
    adam = Adam(model)
    m = np.zeros_like(twin.theta)
    v = np.zeros_like(twin.theta)
    b1, b2, eps, lr = 0.9, 0.999, 1e-8, 0.01
    for t in range(1, 6):
        loss = adam.step(X, y, lr)
        twin.forward(X)
        twin.backward(y)
        g = twin.grad.copy()
        assert loss == pytest.approx(bl.mse(twin.activations[-1], y))
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g**2
        m_hat, v_hat = m / (1 - b1**t), v / (1 - b2**t)
        twin.theta -= lr * m_hat / (np.sqrt(v_hat) + eps)
        np.testing.assert_allclose(model.theta, twin.theta, rtol=1e-10, atol=1e-13)


def test_train_with_adam_learns_and_is_deterministic(small):
    X, y = small
    runs = [
        bl.train(
            bl.MLP(rng=0),
            X,
            y,
            batch_size=16,
            learning_rate=0.003,
            epochs=5,
            seed=2,
            optimizer="adam",
        )
        for _ in range(2)
    ]
    a, b = runs
    np.testing.assert_array_equal(a.update_loss, b.update_loss)
    assert a.optimizer == "adam" and a.train_loss[-1] < 0.7 * a.initial_train_loss
    sgd = bl.train(bl.MLP(rng=0), X, y, batch_size=16, learning_rate=0.003, epochs=5, seed=2)
    assert not np.array_equal(a.update_loss, sgd.update_loss)


def test_unknown_optimizer_is_rejected(small):
    X, y = small
    with pytest.raises(ValueError, match="uno de 'sgd', 'nesterov', 'adam'"):
        bl.train(
            bl.MLP(rng=0),
            X,
            y,
            batch_size=8,
            learning_rate=0.1,
            epochs=1,
            seed=0,
            optimizer="rmsprop",
        )


def test_target_loss_stops_at_the_first_checkpoint_below_it(small):
    X, y = small
    full = bl.train(
        bl.MLP(rng=0), X, y, batch_size=10, learning_rate=0.01, epochs=5, seed=0, eval_every=5
    )
    target = float(np.median(full.checkpoint_loss))
    first = int(np.argmax(full.checkpoint_loss <= target))
    h = bl.train(
        bl.MLP(rng=0),
        X,
        y,
        batch_size=10,
        learning_rate=0.01,
        epochs=5,
        seed=0,
        eval_every=5,
        target_loss=target,
    )
    assert h.stop_reason == "target"
    assert h.n_updates == full.checkpoint_updates[first]
    assert h.checkpoint_loss[-1] <= target < h.checkpoint_loss[-2]
    with pytest.raises(ValueError, match="eval_every"):
        bl.train(
            bl.MLP(rng=0),
            X,
            y,
            batch_size=10,
            learning_rate=0.01,
            epochs=1,
            seed=0,
            target_loss=0.5,
        )


@pytest.mark.parametrize(("batch_size", "decay", "momentum"), [(7, 0.0, 0.9), (32, 0.05, 0.5)])
def test_train_with_nesterov_is_the_loop_of_nesterov_steps(small, batch_size, decay, momentum):
    """train(optimizer="nesterov") es, bit a bit, el bucle de Nesterov.step sobre los batches."""
    X, y = small
    model = bl.MLP(rng=3)
    twin = model.copy()
    h = bl.train(
        model,
        X,
        y,
        batch_size=batch_size,
        learning_rate=0.01,
        decay=decay,
        epochs=3,
        seed=5,
        optimizer="nesterov",
        momentum=momentum,
    )
    opt, losses, t = Nesterov(twin, momentum=momentum), [], 0
    for _, order in zip(range(3), epoch_orders(len(X), 5), strict=False):
        Xs, ys = X[order], y[order]
        for s in minibatches(len(X), batch_size):
            losses.append(opt.step(Xs[s], ys[s], 0.01 / (1.0 + decay * t)))
            t += 1
    assert h.optimizer == "nesterov" and h.n_updates == t
    np.testing.assert_array_equal(h.update_loss, losses)
    np.testing.assert_array_equal(model.theta, twin.theta)
    # el momento cuenta: con otro μ (o sin él) es otro entrenamiento
    sgd = bl.train(bl.MLP(rng=3), X, y, batch_size=batch_size, learning_rate=0.01, epochs=3, seed=5)
    assert not np.allclose(sgd.update_loss, h.update_loss)


@pytest.mark.parametrize("momentum", [1.0, -0.1, float("nan"), "0.9", True])
def test_a_bad_momentum_is_refused(small, momentum):
    X, y = small
    with pytest.raises(ValueError, match=r"momentum debe ser un número en \[0, 1\)"):
        bl.train(
            bl.MLP(rng=0),
            X,
            y,
            batch_size=8,
            learning_rate=0.01,
            epochs=1,
            seed=0,
            optimizer="nesterov",
            momentum=momentum,
        )


# -- el registro: cada optimizador, su gemelo apilado y su nombre -------------------------
@pytest.mark.parametrize("name", list(optimizers.OPTIMIZERS))
@pytest.mark.parametrize("batch_size", [1, 7])
def test_every_registered_optimizer_trains_the_same_in_train_many_and_train(
    small, name, batch_size
):
    """Un optimizador nuevo en el registro queda cubierto aquí sin escribir nada más."""
    X, y = small
    start = [bl.MLP(rng=i) for i in range(3)]
    ours, theirs = [m.copy() for m in start], [m.copy() for m in start]
    kw = dict(batch_size=batch_size, epochs=2, optimizer=name, decay=0.01)
    lrs, seeds = [0.002, 0.004, 0.003], [0, 1, 1]
    H = train_many(ours, X, y, learning_rates=lrs, seeds=seeds, **kw)
    for h, m, t, lr, s in zip(H, ours, theirs, lrs, seeds, strict=True):
        g = bl.train(t, X, y, learning_rate=lr, seed=s, **kw)
        assert h.optimizer == g.optimizer == name
        np.testing.assert_allclose(h.update_loss, g.update_loss, rtol=1e-12)
        np.testing.assert_allclose(m.theta, t.theta, rtol=1e-12, atol=1e-300)
    # y distintos optimizadores dan entrenamientos distintos: la comparación no es trivial
    other = "adam" if name != "adam" else "sgd"
    h2 = bl.train(start[0].copy(), X, y, learning_rate=0.002, seed=0, **{**kw, "optimizer": other})
    assert not np.allclose(h2.update_loss, H[0].update_loss)


def test_every_optimizer_has_a_spanish_name():
    assert set(optimizers.OPTIMIZERS) == set(labels.OPTIMIZER_NAMES)


def test_an_optimizer_without_a_stacked_twin_is_refused_by_train_many(small, monkeypatch):
    """El error de antes: train_many entrenaba SGD en silencio con la etiqueta de otro."""
    X, y = small
    lonely = optimizers.Optimizer(optimizers.SGD, None)
    monkeypatch.setitem(optimizers.OPTIMIZERS, "solitario", lonely)
    with pytest.raises(ValueError, match="no tiene versión apilada"):
        train_many(
            [bl.MLP(rng=0), bl.MLP(rng=1)], X, y, batch_size=4, learning_rates=0.01,
            seeds=0, epochs=1, optimizer="solitario",
        )  # fmt: skip
    # también con B grande, donde train_many entrenaría con train() run a run
    with pytest.raises(ValueError, match="no tiene versión apilada"):
        train_many(
            [bl.MLP(rng=0)], X, y, batch_size="full", learning_rates=0.01,
            seeds=0, epochs=1, optimizer="solitario",
        )  # fmt: skip


@pytest.mark.parametrize("trainer", ["train", "train_many"])
def test_an_unknown_optimizer_is_refused_by_both(small, trainer):
    X, y = small
    with pytest.raises(ValueError, match="optimizer debe ser uno de"):
        if trainer == "train":
            bl.train(bl.MLP(rng=0), X, y, batch_size=4, learning_rate=0.1, seed=0, epochs=1,
                     optimizer="rmsprop")  # fmt: skip
        else:
            train_many([bl.MLP(rng=0)], X, y, batch_size=4, learning_rates=0.1, seeds=0,
                       epochs=1, optimizer="rmsprop")  # fmt: skip
