"""batchlab: cómo el tamaño del batch cambia el entrenamiento de una red neuronal.

El paquete compartido por los notebooks del curso, un módulo por idea. De abajo arriba
(cada uno importa solo de los anteriores; el modelo no importa nada de dibujo):

* :mod:`batchlab._checks` — comprobaciones comunes de argumentos (enteros, reales, semillas);
* :mod:`batchlab.features` — las preparaciones de variables para las colas pesadas;
* :mod:`batchlab.data` — California Housing (con réplica sin conexión), división y escalado,
  la validación separada (``holdout``) y la preparación del material original;
* :mod:`batchlab.census` — notebooks 01 y 02: significado y unidades de las columnas, topes
  del censo y dólares;
* :mod:`batchlab.mlp` — el MLP escrito a mano con NumPy;
* :mod:`batchlab.optimizers` — Adam sobre el vector de parámetros;
* :mod:`batchlab.batching` — la regla de los batches: orden de cada época y sus trozos de B filas;
* :mod:`batchlab.history` — ``History``, lo que devuelve un entrenamiento;
* :mod:`batchlab.checkpoints` — evaluaciones intermedias, presupuestos y callback de ``train()``;
* :mod:`batchlab.train_setup` — los argumentos de ``train()`` comprobados y el paso de cada
  optimizador;
* :mod:`batchlab.training` — ``train()``, el bucle de entrenamiento por batches;
* :mod:`batchlab.reference` — el mismo bucle escrito «de libro», para leerlo (notebooks 02 y 03);
* :mod:`batchlab.stacked` — el mismo algoritmo, K redes a la vez (MLP, SGD y Adam apilados);
* :mod:`batchlab.stack_runs` — lo que se anota de cada run de una pila y su ``History``;
* :mod:`batchlab.stack_loop` — el bucle de ``train_many`` para una pila de runs;
* :mod:`batchlab.lockstep` — ``train_many()``: K entrenamientos (semillas, tasas) a la vez;
* :mod:`batchlab.curvature` — λ_max de la hessiana (H·v exacto y Lanczos);
* :mod:`batchlab.claims` — las conclusiones como registros medidos (intervalo y veredicto);
* :mod:`batchlab.labels` — las etiquetas en español de las claves de máquina (solo para mostrar);
* :mod:`batchlab.baselines` — notebook 02: inicialización y modelos de referencia;
* :mod:`batchlab.methods` — notebook 03: batch completo, SGD y mini-batch comparados;
* :mod:`batchlab.original` — notebook 03: el material original, reproducido cifra a cifra;
* :mod:`batchlab.multirun` — notebook 03: muchas ejecuciones por configuración y sus resúmenes;
* :mod:`batchlab.smoothing` — notebook 03: media móvil y ruido de la pérdida por actualización;
* :mod:`batchlab.sweeps` — notebooks 03 y 04: barridos de tasas y la regla de la mejor tasa;
* :mod:`batchlab.noise` — notebook 04: ruido del gradiente, B_simple y pasos hasta un objetivo
  (y, en el 03, el coseno entre el gradiente de un batch y el completo);
* :mod:`batchlab.scaling` — notebook 04: la rejilla B × lr con semillas, tasa óptima y
  frontera, y el ajuste ε_opt(B);
* :mod:`batchlab.targets` — notebook 04: pasos hasta un objetivo, el ajuste S(B) y la brecha a
  igual pérdida de entrenamiento;
* :mod:`batchlab.schedules` — notebook 04: tasas que cambian (blog, Smith) y el diagnóstico de
  una curva;
* :mod:`batchlab.cost` — notebooks 03 y 04: tiempo, memoria e hilos de BLAS de un batch y un
  hardware paralelo ideal;
* :mod:`batchlab.linear` — notebooks 03 y 04: la recta de dos parámetros y sus caminos;
* :mod:`batchlab.plots` — el estilo de las figuras, sus colores y ayudas comunes, y las figuras
  del notebook 02;
* :mod:`batchlab.data_plots` — las figuras del notebook 01 (los datos y sus preparaciones);
* :mod:`batchlab.method_plots` — las figuras del notebook 03 (métodos y muchas ejecuciones);
* :mod:`batchlab.sweep_plots` — las figuras del barrido de tasas del notebook 03;
* :mod:`batchlab.batch_lr_plots` — la figura del coste de un batch (notebook 04);
* :mod:`batchlab.scale_plots` — notebook 04: figuras de la rejilla, del ajuste de la tasa y del
  blog;
* :mod:`batchlab.noise_plots` — notebook 04: figuras de la escala de ruido (pasos, varianza,
  curvatura, optimizadores, brecha);
* :mod:`batchlab.display` — el texto alternativo de las figuras e imágenes guardadas;
* :mod:`batchlab.animation` — la animación de la recta ajustada batch a batch;
* :mod:`batchlab.parameters` — validación de los parámetros de cada notebook;
* :mod:`batchlab.ejercicios` — comprobadores, pistas y soluciones del notebook 05.
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
