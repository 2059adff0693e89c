"""El mismo algoritmo, K entrenamientos a la vez (*the same algorithm, K runs at once*).

Las conclusiones del curso salen de muchos entrenamientos por configuración (varias
semillas, varias tasas de aprendizaje). Con batches pequeños casi todo el tiempo de una
actualización es el sobrecoste fijo de cada llamada a NumPy, no la aritmética; así que
K entrenamientos que comparten el tamaño del batch pueden repartirse ese sobrecoste:
se apilan sus parámetros con un eje delantero de «run» y cada producto de matrices es
**un solo** ``np.matmul`` sobre K matrices (K productos de BLAS, una llamada de Python).

Nada cambia en el algoritmo: :class:`StackedMLP` es :class:`batchlab.mlp.MLP` con ese eje
delante (mismo vector θ por run, ``1ᵀδ`` para el sesgo, ``sign(A)`` como derivada de la
ReLU, la tasa aplicada a δ de la salida) y :func:`train_many` repite la lógica de
:func:`batchlab.training.train` run a run (barajado propio de cada semilla, caída de la
tasa, puntos de control, divergencia). Cada producto apilado llama a la misma rutina de
BLAS con las mismas formas que el producto suelto, así que cada run da los mismos números
que ``train()`` llamado solo (los tests lo comprueban).

Cada run es independiente: el que diverge se congela y se marca, el que alcanza su
objetivo se para, y los demás siguen sin enterarse. Con batches grandes el apilado no
aporta (BLAS ya domina) y :func:`train_many` llama a ``train()`` run a run. Para grupos
independientes (p. ej. distintos tamaños de batch) :func:`train_groups` los reparte
entre núcleos con joblib (``n_jobs``); el resultado no depende de ``n_jobs``.

Los tiempos de un :class:`History` de ``train_many`` son el tiempo del grupo repartido
entre sus runs activos (coste amortizado por run), no el de un entrenamiento suelto: para
medir tiempos, ``train()`` en serie y con un hilo.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .._checks import check_int, check_real, check_seed, is_real
from ..mlp import MLP
from ._stack_loop import STACK_MAX_BATCH, STACK_MAX_ROWS, STACK_MAX_RUNS, _train_stacked
from .arguments import MANY_OPTIONS, check_many_arguments
from .engines import engine_name, using_engine
from .history import History
from .loop import train

__all__ = [
    "STACK_MAX_BATCH",
    "STACK_MAX_ROWS",
    "STACK_MAX_RUNS",
    "train_groups",
    "train_many",
    "uses_stack",
]


# -- la entrada pública ------------------------------------------------------------
def _per_run(name: str, value, k: int, check) -> list:
    """Un valor por run: un escalar se repite; una secuencia debe tener K elementos."""
    values = [value] * k if is_real(value) or isinstance(value, bool) else list(value)
    if len(values) != k:
        raise ValueError(
            f"{name} debe ser un número o tener un valor por modelo ({k}); tiene {len(values)}."
        )
    return [check(name, v) for v in values]


def uses_stack(k: int, batch_size: int) -> bool:
    """Si :func:`train_many` apila K runs con ese B (si no, llama a ``train()`` run a run)."""
    return k > 1 and batch_size <= STACK_MAX_BATCH


def _check_models(models) -> list[MLP]:
    """Una lista no vacía de MLP distintos con la misma arquitectura."""
    models = list(models) if not isinstance(models, MLP) else [models]
    if not models or not all(isinstance(m, MLP) for m in models):
        raise TypeError("models debe ser una lista de batchlab.MLP (uno por entrenamiento).")
    if len({id(m) for m in models}) != len(models):
        raise ValueError("models repite el mismo MLP; usa model.copy() para cada entrenamiento.")
    if len({m.layer_sizes for m in models}) != 1:
        raise ValueError(
            "Todos los modelos de train_many deben tener la misma arquitectura (layer_sizes)."
        )
    return models


def train_many(
    models: Sequence[MLP],
    X: np.ndarray,
    y: np.ndarray,
    *,
    batch_size: int | str | None,
    learning_rates: float | Sequence[float],
    seeds: int | Sequence[int],
    epochs: int,
    progress: bool = False,
    n_jobs: int = 1,
    **options,
) -> list[History]:
    """Entrena K modelos en sitio, como K llamadas a :func:`batchlab.training.train`.

    ``models[k]`` se entrena con ``learning_rates[k]`` y ``seeds[k]`` (un número se repite
    para todos). `options` son los argumentos de ``train()`` comunes a todos los runs, con
    sus mismos valores por defecto (:data:`~batchlab.training.arguments.MANY_OPTIONS`:
    ``X_val``, ``y_val``, ``decay``, ``eval_every``, ``eval_rel``, ``max_updates``,
    ``target_loss``, ``optimizer`` y ``momentum``), comprobados por las mismas funciones.
    Devuelve un :class:`History` por modelo, en el mismo orden, con los números de ``train()``
    llamado solo (salvo los tiempos, que son el coste del grupo repartido entre sus runs):
    idénticos con el bucle de NumPy y, con el motor, salvo los últimos bits (≤ 1e-10
    relativo: los dos caminos suman en otro orden). Optimizadores: los que tienen gemelo
    apilado (``"sgd"``, ``"nesterov"``, ``"adam"``); otro es un error, nunca SGD a escondidas.

    Con ``batch_size ≤ STACK_MAX_BATCH`` los runs avanzan a la vez (:class:`StackedMLP`),
    en pilas de como mucho ``STACK_MAX_ROWS // batch_size`` runs (entre 2 y
    ``STACK_MAX_RUNS``); con batches mayores, o un solo modelo, se llama a ``train()``
    run a run. Un run que diverge se congela (``History.diverged``) y los demás siguen
    igual. ``n_jobs > 1`` reparte los runs en ese número de procesos (joblib); el resultado
    no cambia.
    """
    models = _check_models(models)
    k = len(models)
    lrs = _per_run("learning_rates", learning_rates, k, check_real)
    seeds = _per_run("seeds", seeds, k, check_seed)
    n_jobs = check_int("n_jobs", n_jobs, 1)
    setup = check_many_arguments(
        models[0], X, y, batch_size=batch_size, learning_rate=lrs[0], seed=seeds[0],
        epochs=epochs, options=options,
    )  # fmt: skip
    X, y, bs = setup.X, setup.y, setup.batch_size
    common = {"epochs": setup.epochs, **{name: getattr(setup, name) for name in MANY_OPTIONS}}

    if n_jobs > 1 and k > 1:  # trozos contiguos de runs, uno por proceso
        bounds = np.linspace(0, k, min(n_jobs, k) + 1).astype(int)
        groups = [
            dict(models=models[a:b], learning_rates=lrs[a:b], seeds=seeds[a:b])
            for a, b in zip(bounds[:-1], bounds[1:], strict=True)
        ]
        parts = train_groups(groups, X, y, batch_size=bs, n_jobs=n_jobs, **common)
        return [h for part in parts for h in part]
    # el apilado no compensa: train() run a run (con el motor compilado, si está elegido); si
    # compensa, la pila (con el motor, por defecto, SGD y B < 4 da sus pasos el núcleo apilado)
    if not uses_stack(k, bs):
        return [
            train(m, X, y, batch_size=bs, learning_rate=lr, seed=s, progress=progress, **common)
            for m, lr, s in zip(models, lrs, seeds, strict=True)
        ]
    per_stack = max(2, min(STACK_MAX_RUNS, STACK_MAX_ROWS // bs))
    out: list[History] = []
    for a in range(0, k, per_stack):
        b = a + per_stack
        out += _train_stacked(models[a:b], setup, lrs=lrs[a:b], seeds=seeds[a:b], progress=progress)
    return out


def _train_group_worker(group: dict, X, y, common: dict, engine: str):
    """Entrena un grupo en un proceso aparte, con el motor `engine` del proceso que lo pidió;
    devuelve sus historias y sus θ finales."""
    with using_engine(engine):
        histories = train_many(X=X, y=y, **{**common, **group})
    return histories, [m.theta for m in group["models"]]


def train_groups(
    groups: Sequence[dict], X: np.ndarray, y: np.ndarray, *, n_jobs: int = 1, **common
) -> list[list[History]]:
    """Varios :func:`train_many` independientes (p. ej. uno por tamaño de batch), en paralelo.

    Cada grupo es un diccionario de argumentos de ``train_many`` (al menos ``models``,
    ``learning_rates`` y ``seeds``); `common` son los compartidos (``batch_size``,
    ``epochs``…), que un grupo puede sustituir. Con ``n_jobs > 1`` los grupos se reparten
    entre procesos con joblib; los modelos se entrenan en sitio igualmente y el resultado
    es el mismo con cualquier ``n_jobs``. No sirve para medir tiempos: los procesos
    compiten por los núcleos.
    """
    n_jobs = check_int("n_jobs", n_jobs, 1)
    groups = [dict(g) for g in groups]
    for g in groups:
        if "models" not in g:
            raise ValueError("Cada grupo de train_groups necesita su lista 'models'.")
        g["models"] = _check_models(g["models"])
        g.pop("n_jobs", None)
    common.pop("n_jobs", None)
    if n_jobs == 1 or len(groups) == 1:
        return [train_many(X=X, y=y, **{**common, **g}) for g in groups]
    from joblib import Parallel, delayed

    results = Parallel(n_jobs=min(n_jobs, len(groups)))(
        delayed(_train_group_worker)(g, X, y, common, engine_name()) for g in groups
    )
    out = []
    for g, (histories, thetas) in zip(groups, results, strict=True):
        for model, theta in zip(g["models"], thetas, strict=True):
            model.theta[...] = theta  # el proceso entrenó una copia: se trae el resultado
        out.append(histories)
    return out
