"""Datos pequeños y reproducibles para los tests del paquete."""

import numpy as np
import pytest

import batchlab as bl


@pytest.fixture(scope="session")
def housing_split():
    """La división real del curso (usa la caché o la réplica sin conexión)."""
    return bl.split_and_scale(bl.load_housing(), seed=42)


@pytest.fixture(scope="session")
def small(housing_split):
    """Submuestra de 300 filas reales de entrenamiento."""
    return housing_split.X_train[:300], housing_split.y_train[:300]


@pytest.fixture
def model():
    """Un MLP 8→64→32→1 con pesos fijos."""
    return bl.MLP(rng=np.random.default_rng(0))


@pytest.fixture
def numpy_loop(monkeypatch):
    """El bucle legible de NumPy en lugar del motor (``BATCHLAB_ENGINE=numpy``).

    Para los tests que comparan dos caminos de NumPy bit a bit (``train_many`` frente a
    ``train()``, ``train()`` frente a un bucle escrito a mano): el motor da esos números salvo
    los últimos bits, y eso lo comprueba ``tests/test_engine.py`` con su tolerancia.
    """
    monkeypatch.setenv("BATCHLAB_ENGINE", "numpy")
