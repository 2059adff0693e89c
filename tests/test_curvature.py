"""λ_max por la iteración de la potencia: comprobado contra hessianas conocidas."""

import numpy as np
import pytest

import batchlab as bl
from batchlab.curvature import hessian_vector_product, top_eigenvalue


def _full_hessian(model, X, y):
    n = model.n_params
    return np.column_stack([hessian_vector_product(model, X, y, e) for e in np.eye(n)])


def test_line_model_hessian_is_exact():
    """Para ŷ = w·x + b con MSE, H = 2/N · [Σx², Σx; Σx, N]: se conoce en forma cerrada."""
    rng = np.random.default_rng(0)
    x = rng.normal(2.0, 3.0, size=(200, 1))
    y = 0.5 * x + rng.normal(size=(200, 1))
    model = bl.MLP((1, 1), rng=1)
    A = np.hstack([x, np.ones_like(x)])
    H = 2.0 / len(x) * A.T @ A
    assert _full_hessian(model, x, y) == pytest.approx(H, rel=1e-6)
    lam, v = top_eigenvalue(model, x, y, tolerance=1e-10, iterations=500)
    assert lam == pytest.approx(np.linalg.eigvalsh(H)[-1], rel=1e-6)
    assert abs(v @ H @ v) == pytest.approx(lam, rel=1e-6)


def test_mlp_power_iteration_matches_dense_eigenvalues(small):
    X, y = small[0][:64], small[1][:64]
    model = bl.MLP((8, 6, 4, 1), rng=3)
    H = _full_hessian(model, X, y)
    assert H == pytest.approx(H.T, abs=1e-5 * np.abs(H).max())  # simétrica
    eig = np.linalg.eigvalsh((H + H.T) / 2)
    dominant = eig[-1]  # λ_max (algebraico), aunque otro autovalor tenga más módulo
    lam, _ = top_eigenvalue(model, X, y, tolerance=1e-9, iterations=2000)
    assert lam == pytest.approx(dominant, rel=1e-3)


def test_hvp_leaves_weights_untouched_and_is_linear(small):
    X, y = small[0][:50], small[1][:50]
    model = bl.MLP(rng=0)
    before = model.theta.copy()
    v = np.random.default_rng(1).normal(size=model.n_params)
    hv = hessian_vector_product(model, X, y, v)
    np.testing.assert_array_equal(model.theta, before)
    assert hessian_vector_product(model, X, y, 3.0 * v) == pytest.approx(3.0 * hv, rel=1e-6)
    assert not hessian_vector_product(model, X, y, np.zeros_like(v)).any()
