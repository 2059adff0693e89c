"""El bucle legible (batchlab.reference): el mismo algoritmo que train(), y corto."""

import inspect

import numpy as np
import pytest

import batchlab as bl
from batchlab.reference import ReferenceMLP, reference_train


def _both(X, y, batch_size, epochs=2, lr_ref=0.01):
    """train() y reference_train() desde los mismos pesos y con el mismo barajado."""
    model = bl.MLP(rng=np.random.default_rng(11))
    ref = ReferenceMLP(model.weights, model.biases, lr=lr_ref)
    h = bl.train(model, X, y, batch_size=batch_size, learning_rate=0.01, epochs=epochs, seed=3)
    losses, seconds = reference_train(ref, X, y, batch_size, epochs=epochs, seed=3)
    return h, model, ref, losses, seconds


@pytest.mark.parametrize("batch_size", [1, 7, "N"])
def test_reference_gives_the_same_losses_and_weights_as_train(small, batch_size):
    X, y = small[0][:200], small[1][:200]
    B = len(X) if batch_size == "N" else batch_size
    h, model, ref, losses, seconds = _both(X, y, B)
    assert len(losses) == h.n_updates == 2 * -(-len(X) // B) and seconds > 0
    np.testing.assert_allclose(h.update_loss, losses, rtol=1e-9)
    for W, R in zip(model.weights, (ref.W1, ref.W2, ref.W3), strict=True):
        np.testing.assert_allclose(W, R, rtol=1e-9, atol=1e-12)
    for b, R in zip(model.biases, (ref.b1, ref.b2, ref.b3), strict=True):
        np.testing.assert_allclose(b, R.ravel(), rtol=1e-9, atol=1e-12)


def test_the_comparison_would_notice_a_different_algorithm(small):
    """La equivalencia no es trivial: otra tasa de aprendizaje ya da otras pérdidas."""
    X, y = small[0][:200], small[1][:200]
    h, _, _, losses, _ = _both(X, y, 7, epochs=1, lr_ref=0.0101)
    assert not np.allclose(h.update_loss, losses, rtol=1e-9)


def test_the_loop_fits_on_a_screen():
    """Los notebooks 02 y 03 la enseñan con inspect.getsource: ~25 líneas, sin sorpresas."""
    source = inspect.getsource(reference_train)
    assert source.startswith("def reference_train(")
    assert len(source.splitlines()) <= 27
