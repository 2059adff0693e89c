"""λ_max de la hessiana: el producto H·v exacto y Lanczos, contra hessianas conocidas."""

import math

import numpy as np
import pytest

import batchlab as bl
from batchlab.experiments import sharpness
from batchlab.hessian import hessian_vector_product, top_eigenvalue


def _full_hessian(model, X, y):
    n = model.n_params
    return np.column_stack([hessian_vector_product(model, X, y, e) for e in np.eye(n)])


def _gradient(model, theta, X, y):
    m = model.copy()
    m.theta[...] = theta
    m.forward(X)
    m.backward(y)
    return m.grad.copy()


def _fd_hessian(model, X, y, eps=1e-7):
    """Diferencias centradas del gradiente, columna a columna (solo lejos de los pliegues)."""
    cols = []
    for e in np.eye(model.n_params):
        g_plus = _gradient(model, model.theta + eps * e, X, y)
        g_minus = _gradient(model, model.theta - eps * e, X, y)
        cols.append((g_plus - g_minus) / (2 * eps))
    return np.column_stack(cols)


def test_line_model_hessian_is_exact():
    """Para ŷ = w·x + b con MSE, H = 2/N · [Σx², Σx; Σx, N]: se conoce en forma cerrada."""
    rng = np.random.default_rng(0)
    x = rng.normal(2.0, 3.0, size=(200, 1))
    y = 0.5 * x + rng.normal(size=(200, 1))
    model = bl.MLP((1, 1), rng=1)
    A = np.hstack([x, np.ones_like(x)])
    H = 2.0 / len(x) * A.T @ A
    assert _full_hessian(model, x, y) == pytest.approx(H, rel=1e-12)
    lam, v = top_eigenvalue(model, x, y, tolerance=1e-12)
    assert lam == pytest.approx(np.linalg.eigvalsh(H)[-1], rel=1e-10)
    assert abs(v @ H @ v) == pytest.approx(lam, rel=1e-10)


def test_mlp_hessian_matches_finite_differences_and_lanczos_the_dense_eigenvalue(small):
    X, y = small[0][:64], small[1][:64]
    model = bl.MLP((8, 6, 4, 1), rng=3)
    for b in model.biases:  # sesgos ≠ 0: ninguna preactivación cae justo en un pliegue
        b[...] = np.random.default_rng(5).normal(0.0, 0.3, size=b.shape)
    H = _full_hessian(model, X, y)
    np.testing.assert_allclose(H, H.T, rtol=0, atol=1e-12 * np.abs(H).max())
    np.testing.assert_allclose(H, _fd_hessian(model, X, y), rtol=0, atol=1e-6 * np.abs(H).max())
    eig = np.linalg.eigvalsh(H)
    assert eig[0] < 0 < eig[-1]  # indefinida: el mayor algebraico no es el de mayor módulo
    lam, _ = top_eigenvalue(model, X, y, tolerance=1e-12)
    assert lam == pytest.approx(eig[-1], rel=1e-9)


def test_hvp_is_symmetric_on_a_relu_fold_where_finite_differences_are_not(small):
    """Con los sesgos iniciales a 0, una fila en la media de todas las variables (x = 0)
    deja su preactivación justo en el pliegue de la ReLU (z = 0): las diferencias finitas
    saltan a ~salto/2ε en esas columnas; el operador R da la hessiana de un trozo."""
    X, y = small[0][:64].copy(), small[1][:64]
    X[0] = 0.0
    model = bl.MLP((8, 6, 4, 1), rng=3)
    H = _full_hessian(model, X, y)
    np.testing.assert_allclose(H, H.T, rtol=0, atol=1e-12 * np.abs(H).max())
    fd = _fd_hessian(model, X, y, eps=1e-5)
    assert np.abs(fd - fd.T).max() > 100 * np.abs(H).max()  # lo que se evita


def test_hvp_is_symmetric_on_many_rows(housing_split):
    s = housing_split
    X, y = s.X_train[:4000], s.y_train[:4000]
    model = bl.MLP(rng=0)
    rng = np.random.default_rng(1)
    u, v = rng.normal(size=(2, model.n_params))
    uHv = u @ hessian_vector_product(model, X, y, v)
    vHu = v @ hessian_vector_product(model, X, y, u)
    assert uHv == pytest.approx(vHu, rel=1e-12)


def test_hvp_leaves_weights_untouched_and_is_linear(small):
    X, y = small[0][:50], small[1][:50]
    model = bl.MLP(rng=0)
    before = model.theta.copy()
    v = np.random.default_rng(1).normal(size=model.n_params)
    hv = hessian_vector_product(model, X, y, v)
    np.testing.assert_array_equal(model.theta, before)
    assert hessian_vector_product(model, X, y, 3.0 * v) == pytest.approx(3.0 * hv, rel=1e-12)
    assert not hessian_vector_product(model, X, y, np.zeros_like(v)).any()


def test_top_eigenvalue_is_reproducible_with_its_seed(small):
    X, y = small[0][:200], small[1][:200]
    model = bl.MLP(rng=2)
    a, _ = top_eigenvalue(model, X, y, seed=4)
    b, _ = top_eigenvalue(model, X, y, seed=4)
    assert a == b


def test_final_sharpness_is_train_then_lanczos_and_nan_when_diverged(small, model):
    X, y = small
    runs = sharpness.final_sharpness(
        model, X, y, {16: 0.02, 64: 50.0}, epochs=2, seeds=[0, 3], tolerance=1e-8
    )
    assert list(runs.columns) == ["B", "lr", "seed", "diverged", "lambda_max"]
    assert len(runs) == 4
    m = model.copy()
    bl.train(m, X, y, batch_size=16, learning_rate=0.02, epochs=2, seed=3)
    row = runs[(runs.B == 16) & (runs.seed == 3)].iloc[0]
    assert row["lambda_max"] == pytest.approx(top_eigenvalue(m, X, y, tolerance=1e-8)[0], rel=1e-6)
    bad = runs[runs.B == 64]
    assert bad["diverged"].all() and bad["lambda_max"].isna().all()
    assert not math.isnan(row["lambda_max"])


def test_final_sharpness_same_with_processes_and_full_batch_runs_once(small, model):
    X, y = small[0][:120], small[1][:120]
    kw = dict(epochs=2, seeds=[0, 1], tolerance=1e-8)
    one = sharpness.final_sharpness(model, X, y, {8: 0.02, 120: 0.05}, **kw)
    two = sharpness.final_sharpness(model, X, y, {8: 0.02, 120: 0.05}, n_jobs=2, **kw)
    np.testing.assert_allclose(one["lambda_max"], two["lambda_max"], rtol=1e-9)
    assert list(one["B"]) == [8, 8, 120]  # B = N: una sola semilla
