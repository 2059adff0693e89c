"""Notebooks 03 y 04: la recta de dos parámetros, sus caminos y la animación."""

import numpy as np
import pytest

import batchlab as bl
from batchlab.experiments import linear


def test_linear_loss_surface_matches_direct_mse():
    rng = np.random.default_rng(0)
    x = rng.standard_normal(200)
    y = 0.7 * x + 0.1 + 0.3 * rng.standard_normal(200)
    w, b = np.array([-1.0, 0.0, 0.7]), np.array([0.5, 0.1])
    surface = linear.linear_loss_surface(x, y, w, b)
    for i, bb in enumerate(b):
        for j, ww in enumerate(w):
            assert surface[i, j] == pytest.approx(np.mean((ww * x + bb - y) ** 2))


def test_linear_paths_start_at_the_start_and_full_batch_descends():
    rng = np.random.default_rng(1)
    x = rng.standard_normal(100)
    y = 0.5 * x + 0.2 * rng.standard_normal(100)
    paths = linear.linear_paths(x, y, [100, 1], 0.1, 25, start=(-1.0, 1.0), seed=0)
    full, sgd = paths["full_batch"], paths["sgd"]
    assert full.shape == sgd.shape == (26, 2)
    np.testing.assert_array_equal(full[0], [-1.0, 1.0])
    loss = linear.linear_loss_surface(x, y, full[:, 0], full[:, 1]).diagonal()
    assert np.all(np.diff(loss) < 0)  # GD con tasa pequeña: la pérdida baja en cada paso


def test_line_fit_frames_record_batches_and_parameters():
    rng = np.random.default_rng(0)
    x = rng.standard_normal(50)
    y = 0.7 * x
    frames = linear.line_fit_frames(
        x, y, [(10, 0.1), (50, 0.5)], n_updates=7, seed=3, start=(0.0, 0.0)
    )
    small, full = frames
    assert small["theta"].shape == (8, 2) and len(small["batches"]) == 7
    assert all(len(b) == 10 for b in small["batches"])
    assert len(set(np.concatenate(small["batches"][:5]))) == 50  # una época: todas las filas
    assert full["loss"][-1] < full["loss"][0]
    np.testing.assert_allclose(full["loss"][0], np.mean(y**2))


@pytest.mark.parametrize("batch_size", [1, 7, 20, 50])
def test_the_animation_batches_are_the_batches_train_uses(batch_size):
    """Rehacer a mano SGD con los batches de la animación da los mismos (w, b) que train().

    Si ``train()`` y ``line_batches`` no usaran la misma regla de batches (mismo barajado,
    mismos trozos, incluido el último incompleto), las trayectorias se separarían.
    """
    rng = np.random.default_rng(2)
    x = rng.standard_normal(50)
    y = 0.7 * x + 0.3 + 0.2 * rng.standard_normal(50)
    lr, n_updates, seed = 0.05, 13, 4
    (frame,) = linear.line_fit_frames(
        x, y, [(batch_size, lr)], n_updates, seed=seed, start=(0.2, -0.1)
    )
    w, b = 0.2, -0.1
    for t, rows in enumerate(frame["batches"]):
        err = w * x[rows] + b - y[rows]
        w, b = w - lr * 2 * np.mean(err * x[rows]), b - lr * 2 * np.mean(err)
        np.testing.assert_allclose(frame["theta"][t + 1], [w, b], rtol=1e-12, atol=1e-14)
    assert len(frame["batches"]) == n_updates
    # y el orden es el de batching: la primera época son trozos de la primera permutación
    order = next(bl.training.epoch_orders(50, seed))
    np.testing.assert_array_equal(frame["batches"][0], order[:batch_size])


def test_noise_ball_radius_grows_like_the_square_root_of_the_rate():
    rng = np.random.default_rng(0)
    x = rng.standard_normal(500)
    y = 0.5 * x + 0.5 * rng.standard_normal(500)
    table = linear.noise_ball_table(x, y, [0.04, 0.01], seeds=[0], n_updates=3000, burn_in=500)
    slope = table["slope"].iloc[0]
    assert 0.3 < slope < 0.75  # √η daría 0,5; η daría 1
    r = table.set_index("lr")["radius"]
    assert r[0.04] > r[0.01] > 0


def test_bowl_curvatures_round_when_standardized_long_when_raw():
    rng = np.random.default_rng(0)
    z = rng.standard_normal(10_000)
    low, high = linear.bowl_curvatures((z - z.mean()) / z.std())
    assert high / low == pytest.approx(1.0, rel=1e-9) and high == pytest.approx(2.0)
    low, high = linear.bowl_curvatures(4 + 2 * z)
    assert high / low > 50
