"""Adam y Nesterov: la misma cuenta que la fórmula, y entrenando de verdad con train()."""

import numpy as np
import pytest

import batchlab as bl
from batchlab.batching import epoch_orders, minibatches
from batchlab.optimizers import Adam, Nesterov


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
    with pytest.raises(ValueError, match="'sgd', 'nesterov' o 'adam'"):
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
