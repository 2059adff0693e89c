"""El bucle legible: el MLP y el SGD «de libro de texto», para leer y comparar.

Es la forma en que se suele escribir en un tutorial (y como estaba en el material
original del curso): atributos W1…W3, un diccionario de gradientes nuevo en cada
actualización, ``setattr`` para actualizar y la derivada de la ReLU como máscara
booleana convertida a float. Es la línea base de las proporciones del benchmark y,
dados los mismos pesos iniciales y el mismo orden de batches, debe dar las mismas
pérdidas y los mismos pesos que ``batchlab.train`` (tests/test_reference.py lo comprueba).

Los notebooks 02 y 03 la muestran con ``inspect.getsource``: ``reference_train`` debe
seguir cabiendo en una pantalla (~25 líneas).
"""

from __future__ import annotations

import time

import numpy as np


class ReferenceMLP:
    """MLP 8→64→32→1 escrito al estilo de los tutoriales."""

    def __init__(self, weights: list[np.ndarray], biases: list[np.ndarray], lr: float):
        self.W1, self.W2, self.W3 = (W.copy() for W in weights)
        self.b1, self.b2, self.b3 = (b.reshape(1, -1).copy() for b in biases)
        self.lr = lr

    def relu(self, Z):
        return np.maximum(0, Z)

    def relu_derivative(self, Z):
        return (Z > 0).astype(float)

    def forward(self, X):
        self.Z1 = X @ self.W1 + self.b1
        self.A1 = self.relu(self.Z1)
        self.Z2 = self.A1 @ self.W2 + self.b2
        self.A2 = self.relu(self.Z2)
        self.Z3 = self.A2 @ self.W3 + self.b3
        return self.Z3

    def compute_loss(self, y_pred, y_true):
        return np.mean((y_pred - y_true) ** 2)

    def backward(self, X, y_true, y_pred):
        m = y_true.shape[0]
        dZ3 = (y_pred - y_true) * (2 / m)
        dW3 = self.A2.T @ dZ3
        db3 = np.sum(dZ3, axis=0, keepdims=True)
        dA2 = dZ3 @ self.W3.T
        dZ2 = dA2 * self.relu_derivative(self.Z2)
        dW2 = self.A1.T @ dZ2
        db2 = np.sum(dZ2, axis=0, keepdims=True)
        dA1 = dZ2 @ self.W2.T
        dZ1 = dA1 * self.relu_derivative(self.Z1)
        dW1 = X.T @ dZ1
        db1 = np.sum(dZ1, axis=0, keepdims=True)
        return {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2, "dW3": dW3, "db3": db3}

    def update_parameters(self, grads):
        for name in ["W1", "b1", "W2", "b2", "W3", "b3"]:
            setattr(self, name, getattr(self, name) - self.lr * grads[f"d{name}"])


def reference_train(model: ReferenceMLP, X, y, batch_size: int, epochs: int, seed: int):
    """SGD por mini-batches tal cual: barajar, trocear, forward, pérdida, backward, actualizar.

    Baraja como ``batchlab.train`` (una permutación por época de ``default_rng(seed)``).
    Devuelve (pérdida de cada batch, segundos); los segundos cuentan solo los bucles de
    entrenamiento, como ``History.epoch_time``.
    """
    rng = np.random.default_rng(seed)
    n = X.shape[0]
    losses, seconds = [], 0.0
    for _ in range(epochs):
        perm = rng.permutation(n)
        X_shuf, y_shuf = X[perm], y[perm]
        tic = time.perf_counter()
        for i in range(0, n, batch_size):
            X_b, y_b = X_shuf[i : i + batch_size], y_shuf[i : i + batch_size]
            y_pred = model.forward(X_b)
            losses.append(model.compute_loss(y_pred, y_b))
            model.update_parameters(model.backward(X_b, y_b, y_pred))
        seconds += time.perf_counter() - tic
    return np.array(losses), seconds
