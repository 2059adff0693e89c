"""La regla de los batches: qué filas usa cada actualización de una época.

Es la idea central del curso, escrita una sola vez: cada época baraja las N filas
(:func:`epoch_orders`) y las recorre en trozos consecutivos de B filas
(:func:`minibatches`); el último trozo tiene N − B·(⌈N/B⌉ − 1) filas. ``train()``, la
animación de la recta y los ejercicios usan estas dos funciones.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np

__all__ = ["batches_per_epoch", "epoch_orders", "minibatches"]


def epoch_orders(n: int, seed: int) -> Iterator[np.ndarray]:
    """El orden de las filas en cada época: una permutación nueva de ``range(n)`` por época."""
    rng = np.random.default_rng(seed)
    while True:
        yield rng.permutation(n)


def minibatches(n: int, batch_size: int) -> Iterator[slice]:
    """Las posiciones de cada batch dentro del orden de una época, como ``slice``.

    El batch k son las filas ``orden[k·B:(k+1)·B]``; con ``X[orden]`` ya barajado basta
    ``X_barajado[s]`` (una vista, sin copiar), y ``orden[s]`` dice qué filas son.
    """
    for start in range(0, n, batch_size):
        yield slice(start, min(start + batch_size, n))


def batches_per_epoch(n: int, batch_size: int) -> int:
    """Actualizaciones por época: ⌈N / B⌉."""
    return math.ceil(n / batch_size)
