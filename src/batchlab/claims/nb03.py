"""Notebook 03: el registro de sus conclusiones (batch completo, SGD y mini-batch).

:data:`SPECS` declara cada conclusión (lo que se afirma, qué se mide, la regla y las frases de
cada veredicto). Cada función recibe lo que el notebook ya midió (tablas con columnas de
máquina, arrays, números) y devuelve la lista de sus :class:`~batchlab.claims.engine.Claim`;
una lista vacía si los parámetros de esta ejecución no permiten medirla (p. ej. un método sin
tasa fiable). El notebook las suma a ``conclusiones`` e imprime sus frases.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from .engine import Claim, median_of, rate_of
from .spec import FAILS, HOLDS, INCONCLUSIVE, NO_VERDICT, VERDICTS, Rule, Spec

__all__ = [
    "SPECS",
    "budget",
    "cosines",
    "equal_epochs",
    "lottery",
    "noise_ball",
    "reproduction",
    "stable_preparation",
]

#: la medida de todas las conclusiones «k de n divergen»
_DIVERGE = "proporción de ejecuciones que divergen"
#: la medida de las conclusiones de los cosenos
_AGAINST = "proporción de batches con coseno < 0"
#: la cifra de la bola de ruido
_SLOPE = "pendiente {valor:.2f} (IC 95 % {ic_bajo:.2f}–{ic_alto:.2f})"


def _divergence_sentences(context: str) -> dict[str, str]:
    """Las tres frases de una conclusión «k de n divergen», con su contexto delante."""
    figure = "{k} de {n} ejecuciones divergieron (IC 95 % {ic_bajo:.0%}–{ic_alto:.0%})"
    return {
        "se cumple": f"{context}: {figure}.",
        "no se cumple": f"{context}: {figure}.",
        "no concluyente": f"{context}: {figure}; con {{n}} ejecuciones no se puede decidir.",
    }


def _ratio_sentences(winner: str, loser: str, moment: str) -> dict[str, str]:
    """Las tres frases de «`winner` tiene menor MSE que `loser`» (cociente loser / winner)."""
    figure = "cociente {valor:.2f}, IC 95 % {ic_bajo:.2f}–{ic_alto:.2f}"
    return {
        "se cumple": f"{moment}, {winner} tiene menor MSE que {loser} ({figure}).",
        "no se cumple": f"{moment}, {winner} tiene mayor MSE que {loser} ({figure}).",
        "no concluyente": f"{moment}, no se distingue entre {winner} y {loser} ({figure}).",
    }


def _cosine_sentences() -> dict[str, str]:
    """Las frases de «k de n batches apuntan contra el gradiente completo» (con ``{B}``)."""
    figure = "Con B = {B}, {k} de {n} batches apuntan contra el gradiente completo (IC 95 % "
    figure += "{ic_bajo:.1%}–{ic_alto:.1%})"
    return {v: figure + ("." if v != INCONCLUSIVE else ": no se distingue del umbral.")
            for v in VERDICTS if v != NO_VERDICT}  # fmt: skip


#: El registro de las conclusiones del notebook: id → :class:`~.spec.Spec`.
SPECS = {
    spec.id: spec
    for spec in (
        Spec(
            "03.reproduccion",
            "Reproducimos al dígito las cifras publicadas del original (3 métodos × 5 épocas)",
            "cifras que coinciden a 4 decimales",
            Rule(0.75, "mayor"),
            {
                HOLDS: "Reproducción: coinciden {k} de {n} cifras publicadas del original.",
                FAILS: "Reproducción: solo coinciden {k} de {n} cifras; algo difiere.",
                INCONCLUSIVE: "Reproducción: coinciden {k} de {n} cifras (parcial).",
            },
        ),
        Spec(
            "03.loteria_cruda",
            "Con la preparación original, SGD a lr {lr} diverge en alguna ejecución",
            _DIVERGE,
            Rule(0.0, "mayor"),
            _divergence_sentences("Preparación original, SGD a lr {lr}, todas las filas"),
        ),
        Spec(
            "03.filas_extremas",
            "Sin las filas a más de 20 σ, esa misma configuración diverge en menos del 30 %",
            _DIVERGE,
            Rule(0.3, "menor"),
            _divergence_sentences("Sin las filas a más de 20 σ"),
        ),
        Spec(
            "03.una_fila_no_basta",
            "Quitar solo la fila más extrema no basta: alguna ejecución sigue divergiendo",
            _DIVERGE,
            Rule(0.0, "mayor"),
            _divergence_sentences("Sin la fila más extrema"),
        ),
        Spec(
            "03.preparacion_estable",
            "Con la preparación «{features}», SGD a lr {lr} diverge en menos del 30 %",
            _DIVERGE,
            Rule(0.3, "menor"),
            _divergence_sentences("Preparación «{features}», SGD a lr {lr}"),
        ),
        Spec(
            "03.gd_detras_epocas",
            "A igual número de épocas ({epochs}), el batch completo con su tasa queda por "
            "detrás del mini-batch con la suya",
            "MSE de prueba batch completo / mini-batch (por pareja de ejecuciones)",
            Rule(1.0, "mayor"),
            {
                HOLDS: "A igual número de épocas ({epochs}), el batch completo queda por "
                "detrás: su MSE de prueba es {valor:.2f} veces el del mini-batch (mediana; "
                "IC 95 % {ic_bajo:.2f}–{ic_alto:.2f}).",
                FAILS: "A igual número de épocas ({epochs}), el batch completo queda por "
                "delante: su MSE de prueba es {valor:.2f} veces el del mini-batch (IC 95 % "
                "{ic_bajo:.2f}–{ic_alto:.2f}).",
                INCONCLUSIVE: "A igual número de épocas ({epochs}), no se distingue el batch "
                "completo del mini-batch: cociente {valor:.2f} (IC 95 % "
                "{ic_bajo:.2f}–{ic_alto:.2f}).",
            },
        ),
        Spec(
            "03.por_paso",
            "A igual número de actualizaciones ({updates}), el batch completo tiene menor MSE "
            "de validación que SGD (cada uno con su tasa)",
            "MSE SGD / MSE batch completo (por pareja)",
            Rule(1.0, "mayor"),
            _ratio_sentences("el batch completo", "SGD", "Tras {updates} actualizaciones"),
        ),
        Spec(
            "03.por_muestra",
            "A igual número de muestras vistas ({samples}), SGD tiene menor MSE de validación "
            "que el mini-batch",
            "MSE mini-batch / MSE SGD (por pareja)",
            Rule(1.0, "mayor"),
            _ratio_sentences("SGD", "el mini-batch", "Tras {samples} muestras vistas"),
        ),
        Spec(
            "03.coseno_b1",
            "Con B = 1, más del 10 % de los gradientes apuntan contra el completo",
            _AGAINST,
            Rule(0.1, "mayor"),
            _cosine_sentences(),
        ),
        Spec(
            "03.coseno_mini_batch",
            "Con B = {B}, menos del 5 % apuntan contra el completo",
            _AGAINST,
            Rule(0.05, "menor"),
            _cosine_sentences(),
        ),
        Spec(
            "03.bola_raiz",
            "El radio de la bola de ruido crece como √η, no como η (pendiente log-log < 0.75)",
            "pendiente de log(radio) frente a log(η), una por semilla",
            Rule(0.75, "menor"),
            {
                HOLDS: "Bola de ruido: " + _SLOPE + ", más cerca de ½ (√η) que de 1 (η).",
                FAILS: "Bola de ruido: " + _SLOPE + ": el radio crece casi en proporción a η.",
                INCONCLUSIVE: "Bola de ruido: " + _SLOPE + ": no se distingue.",
            },
        ),
    )
}


def reproduction(table: pd.DataFrame) -> list[Claim]:
    """``03.reproduccion``: cuántas cifras publicadas del original coinciden (columna ``match``
    de :func:`batchlab.experiments.original.reproduce_original`)."""
    return [rate_of(SPECS["03.reproduccion"], int(table["match"].sum()), len(table))]


def lottery(
    all_rows: Sequence[bool],
    without_far: Sequence[bool],
    without_top: Sequence[bool],
    *,
    learning_rate: float,
) -> list[Claim]:
    """La lotería de la preparación original: ``03.loteria_cruda``, ``03.filas_extremas`` y
    ``03.una_fila_no_basta``. Cada argumento dice qué ejecuciones divergieron (una por
    ejecución) con todas las filas, sin las filas a más de 20 σ y sin la más extrema."""
    ids = ("03.loteria_cruda", "03.filas_extremas", "03.una_fila_no_basta")
    found = zip(ids, (all_rows, without_far, without_top), strict=True)
    return [rate_of(SPECS[id], sum(hits), len(hits), lr=f"{learning_rate:g}") for id, hits in found]


def stable_preparation(
    summary: pd.DataFrame, *, learning_rate: float, features: str
) -> list[Claim]:
    """``03.preparacion_estable``: SGD a la tasa del original con la preparación `features`,
    leído del resumen del barrido (:func:`batchlab.experiments.sweeps.summarize_sweep`);
    ninguna conclusión si esa tasa no está en el barrido."""
    at_lr = summary[np.isclose(summary["lr"], learning_rate) & (summary["method"] == "sgd")]
    if not len(at_lr):
        return []
    k, n = int(at_lr["diverged_runs"].iloc[0]), int(at_lr["runs"].iloc[0])
    spec = SPECS["03.preparacion_estable"]
    return [rate_of(spec, k, n, features=features, lr=f"{learning_rate:g}")]


def equal_epochs(test_losses: Mapping[str, np.ndarray], *, epochs: int) -> list[Claim]:
    """``03.gd_detras_epocas``: el MSE de prueba del batch completo entre el del mini-batch,
    por pareja de ejecuciones (``{método: array}``); ninguna si falta uno de los dos."""
    if not {"full_batch", "mini_batch"} <= set(test_losses):
        return []
    ratio = test_losses["full_batch"] / test_losses["mini_batch"]
    return [median_of(SPECS["03.gd_detras_epocas"], ratio, epochs=epochs)]


def budget(
    curves: Mapping[str, np.ndarray], *, t_equal: int, equal_updates: int, mini_batch: int
) -> list[Claim]:
    """``03.por_paso`` y ``03.por_muestra`` (las que permitan los métodos de `curves`): MSE de
    validación en el punto de control `t_equal` (tras `equal_updates` pasos) por pareja de
    ejecuciones; SGD se lee al final de su curva (tantas muestras como el mini-batch)."""
    out = []
    if {"sgd", "full_batch"} <= set(curves):
        ratio = curves["sgd"][:, t_equal] / curves["full_batch"][:, t_equal]
        out.append(median_of(SPECS["03.por_paso"], ratio, updates=equal_updates))
    if {"sgd", "mini_batch"} <= set(curves):
        ratio = curves["mini_batch"][:, t_equal] / curves["sgd"][:, -1]
        out.append(median_of(SPECS["03.por_muestra"], ratio, samples=equal_updates * mini_batch))
    return out


def cosines(cosines: Mapping[int, np.ndarray], *, mini_batch: int) -> list[Claim]:
    """``03.coseno_b1`` y ``03.coseno_mini_batch``: qué proporción de los gradientes de batch
    (``{B: cosenos con el gradiente completo}``) apunta contra el completo."""
    pairs = (("03.coseno_b1", 1), ("03.coseno_mini_batch", mini_batch))
    return [
        rate_of(SPECS[id], int((cosines[B] < 0).sum()), len(cosines[B]), B=B) for id, B in pairs
    ]


def noise_ball(slopes: Sequence[float]) -> list[Claim]:
    """``03.bola_raiz``: la pendiente de log(radio) frente a log(η), una por semilla, queda por
    debajo de 0.75 (más cerca de ½, √η, que de 1, η)."""
    return [median_of(SPECS["03.bola_raiz"], slopes)]
