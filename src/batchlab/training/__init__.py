"""Entrenar: un modelo (:func:`train`) o K a la vez (:func:`train_many`, :func:`train_groups`).

Las piezas, de abajo arriba:

* :mod:`~batchlab.training.batching` — la regla de los batches: el orden de cada época y sus
  trozos de B filas;
* :mod:`~batchlab.training.history` — :class:`History`, lo que devuelve un entrenamiento;
* :mod:`~batchlab.training.divergence` — la regla de divergencia, el único sitio donde vive;
* :mod:`~batchlab.training.checkpoints` — evaluaciones intermedias, topes y presupuestos (los
  «puntos de control» son evaluaciones, no pesos guardados);
* :mod:`~batchlab.training.arguments` — los argumentos comprobados una sola vez;
* :mod:`~batchlab.training.loop` — :func:`train`, el bucle por batches;
* :mod:`~batchlab.training.lockstep` — :func:`train_many` y :func:`train_groups`; el bucle de
  la pila de runs vive en los módulos privados ``_stack_mlp``, ``_stack_loop`` y
  ``_stack_record``.
"""

from .batching import batches_per_epoch, epoch_orders, minibatches
from .divergence import DIVERGENCE_FACTOR
from .history import History
from .lockstep import STACK_MAX_BATCH, train_groups, train_many, uses_stack
from .loop import train

__all__ = [
    "DIVERGENCE_FACTOR",
    "STACK_MAX_BATCH",
    "History",
    "batches_per_epoch",
    "epoch_orders",
    "minibatches",
    "train",
    "train_groups",
    "train_many",
    "uses_stack",
]
