"""Datos del curso: California Housing, con réplica sin conexión, división y escalado.

Orden para encontrar la caché de scikit-learn (`cal_housing_py3.pkz`):

1. la carpeta de caché (`data_home`: el argumento, si no `$SCIKIT_LEARN_DATA`,
   si no la carpeta `data/` del repositorio);
2. la réplica sin conexión (`$HOUSING_MIRROR`, por defecto
   `../shared/data/scikit_learn_data` junto a la raíz del repositorio), que se copia
   a la caché;
3. la descarga de scikit-learn.

Si nada funciona se lanza :class:`DatasetUnavailableError`; nunca se inventan datos.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from ._checks import check_seed, is_real
from .features import PIPELINES, feature_transformer, skewed_features

__all__ = [
    "CACHE_FILENAME",
    "FEATURES",
    "N_ROWS",
    "TARGET",
    "TARGET_CAP",
    "DatasetCorruptError",
    "DatasetUnavailableError",
    "HousingSplit",
    "ensure_housing_cache",
    "holdout",
    "load_housing",
    "split_and_scale",
    "split_index",
]

CACHE_FILENAME = "cal_housing_py3.pkz"
FEATURES = [
    "MedInc",
    "HouseAge",
    "AveRooms",
    "AveBedrms",
    "Population",
    "AveOccup",
    "Latitude",
    "Longitude",
]
TARGET = "MedHouseVal"
N_ROWS = 20_640
#: Valor en el que el censo de 1990 recortó el objetivo (censura por arriba); los topes de
#: las variables están en :mod:`batchlab.census`.
TARGET_CAP = 5.00001

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATA_HOME = REPO_ROOT / "data"
DEFAULT_MIRROR = REPO_ROOT.parent / "shared" / "data" / "scikit_learn_data"


class DatasetUnavailableError(OSError):
    """No hay caché, ni réplica, y la descarga falló."""


class DatasetCorruptError(OSError):
    """El fichero de caché existe pero no se puede leer."""


def _data_home(data_home: str | os.PathLike | None) -> Path:
    """Carpeta de caché: argumento, si no `$SCIKIT_LEARN_DATA`, si no `data/` del repo."""
    if data_home is not None:
        return Path(data_home).expanduser()
    env = os.environ.get("SCIKIT_LEARN_DATA")
    return Path(env).expanduser() if env else DEFAULT_DATA_HOME


def _mirror() -> Path:
    """Carpeta de la réplica sin conexión (`$HOUSING_MIRROR` o la de `shared/`)."""
    env = os.environ.get("HOUSING_MIRROR")
    return Path(env).expanduser() if env else DEFAULT_MIRROR


def _copy_atomically(src: Path, dst: Path) -> None:
    """Copia `src` a `dst` pasando por un temporal: nunca deja un fichero a medias."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=dst.parent, prefix=".tmp-", suffix=".pkz")
    os.close(fd)
    try:
        shutil.copyfile(src, tmp)
        os.replace(tmp, dst)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def _download(home: Path) -> None:
    """Deja que scikit-learn descargue y construya la caché en `home`."""
    from sklearn.datasets import fetch_california_housing

    home.mkdir(parents=True, exist_ok=True)
    fetch_california_housing(data_home=str(home), download_if_missing=True)


def ensure_housing_cache(data_home: str | os.PathLike | None = None) -> Path:
    """Garantiza que la caché exista en `data_home` y devuelve su ruta.

    Usa la caché si está; si no, copia la réplica; si no, descarga con scikit-learn.
    Lanza :class:`DatasetUnavailableError` diciendo dónde buscó y cómo arreglarlo.
    """
    home = _data_home(data_home)
    cache = home / CACHE_FILENAME
    if cache.is_file():
        return cache
    mirror = _mirror() / CACHE_FILENAME
    if mirror.is_file():
        _copy_atomically(mirror, cache)
        return cache
    try:
        _download(home)
    except Exception as exc:  # red ausente, servidor caído, disco lleno...
        raise DatasetUnavailableError(
            "No se encontró el dataset California Housing.\n"
            f"  - caché buscada en: {cache}\n"
            f"  - réplica sin conexión buscada en: {mirror}\n"
            f"  - descarga con scikit-learn: falló ({type(exc).__name__}: {exc})\n"
            "Cómo arreglarlo (una de las dos):\n"
            f"  1. copia {CACHE_FILENAME} en {home} o apunta HOUSING_MIRROR a la carpeta "
            "que lo contiene;\n"
            "  2. conéctate a internet y ejecuta `make data` para que scikit-learn lo descargue."
        ) from exc
    if not cache.is_file():
        raise DatasetUnavailableError(
            f"scikit-learn terminó la descarga pero no dejó {cache}; "
            "borra la carpeta y vuelve a ejecutar `make data`."
        )
    return cache


def load_housing(data_home: str | os.PathLike | None = None) -> pd.DataFrame:
    """California Housing como DataFrame: las 8 variables y `MedHouseVal` ($100k).

    20.640 filas (grupos de manzanas del censo de EE. UU. de 1990).
    """
    from sklearn.datasets import fetch_california_housing

    cache = ensure_housing_cache(data_home)
    try:
        bunch = fetch_california_housing(
            data_home=str(cache.parent), download_if_missing=False, as_frame=True
        )
    except Exception as exc:  # zlib, pickle, EOF...: el fichero está dañado
        raise DatasetCorruptError(
            f"La caché {cache} está dañada y no se puede leer "
            f"({type(exc).__name__}: {exc}). Bórrala y ejecuta `make data` de nuevo."
        ) from exc
    df = bunch.frame
    if df.shape != (N_ROWS, len(FEATURES) + 1) or list(df.columns) != [*FEATURES, TARGET]:
        raise DatasetCorruptError(
            f"La caché {cache} no tiene la forma esperada ({N_ROWS} filas, "
            f"columnas {FEATURES + [TARGET]}) sino {df.shape}. "
            "Bórrala y ejecuta `make data` de nuevo."
        )
    return df


@dataclass(frozen=True)
class HousingSplit:
    """Conjuntos de entrenamiento y prueba preparados, con sus transformadores.

    `y_train` e `y_test` son vectores columna (n, 1). Los transformadores se ajustaron
    solo con el entrenamiento. `x_scaler` es el de la preparación `features` (un
    ``StandardScaler`` con ``"standard"``; véase :mod:`batchlab.features`).
    """

    X_train: np.ndarray
    X_test: np.ndarray
    y_train: np.ndarray
    y_test: np.ndarray
    x_scaler: object
    y_scaler: StandardScaler
    feature_names: tuple[str, ...]
    features: str = "standard"

    @property
    def target_scale(self) -> float:
        """Desviación típica del objetivo en el entrenamiento, en $100k."""
        return float(self.y_scaler.scale_[0])

    def rmse_100k(self, mse_standardized: float) -> float:
        """RMSE en $100k a partir de un MSE medido sobre el objetivo estandarizado."""
        return float(np.sqrt(mse_standardized) * self.target_scale)

    def rmse_dollars(self, mse_standardized: float) -> float:
        """RMSE en dólares a partir de un MSE sobre el objetivo estandarizado."""
        return 100_000.0 * self.rmse_100k(mse_standardized)

    def to_original_target(self, y_standardized: np.ndarray) -> np.ndarray:
        """Devuelve predicciones estandarizadas a la escala original ($100k)."""
        y = np.asarray(y_standardized, dtype=float).reshape(-1, 1)
        return self.y_scaler.inverse_transform(y)


def split_and_scale(
    df: pd.DataFrame, test_size: float = 0.2, seed: int = 42, features: str = "standard"
) -> HousingSplit:
    """Divide en entrenamiento/prueba y prepara X e y sin fuga de información.

    Los transformadores se ajustan solo con las filas de entrenamiento y luego se aplican
    a las de prueba, como ocurriría con datos nuevos. `features` elige la preparación de
    las variables (:data:`batchlab.features.PIPELINES`: ``"standard"`` estandariza tal
    cual; ``"log"`` aplica antes ``log1p`` a las variables positivas de cola pesada del
    entrenamiento…); el objetivo siempre se estandariza.
    """
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"df debe ser un DataFrame de load_housing(), no {type(df).__name__}")
    missing = [c for c in [*FEATURES, TARGET] if c not in df.columns]
    if missing:
        raise ValueError(f"Al DataFrame le faltan las columnas {missing}; usa load_housing().")
    if not is_real(test_size):
        raise TypeError(f"test_size debe ser un número entre 0 y 1, no {test_size!r}")
    if not 0.0 < float(test_size) < 1.0:
        raise ValueError(f"test_size debe estar entre 0 y 1 (p. ej. 0.2), no {test_size!r}")
    seed = check_seed("seed", seed)
    X = df[FEATURES].to_numpy(dtype=np.float64)
    y = df[[TARGET]].to_numpy(dtype=np.float64)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=float(test_size), random_state=int(seed)
    )
    x_scaler = _feature_transformer(features, X_train).fit(X_train)
    y_scaler = StandardScaler().fit(y_train)
    return HousingSplit(
        X_train=x_scaler.transform(X_train),
        X_test=x_scaler.transform(X_test),
        y_train=y_scaler.transform(y_train),
        y_test=y_scaler.transform(y_test),
        x_scaler=x_scaler,
        y_scaler=y_scaler,
        feature_names=tuple(FEATURES),
        features=features,
    )


def split_index(df: pd.DataFrame, test_size: float = 0.2, seed: int = 42):
    """Las etiquetas de `df` de las filas de entrenamiento y de prueba de :func:`split_and_scale`.

    Mismo `test_size` y `seed` ⇒ mismo reparto: la fila ``i`` de ``split.X_train`` es la
    fila ``train_index[i]`` de `df`. Devuelve ``(train_index, test_index)``.
    """
    train, test = train_test_split(df.index, test_size=float(test_size), random_state=int(seed))
    return pd.Index(train), pd.Index(test)


def _feature_transformer(name: str, X_train: np.ndarray):
    """El transformador de `name`; las columnas de ``log1p`` se eligen con el entrenamiento."""
    if name not in PIPELINES:
        raise ValueError(f"features debe ser uno de {PIPELINES}; se recibió {name!r}")
    heavy = skewed_features(pd.DataFrame(X_train, columns=FEATURES), FEATURES)
    return feature_transformer(
        name, log_columns=[FEATURES.index(f) for f in heavy], n_rows=len(X_train)
    )


def holdout(split: HousingSplit, fraction: float = 0.2, seed: int = 0):
    """Separa una validación del conjunto de entrenamiento (la prueba no se toca al ajustar).

    Devuelve ``X_fit, X_val, y_fit, y_val`` (el orden de ``train_test_split``).
    """
    return train_test_split(split.X_train, split.y_train, test_size=fraction, random_state=seed)


def main() -> None:
    """`python -m batchlab data`: rellena la caché (réplica o descarga) e informa."""
    cache = ensure_housing_cache()
    df = load_housing(cache.parent)
    print(f"Dataset listo: {len(df)} filas en {cache}")


if __name__ == "__main__":
    main()
