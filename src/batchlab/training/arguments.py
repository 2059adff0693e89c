"""Los argumentos de :func:`batchlab.train`, comprobados una sola vez.

Datos (formas, valores finitos), tamaño del batch, tasa y decaimiento, semilla, órdenes dados,
puntos de control, topes y optimizador: cada error se explica en español antes de entrenar.
``check_train_arguments`` devuelve un :class:`TrainSetup` con todo ya limpio;
:func:`batchlab.training.train_many` usa las mismas comprobaciones.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import numpy as np

from .._checks import check_int, check_real, check_seed, is_int
from ..mlp import MLP
from ..optimizers import check_momentum, get_optimizer

__all__ = [
    "MANY_OPTIONS",
    "TrainSetup",
    "check_checkpoints",
    "check_many_arguments",
    "check_optimizer",
    "check_train_arguments",
    "check_validation",
    "checked_orders",
    "resolve_batch_size",
    "validate_data",
]


# -- los datos ---------------------------------------------------------------------
def _check_array(name: str, a: np.ndarray) -> np.ndarray:
    """Convierte a float64 y rechaza lo que no es numérico o no es finito."""
    try:
        arr = np.asarray(a, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} debe ser un array numérico: {exc}") from None
    if not np.all(np.isfinite(arr)):
        bad = int(np.size(arr) - np.count_nonzero(np.isfinite(arr)))
        raise ValueError(
            f"{name} contiene {bad} valores NaN o infinitos; límpialos o imputa antes de entrenar."
        )
    return arr


def validate_data(
    model: MLP, X: np.ndarray, y: np.ndarray, name: str = "X"
) -> tuple[np.ndarray, np.ndarray]:
    """Comprueba formas y valores de ``(X, y)`` para `model`; devuelve arrays float64.

    ``y`` puede ser un vector (m,) o una columna (m, 1); se devuelve como columna.
    """
    yname = "y" if name == "X" else name.replace("X", "y")
    X = _check_array(name, X)
    y = _check_array(yname, y)
    n_in, n_out = model.layer_sizes[0], model.layer_sizes[-1]
    if X.ndim != 2 or X.shape[1] != n_in:
        raise ValueError(
            f"{name} debe tener forma (n_muestras, {n_in}) para esta red, pero tiene {X.shape}."
        )
    if y.ndim == 1 and n_out == 1:
        y = y.reshape(-1, 1)
    if y.ndim != 2 or y.shape[1] != n_out:
        raise ValueError(
            f"{yname} debe tener forma (n_muestras, {n_out}) (o un vector si la salida es 1), "
            f"pero tiene {y.shape}."
        )
    if X.shape[0] != y.shape[0]:
        raise ValueError(
            f"{name} e {yname} deben tener el mismo número de filas: "
            f"{X.shape[0]} frente a {y.shape[0]}."
        )
    if X.shape[0] == 0:
        raise ValueError(f"{name} está vacío: hace falta al menos una muestra.")
    return np.ascontiguousarray(X), np.ascontiguousarray(y)


def resolve_batch_size(batch_size: int | str | None, n_samples: int) -> int:
    """Traduce ``batch_size`` a un entero: None o "full" significan N (batch completo)."""
    if batch_size is None or (isinstance(batch_size, str) and batch_size == "full"):
        return n_samples
    if not is_int(batch_size):
        raise TypeError(
            f"batch_size debe ser un entero positivo, None o 'full' (batch completo); "
            f"se recibió {batch_size!r}"
        )
    if batch_size < 1:
        raise ValueError(f"batch_size debe ser ≥ 1 (1 = SGD puro); se recibió {batch_size}")
    if batch_size > n_samples:
        raise ValueError(
            f"batch_size={batch_size} es mayor que el número de muestras ({n_samples}); "
            "usa batch_size='full' para el batch completo."
        )
    return int(batch_size)


# -- los argumentos de train(), comprobados una vez ------------------------------------
@dataclass(frozen=True)
class TrainSetup:
    """Los argumentos de :func:`train` ya comprobados (arrays float64, números limpios)."""

    X: np.ndarray
    y: np.ndarray
    X_val: np.ndarray | None
    y_val: np.ndarray | None
    batch_size: int
    learning_rate: float
    decay: float
    epochs: int | None
    seed: int | None
    eval_every: int | None
    eval_rel: float | None
    max_updates: int | None
    time_budget: float | None
    target_loss: float | None
    optimizer: str
    momentum: float
    callback: Callable[[int, MLP], None] | None

    @property
    def n_samples(self) -> int:
        """Filas de entrenamiento (N)."""
        return self.X.shape[0]


def _optional(check: Callable, name: str, value: object, *args: object):
    """``check(name, value, *args)``, salvo que `value` sea None (argumento no usado)."""
    return None if value is None else check(name, value, *args)


def check_validation(model: MLP, X_val, y_val) -> tuple[np.ndarray | None, np.ndarray | None]:
    """El conjunto de validación: los dos arrays o ninguno."""
    if (X_val is None) != (y_val is None):
        raise ValueError("Pasa X_val e y_val juntos (o ninguno).")
    if X_val is None:
        return None, None
    return validate_data(model, X_val, y_val, name="X_val")


def check_train_arguments(
    model,
    X,
    y,
    *,
    batch_size,
    learning_rate,
    epochs,
    seed,
    decay,
    X_val,
    y_val,
    eval_every,
    eval_rel,
    max_updates,
    time_budget,
    target_loss,
    optimizer,
    momentum,
    callback,
) -> TrainSetup:
    """Comprueba todos los argumentos de :func:`train` (mensajes en español)."""
    X, y = validate_data(model, X, y)
    X_val, y_val = check_validation(model, X_val, y_val)
    eval_every, eval_rel, target_loss = check_checkpoints(eval_every, eval_rel, target_loss)
    setup = TrainSetup(
        X=X,
        y=y,
        X_val=X_val,
        y_val=y_val,
        batch_size=resolve_batch_size(batch_size, X.shape[0]),
        learning_rate=check_real("learning_rate", learning_rate),
        decay=check_real("decay", decay, allow_zero=True),
        epochs=_optional(check_int, "epochs", epochs, 1),
        seed=_optional(check_seed, "seed", seed),
        eval_every=eval_every,
        eval_rel=eval_rel,
        max_updates=_optional(check_int, "max_updates", max_updates, 1),
        time_budget=_optional(check_real, "time_budget", time_budget),
        target_loss=target_loss,
        optimizer=check_optimizer(optimizer),
        momentum=check_momentum(momentum),
        callback=callback,
    )
    _check_stops(setup)
    if setup.callback is not None and not callable(setup.callback):
        raise TypeError(f"callback debe ser una función callback(t, model); es {setup.callback!r}")
    return setup


#: Los argumentos de ``train()`` que ``train_many`` aplica a todos sus runs, con su valor por
#: defecto (los de ``train()``); tasa y semilla van por run; `time_budget`, `orders` y
#: `callback` no tienen sentido para K runs a la vez.
MANY_OPTIONS = {
    "X_val": None,
    "y_val": None,
    "decay": 0.0,
    "eval_every": None,
    "eval_rel": None,
    "max_updates": None,
    "target_loss": None,
    "optimizer": "sgd",
    "momentum": 0.9,
}


#: Qué hacer con los argumentos de train() que train_many no admite.
_MANY_HINTS = {
    "learning_rate": "La tasa va por run: learning_rates=… (un número o uno por modelo).",
    "seed": "La semilla va por run: seeds=… (un número o uno por modelo).",
    "time_budget": "Un presupuesto de tiempo no tiene sentido para K runs a la vez: usa "
    "max_updates=… o train() run a run.",
    "orders": "Los órdenes dados son de un run: usa train(orders=…) run a run.",
    "callback": "Un callback por actualización es de un run: usa train(callback=…).",
}


def check_many_arguments(
    model: MLP, X, y, *, batch_size, learning_rate, seed, epochs, options: dict
) -> TrainSetup:
    """Los argumentos comunes de ``train_many``, con las comprobaciones de :func:`train`.

    `options` son los de :data:`MANY_OPTIONS` (los que faltan toman su valor por defecto);
    `learning_rate` y `seed`, los de un run cualquiera (ya comprobados).
    """
    unknown = sorted(set(options) - set(MANY_OPTIONS))
    if unknown:
        hints = [_MANY_HINTS[name] for name in unknown if name in _MANY_HINTS]
        raise TypeError(
            f"train_many no admite {unknown}: sus opciones son las de train() comunes a todos "
            f"los runs ({', '.join(MANY_OPTIONS)}), además de epochs, progress y n_jobs. "
            + " ".join(hints)
        )
    options = {**MANY_OPTIONS, **options}
    check_optimizer(options["optimizer"], stacked=True)
    return check_train_arguments(
        model, X, y, batch_size=batch_size, learning_rate=learning_rate, seed=seed,
        epochs=check_int("epochs", epochs, 1), time_budget=None, callback=None, **options,
    )  # fmt: skip


def check_checkpoints(
    eval_every: object, eval_rel: object, target_loss: object
) -> tuple[int | None, float | None, float | None]:
    """Los puntos de control: cada `eval_every` pasos o geométricos (`eval_rel`), no los dos.

    `target_loss` se mira en los puntos de control, así que necesita uno de los dos.
    """
    eval_every = _optional(check_int, "eval_every", eval_every, 1)
    eval_rel = _optional(check_real, "eval_rel", eval_rel)
    if eval_rel is not None and eval_rel > 1:
        raise ValueError(
            "eval_rel es la fracción de los pasos dados entre dos evaluaciones (p. ej. 0.015: "
            f"cada 1,5 %); debe estar en (0, 1]; se recibió {eval_rel!r}"
        )
    if eval_every is not None and eval_rel is not None:
        raise ValueError(
            "eval_every y eval_rel se excluyen: pasa eval_every=… (cada k actualizaciones) "
            "o eval_rel=… (puntos de control geométricos), no los dos."
        )
    target_loss = _optional(check_real, "target_loss", target_loss)
    if target_loss is not None and eval_every is None and eval_rel is None:
        raise ValueError(
            "target_loss necesita eval_every=… o eval_rel=…: la pérdida se mira en los "
            "puntos de control."
        )
    return eval_every, eval_rel, target_loss


def _check_stops(setup: TrainSetup) -> None:
    """Algo tiene que decidir cuándo parar."""
    bounds = (setup.epochs, setup.max_updates, setup.time_budget, setup.target_loss)
    if all(bound is None for bound in bounds):
        raise ValueError(
            "train() necesita saber cuándo parar: pasa epochs=… (p. ej. "
            "epochs=10) o un tope: max_updates, time_budget o target_loss."
        )


def check_optimizer(optimizer: object, *, stacked: bool = False) -> str:
    """El nombre de un optimizador de :data:`batchlab.optimizers.OPTIMIZERS` (con `stacked`,
    uno que tenga gemelo apilado)."""
    get_optimizer(optimizer, stacked=stacked)
    return optimizer


def checked_orders(orders: Iterable[np.ndarray], n: int) -> Iterator[np.ndarray]:
    """Los órdenes dados, comprobando que cada uno es una permutación de ``range(n)``."""
    for perm in orders:
        perm = np.asarray(perm)
        if (
            perm.shape != (n,)
            or not np.issubdtype(perm.dtype, np.integer)
            or not np.array_equal(np.sort(perm), np.arange(n))
        ):
            raise ValueError(f"Cada orden de orders debe ser una permutación de range({n}).")
        yield perm
    raise ValueError("orders se ha agotado: hace falta un orden por época.")
