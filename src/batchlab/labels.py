"""Los nombres que lee el estudiante: etiquetas en español de las claves de máquina.

Los experimentos devuelven tablas con claves en inglés (``snake_case``): el método
(``"full_batch"``, ``"sgd"``, ``"mini_batch"``), el tamaño del batch ``B`` y la tasa
``lr`` (los símbolos del curso) y columnas documentadas en cada función. Nada compara
ni analiza textos en español. Este módulo traduce **solo para mostrar**: encabezados de
tablas (:func:`spanish`) y leyendas (:func:`method_label`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence

import pandas as pd

__all__ = [
    "THOUSANDS",
    "Int",
    "LABELS",
    "METHOD_NAMES",
    "Num",
    "OPTIMIZER_NAMES",
    "method_id",
    "method_label",
    "method_labels",
    "fmt",
    "spanish",
]

#: Nombre de cada método (clave de máquina → español).
METHOD_NAMES = {"full_batch": "batch completo", "sgd": "SGD", "mini_batch": "mini-batch"}

#: Nombre de cada optimizador (el valor de ``train(optimizer=...)`` → para mostrar).
OPTIMIZER_NAMES = {"sgd": "SGD", "nesterov": "SGD + Nesterov", "adam": "Adam"}

#: Etiqueta en español de cada clave de máquina (columnas, nombres de índice y valores).
LABELS = {
    # comunes
    "method": "método",
    "epoch": "época",
    "train": "entrenamiento",
    "test": "prueba",
    "optimizer": "optimizador",
    # baselines
    "layer": "capa",
    "init": "inicialización",
    "activation_std": "desviación",
    "he": "He: N(0, 2/n)",
    "standard_normal": "N(0, 1)",
    "small": "pequeña: N(0, 0.01²)",
    "model": "modelo",
    "test_mse": "MSE prueba",
    "rmse_dollars": "RMSE ($)",
    "mean_prediction": "predecir la media",
    "linear_regression": "regresión lineal",
    "hist_gradient_boosting": "HistGradientBoosting",
    # methods
    "updates": "actualizaciones",
    "samples": "muestras",
    "epochs_seen": "épocas vistas",
    "noise": "ruido",
    # cost
    "s_per_epoch": "s / época",
    "us_per_update": "µs / actualización",
    "samples_per_s": "muestras / s",
    "updates_per_epoch": "actualizaciones / época",
    "forward_bytes": "forward (calculado)",
    "forward_backward_bytes": "forward + pico de backward (calculado)",
    "measured_peak_bytes": "pico medido (tracemalloc)",
    # programas de Smith et al. (schedule_comparisons)
    "program": "programa",
    "constant": "constante",
    "lower_rate": "bajar la tasa",
    "raise_batch": "subir B",
    # sweeps
    "seed": "semilla",
    "median": "mediana",
    "min": "mínimo",
    "max": "máximo",
    "worst": "peor",
    "diverged_runs": "divergidas",
    "runs": "ejecuciones",
    "reliable": "fiable",
    "lr_refined": "lr refinada",
    "best_loss": "mejor pérdida",
    "good_rates": "tasas buenas",
    "width_decades": "ancho (décadas)",
    "gap": "diferencia",
    "diverges": "diverge",
    "oscillates": "oscila",
    "crawls": "se arrastra",
    "converges": "converge",
    # noise
    "reached": "alcanza",
    "epochs": "épocas",
    "loss": "pérdida",
    "batches": "batches",
    "measured_variance": "varianza medida",
    "predicted_variance": "predicción tr(Σ)/B·(N−B)/(N−1)",
    "grad_sq_norm": "|G|²",
    "trace_sigma": "tr(Σ)",
    "b_simple": "B_simple",
}

#: Columnas con número variable (hilos de BLAS): patrón → etiqueta.
_PATTERNS = (
    (re.compile(r"^us_(\d+)_threads$"), r"µs con \1 hilo(s)"),
    (re.compile(r"^threads_used_(\d+)$"), r"hilos efectivos (\1)"),
    (re.compile(r"^speedup_(\d+)_vs_(\d+)$"), r"aceleración \1 vs \2"),
)


#: Separador de miles del curso: un espacio que no parte la cifra (16 512).
THOUSANDS = "\u00a0"


class Num(float):
    """Un número que se escribe a la manera del curso: punto decimal, miles con espacio
    (solo a partir de cinco cifras: 2048, 16 512) e ∞ para el infinito."""

    def __format__(self, spec: str) -> str:
        if math.isinf(self):
            return "∞" if self > 0 else "-∞"
        if math.isnan(self):
            return "—"
        text = format(float(self), spec.replace(",", ""))
        return _group(text)


class Int(int):
    """Un entero con los miles del curso (16 512; 2048 sin espacio)."""

    def __format__(self, spec: str) -> str:
        return _group(format(int(self), spec.replace(",", "")))


def _group(text: str) -> str:
    """Agrupa de tres en tres la parte entera si tiene cinco cifras o más."""
    sign = text[0] if text[:1] in "+-" else ""
    body = text[len(sign) :]
    digits = len(body) - len(body.lstrip("0123456789"))
    if digits < 5:
        return text
    whole, rest = body[:digits], body[digits:]
    groups = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return sign + THOUSANDS.join(groups) + rest


def fmt(value, spec: str = ".4g") -> str:
    """`value` con el formato del curso (punto decimal, miles con espacio, ∞)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    number = Int(value) if isinstance(value, int) else Num(value)
    return format(number, spec if not isinstance(value, int) or "d" in spec else "d")


def method_label(method: str, batch_size: int) -> str:
    """Etiqueta para mostrar, p. ej. ``"mini-batch (B=32)"`` (B es el de esa ejecución)."""
    return f"{METHOD_NAMES.get(method, method)} (B={batch_size})"


def _label(key, extra: Mapping):
    """La etiqueta de una clave (las de `extra` primero); la propia clave si no tiene."""
    if not isinstance(key, str):
        return key
    if key in extra:
        return extra[key]
    if key in LABELS:
        return LABELS[key]
    if key in METHOD_NAMES:
        return METHOD_NAMES[key]
    for pattern, repl in _PATTERNS:
        if pattern.match(key):
            return pattern.sub(repl, key)
    return key


def spanish(table: pd.DataFrame | pd.Series, labels: Mapping | None = None, empty: str = ""):
    """Copia de `table` con encabezados, nombres de índice y claves en español.

    `labels` añade etiquetas propias (p. ej. :func:`run_labels`). Una columna ``method``
    junto a ``B`` (columna o índice) se muestra como ``"mini-batch (B=32)"``. Si `table`
    está vacía y se da `empty`, imprime esa frase y devuelve None (un notebook no muestra
    una tabla vacía).
    """
    if empty and len(table) == 0:
        print(empty)
        return None
    extra = dict(labels or {})
    t = table.copy()
    if isinstance(t, pd.DataFrame) and "method" in t.columns:
        sizes = t["B"] if "B" in t.columns else t.index.get_level_values("B")
        t["method"] = [method_label(m, b) for m, b in zip(t["method"], sizes, strict=True)]
    fix = lambda k: _label(k, extra)  # noqa: E731
    t = t.rename(index=fix)
    t.index = t.index.set_names([fix(n) for n in t.index.names])
    if isinstance(t, pd.DataFrame):
        t = t.rename(columns=fix)
        t.columns = t.columns.set_names([fix(n) for n in t.columns.names])
    else:
        t.name = fix(t.name)
    return t


def method_id(batch_size: int, n: int) -> str:
    """La clave del método según B y las N filas: ``full_batch``, ``sgd`` o ``mini_batch``."""
    if batch_size >= n:
        return "full_batch"
    return "sgd" if batch_size == 1 else "mini_batch"


def method_labels(batch_sizes: Sequence[int], n: int) -> dict[str, str]:
    """``{clave del método: etiqueta en español}`` de unos tamaños de batch (para mostrar)."""
    return {
        key: method_label(key, b)
        for key, b in zip(_method_ids(batch_sizes, n), batch_sizes, strict=True)
    }


def _method_ids(batch_sizes: Sequence[int], n: int) -> list[str]:
    """Las claves de `batch_sizes`; cada método una sola vez (si no, se pisarían)."""
    ids = [method_id(b, n) for b in batch_sizes]
    if len(set(ids)) != len(ids):
        raise ValueError(f"Cada método una sola vez: los tamaños {list(batch_sizes)} dan {ids}.")
    return ids
