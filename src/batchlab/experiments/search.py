"""La búsqueda de la tasa de aprendizaje: una regla, y sin quedarse en el borde.

**La regla de la mejor tasa** (una sola en todo el curso, :func:`best_rate`): entre las tasas
con las que ninguna ejecución divergió ni acabó peor que al empezar, la de menor mediana de la
pérdida de validación (a igualdad, la mayor). Si ninguna tasa lo consigue, no hay tasa.

**Sin quedarse en el borde** (:func:`search_rates`): si la mejor tasa es la mayor o la menor de
las probadas, el óptimo podría estar fuera de la rejilla; la búsqueda añade la siguiente tasa por
ese lado (×√10 o ÷√10) y vuelve a mirar, hasta que la mejor tenga una tasa probada a cada lado
(una que diverge también cuenta: por encima, peor) o se agoten los pasos. Lo que se queda en el
borde lo dice ``edge`` (``"top"``, ``"bottom"`` o ``"none"`` si ninguna tasa vale), y una
conclusión que dependa de ello no toma veredicto.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from ..stats import median_inf

__all__ = ["EDGES", "best_rate", "rate_summary", "search_rates"]

#: Por qué una búsqueda no dio un óptimo interior (clave → explicación para mostrar).
EDGES = {
    "": "interior",
    "top": "la mejor es la mayor tasa probada",
    "bottom": "la mejor es la menor tasa probada",
    "none": "ninguna tasa probada evita divergir o empeorar",
}
STEP = math.sqrt(10.0)


def rate_summary(runs: pd.DataFrame, value: str = "val_loss") -> pd.DataFrame:
    """Por (B, lr): mediana de `value` (lo que diverge cuenta como ∞), ejecuciones, divergidas
    y las que acaban peor que al empezar. Columnas ``B``, ``lr``, ``median``, ``runs``,
    ``diverged``, ``worse`` y ``valid`` (ni divergen ni empeoran)."""
    rows = []
    for (B, lr), d in runs.groupby(["B", "lr"], sort=True):
        div = d["diverged"].astype(bool)
        worse = (~d["improved"].astype(bool)) & ~div
        v = d[value].where(~div, math.inf)
        rows.append({"B": int(B), "lr": float(lr), "median": median_inf(v), "runs": len(d),
                     "diverged": int(div.sum()), "worse": int(worse.sum())})  # fmt: skip
    out = pd.DataFrame(rows, columns=["B", "lr", "median", "runs", "diverged", "worse"])
    out["valid"] = (out["diverged"] == 0) & (out["worse"] == 0) & np.isfinite(out["median"])
    return out


def best_rate(summary: pd.DataFrame) -> tuple[float, str]:
    """La tasa de la regla para un B (`summary` de :func:`rate_summary` con un solo B) y si está
    en el borde de lo probado: ``(tasa o NaN, clave de EDGES)``."""
    valid = summary[summary["valid"]]
    if valid.empty:
        return math.nan, "none"
    best = valid.sort_values(["median", "lr"], ascending=[True, False]).iloc[0]
    lr = float(best["lr"])
    tested = summary["lr"].to_numpy(float)
    if lr >= tested.max():
        return lr, "top"
    if lr <= tested.min():
        return lr, "bottom"
    return lr, ""


def _next_rates(summary: pd.DataFrame, edge: str) -> list[float]:
    """La tasa que hay que añadir por el lado del borde (redondeada a 4 cifras)."""
    tested = summary["lr"].to_numpy(float)
    lr = tested.max() * STEP if edge == "top" else tested.min() / STEP
    return [float(f"{lr:.4g}")]


def search_rates(
    evaluate: Callable[[Mapping[int, Sequence[float]]], pd.DataFrame],
    grid: Mapping[int, Sequence[float]],
    *,
    max_steps: int = 3,
    value: str = "val_loss",
    lowest: float = 1e-6,
    highest: float = 100.0,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Busca la mejor tasa de cada B hasta que quede en el interior de lo probado.

    ``evaluate({B: [tasas]})`` entrena esas tasas (en todas las réplicas) y devuelve sus filas
    (columnas ``B``, ``lr``, ``diverged``, ``improved`` y `value`). Cada ronda amplía, a la vez
    y para cada B en el borde, una tasa por su lado; como mucho `max_steps` rondas y nunca fuera
    de [`lowest`, `highest`]. Devuelve todas las ejecuciones y, por B, ``lr`` (la mejor),
    ``median``, ``edge`` (clave de :data:`EDGES`) y ``extended`` (tasas añadidas).
    """
    runs = evaluate({int(B): list(lrs) for B, lrs in grid.items()})
    added = dict.fromkeys(grid, 0)
    for _ in range(max_steps):
        summary = rate_summary(runs, value)
        todo = {}
        for B in grid:
            s = summary[summary["B"] == int(B)]
            _, edge = best_rate(s)
            if edge in ("top", "bottom", "none"):
                extra = _next_rates(s, "bottom" if edge == "none" else edge)
                extra = [lr for lr in extra if lowest <= lr <= highest]
                if extra:
                    todo[int(B)] = extra
                    added[B] += 1
        if not todo:
            break
        runs = pd.concat([runs, evaluate(todo)], ignore_index=True)
    summary = rate_summary(runs, value)
    rows = []
    for B in grid:
        s = summary[summary["B"] == int(B)]
        lr, edge = best_rate(s)
        med = (
            float(s.loc[np.isclose(s["lr"], lr), "median"].iloc[0]) if np.isfinite(lr) else math.nan
        )
        rows.append({"B": int(B), "lr": lr, "median": med, "edge": edge, "extended": added[B]})
    return runs, pd.DataFrame(rows).set_index("B")
