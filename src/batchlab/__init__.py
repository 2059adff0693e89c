"""batchlab: cómo el tamaño del batch cambia el entrenamiento de una red neuronal.

El paquete compartido por los notebooks del curso, en capas que importan en un solo sentido
(cada capa solo importa las de debajo; ``tests/test_layers.py`` lo comprueba, también con los
imports dentro de funciones):

* **base** — :mod:`~batchlab._checks` (comprobaciones de argumentos), :mod:`~batchlab.labels`
  (las etiquetas en español de las claves de máquina, solo para mostrar),
  :mod:`~batchlab.stats` (intervalos bootstrap y de Wilson) y :mod:`~batchlab.parameters`
  (la validación de la celda de parámetros de cada notebook);
* **datos** — :mod:`~batchlab.data` (California Housing, con réplica sin conexión, división
  y escalado), :mod:`~batchlab.features` (las preparaciones de las variables, transformaciones
  puras) y :mod:`~batchlab.census` (significado y topes de las columnas);
* **modelo** — :mod:`~batchlab.mlp` (el MLP escrito a mano con NumPy),
  :mod:`~batchlab.optimizers` (SGD, Nesterov y Adam, cada uno con su gemelo apilado, y su
  registro), :mod:`~batchlab.reference` (el bucle «de libro», para leerlo) y
  :mod:`~batchlab.hessian` (H·v exacto y λ_max por Lanczos);
* :mod:`batchlab.training` — ``train()``, ``train_many()`` y ``train_groups()``, la regla de
  divergencia y lo que devuelve un entrenamiento (``History``);
* :mod:`batchlab.experiments` — un módulo por idea del curso, todos sobre un mismo lanzador de
  ejecuciones (:mod:`batchlab.experiments.grid`);
* :mod:`batchlab.plots` — las figuras: reciben tablas, nunca lanzan experimentos; la figura del
  experimento X vive en ``plots/X.py``;
* :mod:`batchlab.claims` — las conclusiones como registros medidos (intervalo y veredicto);
* :mod:`batchlab.ejercicios` — comprobadores, pistas y soluciones de los ejercicios.
"""

from .data import (
    FEATURES,
    TARGET,
    DatasetCorruptError,
    DatasetUnavailableError,
    HousingSplit,
    load_housing,
    split_and_scale,
)
from .mlp import MLP, gradient_check, mse
from .parameters import check_parameters
from .training import train
from .training.history import History

__all__ = [
    "FEATURES",
    "MLP",
    "TARGET",
    "DatasetCorruptError",
    "DatasetUnavailableError",
    "History",
    "HousingSplit",
    "check_parameters",
    "gradient_check",
    "load_housing",
    "mse",
    "split_and_scale",
    "train",
]

__version__ = "0.1.0"  # la única fuente de la versión: pyproject.toml la lee de aquí
