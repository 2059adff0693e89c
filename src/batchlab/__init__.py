"""batchlab: cómo el tamaño del batch cambia el entrenamiento de una red neuronal.

El paquete compartido por los notebooks del curso:

* :mod:`batchlab.data` — California Housing (con réplica sin conexión), división y escalado;
* :mod:`batchlab.mlp` — el MLP escrito a mano con NumPy;
* :mod:`batchlab.training` — el bucle de entrenamiento por batches y su historial;
* :mod:`batchlab.experiments` — los experimentos de los notebooks (devuelven tablas);
* :mod:`batchlab.plots` — las figuras que comparten los notebooks;
* :mod:`batchlab.parameters` — validación de los parámetros de cada notebook.
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
from .training import History, train

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
