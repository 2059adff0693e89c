"""Con qué motor se dan los pasos: el compilado (Numba, por defecto) o el bucle legible de NumPy.

La variable de entorno ``BATCHLAB_ENGINE`` (``numba`` o ``numpy``) lo decide, y este módulo es el
único que la lee. El bucle de NumPy (:class:`batchlab.mlp.MLP`) es el de la lección; el motor
(:mod:`batchlab.training._engine`) da los mismos números salvo los últimos bits.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

__all__ = ["ENGINES", "ENGINE_MAX_BATCH", "engine_name", "selected_engine", "using_engine"]

#: valores de la variable de entorno ``BATCHLAB_ENGINE``: el motor compilado con Numba
#: (:mod:`batchlab.training._engine`, por defecto) o el bucle de NumPy de ``mlp.py``
ENGINES = ("numba", "numpy")


def engine_name() -> str:
    """``numba`` (por defecto) o ``numpy``: lo que pide ``BATCHLAB_ENGINE``, comprobado."""
    name = os.environ.get("BATCHLAB_ENGINE") or "numba"
    if name not in ENGINES:
        raise ValueError(
            f"BATCHLAB_ENGINE debe ser uno de {', '.join(ENGINES)} (o no estar definida); "
            f"vale {name!r}"
        )
    return name


@contextlib.contextmanager
def using_engine(name: str) -> Iterator[None]:
    """``BATCHLAB_ENGINE=name`` dentro del bloque y, al salir, como estaba.

    Lo usan los procesos de ``train_groups`` (que así entrenan con el motor del proceso que los
    llama, aunque joblib los reutilice de antes) y los benchmarks que miden los dos motores.
    """
    if name not in ENGINES:
        raise ValueError(f"El motor debe ser uno de {', '.join(ENGINES)}; se pidió {name!r}")
    before = os.environ.get("BATCHLAB_ENGINE")
    os.environ["BATCHLAB_ENGINE"] = name
    try:
        yield
    finally:
        if before is None:
            del os.environ["BATCHLAB_ENGINE"]
        else:
            os.environ["BATCHLAB_ENGINE"] = before


#: el motor da los pasos de ``train()`` hasta este B; por encima la aritmética de BLAS domina y
#: el bucle de NumPy, que trabaja en sitio, es igual o más rápido (medido en el notebook 04, un
#: hilo, µs por actualización: B = 512, 248 motor frente a 265 NumPy; B = 2048, 1 049 frente a
#: 970; B = 8 192, 8 536 frente a 3 716)
ENGINE_MAX_BATCH = 512


def selected_engine(optimizer: str, batch_size: int = 1):
    """El motor compilado si sabe dar `optimizer` con batches de `batch_size` filas (y no se
    pidió ``BATCHLAB_ENGINE=numpy``); si no, None.

    La variable la lee :func:`engine_name`. Sin ella (o con ``numba``), ``train()`` y
    ``train_many`` dan sus pasos con el motor; con ``numpy``, con el bucle legible de
    ``mlp.py`` (el de la lección, los mismos números salvo los últimos bits) y Numba ni se
    importa. Devuelve None también con un optimizador que el motor no sabe dar y con
    ``batch_size > ENGINE_MAX_BATCH``.
    """
    if engine_name() == "numpy" or batch_size > ENGINE_MAX_BATCH:
        return None
    from . import _engine  # importa Numba (y compila la primera vez)

    return _engine if optimizer in _engine.ENGINE_OPTIMIZERS else None
