"""La preparación de datos de los experimentos: la validación separada y el original."""

import numpy as np

import batchlab as bl


def test_original_setup_reproduces_the_published_full_batch_losses():
    X, y, _, _, model = bl.experiments.original.original_setup(bl.load_housing())
    h = bl.train(model, X, y, batch_size="full", learning_rate=0.001, epochs=10, seed=0)
    published = [2.1975, 2.0170, 1.8635, 1.7325, 1.6202]  # el notebook original, épocas 2…10
    np.testing.assert_array_equal(h.train_loss[1::2].round(4), published)


def test_holdout_splits_only_the_training_rows(housing_split):
    X_fit, X_val, y_fit, y_val = bl.data.holdout(housing_split, fraction=0.25, seed=3)
    n = len(housing_split.X_train)
    assert len(X_fit) + len(X_val) == n and len(y_fit) == len(X_fit)
    assert len(X_val) == round(0.25 * n)
    rows = {r.tobytes() for r in housing_split.X_train}
    assert all(r.tobytes() in rows for r in X_val)  # la prueba no se toca
    again = bl.data.holdout(housing_split, fraction=0.25, seed=3)
    np.testing.assert_array_equal(again[1], X_val)
