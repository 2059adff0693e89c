"""Notebook 03: el registro de sus conclusiones (batch completo, SGD y mini-batch).

Cada función recibe lo que el notebook ya midió (tablas con columnas de máquina, arrays,
números) y devuelve la lista de sus :class:`~batchlab.claims.engine.Claim`, con el id, la
afirmación y las frases de siempre; una lista vacía si los parámetros de esta ejecución no
permiten medirla (p. ej. un método sin tasa fiable). El notebook las suma a ``conclusiones``
e imprime sus frases.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from .engine import Claim, median_claim, rate_claim
from .spec import VERDICTS, Rule

__all__ = [
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


def reproduction(table: pd.DataFrame) -> list[Claim]:
    """``reproduccion``: cuántas cifras publicadas del original coinciden (columna ``match``
    de :func:`batchlab.experiments.original.reproduce_original`)."""
    k, n = int(table["match"].sum()), len(table)
    return [
        rate_claim(
            "reproduccion",
            "Reproducimos al dígito las cifras publicadas del original (3 métodos × 5 épocas)",
            k,
            n,
            medida="cifras que coinciden a 4 decimales",
            rule=Rule(0.75, "mayor"),
            frases={
                "se cumple": "Reproducción: coinciden {k} de {n} cifras publicadas del original.",
                "no se cumple": "Reproducción: solo coinciden {k} de {n} cifras; algo difiere.",
                "no concluyente": "Reproducción: coinciden {k} de {n} cifras (parcial).",
            },
        )
    ]


def lottery(
    all_rows: Sequence[bool],
    without_far: Sequence[bool],
    without_top: Sequence[bool],
    *,
    learning_rate: float,
) -> list[Claim]:
    """La lotería de la preparación original: ``loteria_cruda``, ``filas_extremas`` y
    ``una_fila_no_basta``. Cada argumento dice qué ejecuciones divergieron (una por
    ejecución) con todas las filas, sin las filas a más de 20 σ y sin la más extrema."""
    lr = f"{learning_rate:g}"
    return [
        rate_claim(
            "loteria_cruda",
            f"Con la preparación original, SGD a lr {lr} diverge en alguna ejecución",
            sum(all_rows),
            len(all_rows),
            medida=_DIVERGE,
            rule=Rule(0.0, "mayor"),
            frases=_divergence_sentences(f"Preparación original, SGD a lr {lr}, todas las filas"),
        ),
        rate_claim(
            "filas_extremas",
            "Sin las filas a más de 20 σ, esa misma configuración diverge en menos del 30 %",
            sum(without_far),
            len(without_far),
            medida=_DIVERGE,
            rule=Rule(0.3, "menor"),
            frases=_divergence_sentences("Sin las filas a más de 20 σ"),
        ),
        rate_claim(
            "una_fila_no_basta",
            "Quitar solo la fila más extrema no basta: alguna ejecución sigue divergiendo",
            sum(without_top),
            len(without_top),
            medida=_DIVERGE,
            rule=Rule(0.0, "mayor"),
            frases=_divergence_sentences("Sin la fila más extrema"),
        ),
    ]


def stable_preparation(
    summary: pd.DataFrame, *, learning_rate: float, features: str
) -> list[Claim]:
    """``preparacion_estable``: SGD a la tasa del original con la preparación `features`,
    leído del resumen del barrido (:func:`batchlab.experiments.sweeps.summarize_sweep`);
    ninguna conclusión si esa tasa no está en el barrido."""
    at_lr = summary[np.isclose(summary["lr"], learning_rate) & (summary["method"] == "sgd")]
    if not len(at_lr):
        return []
    context = f"Preparación «{features}», SGD a lr {learning_rate:g}"
    return [
        rate_claim(
            "preparacion_estable",
            f"Con la preparación «{features}», SGD a lr {learning_rate:g} diverge en menos "
            "del 30 %",
            int(at_lr["diverged_runs"].iloc[0]),
            int(at_lr["runs"].iloc[0]),
            medida=_DIVERGE,
            rule=Rule(0.3, "menor"),
            frases=_divergence_sentences(context),
        )
    ]


def equal_epochs(test_losses: Mapping[str, np.ndarray], *, epochs: int) -> list[Claim]:
    """``gd_detras_epocas``: el MSE de prueba del batch completo entre el del mini-batch, por
    pareja de ejecuciones (``{método: array}``); ninguna si falta uno de los dos."""
    if not {"full_batch", "mini_batch"} <= set(test_losses):
        return []
    at = f"A igual número de épocas ({epochs})"
    interval = "IC 95 % {ic_bajo:.2f}–{ic_alto:.2f}"
    return [
        median_claim(
            "gd_detras_epocas",
            f"{at}, el batch completo con su tasa queda por detrás del mini-batch con la suya",
            test_losses["full_batch"] / test_losses["mini_batch"],
            medida="MSE de prueba batch completo / mini-batch (por pareja de ejecuciones)",
            rule=Rule(1.0, "mayor"),
            frases={
                "se cumple": f"{at}, el batch completo queda por detrás: su MSE de prueba es "
                f"{{valor:.2f}} veces el del mini-batch (mediana; {interval}).",
                "no se cumple": f"{at}, el batch completo queda por delante: su MSE de prueba "
                f"es {{valor:.2f}} veces el del mini-batch ({interval}).",
                "no concluyente": f"{at}, no se distingue el batch completo del mini-batch: "
                f"cociente {{valor:.2f}} ({interval}).",
            },
        )
    ]


def budget(
    curves: Mapping[str, np.ndarray], *, t_equal: int, equal_updates: int, mini_batch: int
) -> list[Claim]:
    """``por_paso`` y ``por_muestra`` (las que permitan los métodos de `curves`): MSE de
    validación en el punto de control `t_equal` (tras `equal_updates` pasos) por pareja de
    ejecuciones; SGD se lee al final de su curva (tantas muestras como el mini-batch)."""
    out = []
    if {"sgd", "full_batch"} <= set(curves):
        out.append(
            median_claim(
                "por_paso",
                f"A igual número de actualizaciones ({equal_updates}), el batch completo tiene "
                "menor MSE de validación que SGD (cada uno con su tasa)",
                curves["sgd"][:, t_equal] / curves["full_batch"][:, t_equal],
                medida="MSE SGD / MSE batch completo (por pareja)",
                rule=Rule(1.0, "mayor"),
                frases=_ratio_sentences(
                    "el batch completo", "SGD", f"Tras {equal_updates} actualizaciones"
                ),
            )
        )
    if {"sgd", "mini_batch"} <= set(curves):
        samples = equal_updates * mini_batch
        out.append(
            median_claim(
                "por_muestra",
                f"A igual número de muestras vistas ({samples}), SGD tiene "
                "menor MSE de validación que el mini-batch",
                curves["mini_batch"][:, t_equal] / curves["sgd"][:, -1],
                medida="MSE mini-batch / MSE SGD (por pareja)",
                rule=Rule(1.0, "mayor"),
                frases=_ratio_sentences("SGD", "el mini-batch", f"Tras {samples} muestras vistas"),
            )
        )
    return out


def _cosine_claim(B: int, cosines: np.ndarray, threshold: float, side: str, text: str) -> Claim:
    """Una conclusión «k de n batches apuntan contra el gradiente completo» para B."""
    return rate_claim(
        f"coseno_b{B}",
        text,
        int((cosines < 0).sum()),
        len(cosines),
        medida="proporción de batches con coseno < 0",
        rule=Rule(threshold, side),
        frases={
            v: f"Con B = {B}, {{k}} de {{n}} batches apuntan contra el gradiente completo "
            "(IC 95 % {ic_bajo:.1%}–{ic_alto:.1%})"
            + ("." if v != "no concluyente" else ": no se distingue del umbral.")
            for v in VERDICTS
        },
    )


def cosines(cosines: Mapping[int, np.ndarray], *, mini_batch: int) -> list[Claim]:
    """``coseno_b1`` y ``coseno_b<mini_batch>``: qué proporción de los gradientes de batch
    (``{B: cosenos con el gradiente completo}``) apunta contra el completo."""
    B = mini_batch
    return [
        _cosine_claim(
            1,
            cosines[1],
            0.1,
            "mayor",
            "Con B = 1, más del 10 % de los gradientes apuntan contra el completo",
        ),
        _cosine_claim(
            B, cosines[B], 0.05, "menor", f"Con B = {B}, menos del 5 % apuntan contra el completo"
        ),
    ]


def noise_ball(slopes: Sequence[float]) -> list[Claim]:
    """``bola_raiz``: la pendiente de log(radio) frente a log(η), una por semilla, queda por
    debajo de 0,75 (más cerca de ½, √η, que de 1, η)."""
    figure = "pendiente {valor:.2f} (IC 95 % {ic_bajo:.2f}–{ic_alto:.2f})"
    return [
        median_claim(
            "bola_raiz",
            "El radio de la bola de ruido crece como √η, no como η (pendiente log-log < 0,75)",
            slopes,
            medida="pendiente de log(radio) frente a log(η), una por semilla",
            rule=Rule(0.75, "menor"),
            frases={
                "se cumple": f"Bola de ruido: {figure}, más cerca de ½ (√η) que de 1 (η).",
                "no se cumple": f"Bola de ruido: {figure}: el radio crece casi en proporción a η.",
                "no concluyente": f"Bola de ruido: {figure}: no se distingue.",
            },
        )
    ]
