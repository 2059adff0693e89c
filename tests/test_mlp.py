"""El MLP: forma, inicialización y gradientes contra diferencias finitas."""

import pickle

import numpy as np
import pytest

import batchlab as bl


def test_default_architecture_counts_2689_parameters(model):
    assert model.layer_sizes == (8, 64, 32, 1)
    assert model.n_params == 8 * 64 + 64 + 64 * 32 + 32 + 32 + 1 == 2689
    assert all(W.dtype == np.float64 for W in model.weights)


def test_he_initialisation_has_variance_two_over_fan_in():
    m = bl.MLP((400, 300, 1), rng=np.random.default_rng(1))
    assert m.weights[0].var() == pytest.approx(2 / 400, rel=0.02)
    assert np.all(m.biases[0] == 0)


def test_same_generator_seed_gives_same_weights_and_copy_is_independent():
    a = bl.MLP(rng=np.random.default_rng(3))
    b = bl.MLP(rng=3)
    assert all(np.array_equal(x, y) for x, y in zip(a.weights, b.weights, strict=True))
    c = a.copy()
    c.weights[0][0, 0] += 1.0
    assert a.weights[0][0, 0] != c.weights[0][0, 0]
    assert not np.array_equal(bl.MLP(rng=4).weights[0], a.weights[0])


@pytest.mark.parametrize("sizes", [(8, 64, 32, 1), (3, 5, 1), (4, 6, 5, 2), (2, 1)])
@pytest.mark.parametrize("batch", [1, 7, "N"])
def test_gradients_match_finite_differences(sizes, batch):
    rng = np.random.default_rng(sum(sizes))
    n = 23
    m = n if batch == "N" else batch
    X = rng.standard_normal((m, sizes[0]))
    y = rng.standard_normal((m, sizes[-1]))
    model = bl.MLP(sizes, rng=rng)
    errors = bl.gradient_check(model, X, y)
    assert set(errors) == {f"{k}{i}" for i in range(1, len(sizes)) for k in "Wb"}
    assert max(errors.values()) < 1e-6, errors


def test_gradient_check_detects_a_wrong_backward(model, small):
    X, y = small[0][:5], small[1][:5]
    original = bl.MLP._backpropagate

    def broken(self, delta):
        original(self, delta)
        self.grad_weights[1] *= 1.01  # un 1 % de error en dL/dW2

    bl.MLP._backpropagate = broken
    try:
        errors = bl.gradient_check(model, X, y)
    finally:
        bl.MLP._backpropagate = original
    assert errors["W2"] > 1e-3
    assert errors["W1"] < 1e-6


def test_train_step_equals_backward_plus_manual_update(model, small):
    X, y = small[0][:16], small[1][:16]
    twin = model.copy()
    twin.forward(X)
    gW, gb = twin.backward(y)
    expected = [W - 0.05 * g for W, g in zip(twin.weights, gW, strict=True)]
    expected_b = [b - 0.05 * g for b, g in zip(twin.biases, gb, strict=True)]
    loss = model.train_step(X, y, 0.05)
    assert loss == pytest.approx(bl.mse(twin.activations[-1], y))
    for W, E in zip(model.weights, expected, strict=True):
        np.testing.assert_allclose(W, E, rtol=1e-12, atol=1e-14)
    for b, E in zip(model.biases, expected_b, strict=True):
        np.testing.assert_allclose(b, E, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize(
    ("sizes", "match"),
    [
        ((8,), "al menos dos"),
        ((8, 0, 1), "positivos"),
        ((8, 2.5, 1), "enteros"),
        ((8, True, 1), "enteros"),
    ],
)
def test_bad_layer_sizes_raise(sizes, match):
    with pytest.raises(ValueError, match=match):
        bl.MLP(sizes, rng=0)


def test_bad_rng_raises_type_error():
    with pytest.raises(TypeError, match="Generator"):
        bl.MLP(rng="abc")
    with pytest.raises(TypeError, match="Generator"):
        bl.MLP(rng=True)
    with pytest.raises(ValueError, match="rng debe ser ≥ 0"):
        bl.MLP(rng=-1)


def test_numpy_integers_are_valid_sizes_and_seeds():
    a = bl.MLP((np.int64(8), 4, 1), rng=np.int64(5))
    b = bl.MLP((8, 4, 1), rng=5)
    assert a.layer_sizes == (8, 4, 1) and np.array_equal(a.theta, b.theta)


def test_predict_checks_shape(model):
    with pytest.raises(ValueError, match=r"forma \(m, 8\)"):
        model.predict(np.zeros((3, 5)))


def test_pickle_round_trip_keeps_views_bound_and_trains_like_original():
    """Un MLP que pasa por pickle (joblib) sigue con W_i, b_i atados a θ y entrena igual."""
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((20, 3)), rng.standard_normal((20, 1))
    original = bl.MLP((3, 5, 1), rng=1)
    clone = pickle.loads(pickle.dumps(original))
    np.testing.assert_array_equal(clone.theta, original.theta)
    assert np.shares_memory(clone.weights[0], clone.theta)
    assert np.shares_memory(clone.grad_biases[-1], clone.grad)
    for _ in range(3):
        loss_a = original.train_step(X, y, 0.05)
        loss_b = clone.train_step(X, y, 0.05)
        assert loss_a == loss_b
    np.testing.assert_array_equal(clone.theta, original.theta)
    np.testing.assert_array_equal(clone.predict(X), original.predict(X))
