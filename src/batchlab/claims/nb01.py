"""Notebook 01: el registro de sus conclusiones (exploración de los datos).

:data:`SPECS` declara cada conclusión (lo que se afirma, qué se mide, la regla y las frases de
cada veredicto); cada función recibe lo ya medido en el notebook (tablas con claves de
máquina, listas o números) y devuelve sus conclusiones
(:class:`~batchlab.claims.engine.Claim`). Aquí no se mide nada: solo se escribe qué se afirma
y con qué regla se decide.

* :func:`location_claim` — la ubicación sola frente a la regresión lineal (sección 6);
* :func:`tail_claims` — la lotería de la preparación original y lo que cambia log1p (sección 9);
* :func:`leak_claim` — cuánto mueve la fuga las medias (sección 10).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .engine import Claim, median_of, rate_of
from .spec import Rule, Spec

__all__ = [
    "SPECS",
    "leak_claim",
    "location_claim",
    "log_divergence_claim",
    "log_mse_claim",
    "lottery_claim",
    "tail_claims",
]


def location_claim(table: pd.DataFrame) -> Claim:
    """¿La ubicación sola predice mejor que una recta con las 8 variables?

    `table` tiene una fila por división y las columnas ``hgb_lat_lon`` y ``linear_all`` (MSE
    de prueba); se mide su cociente en cada división y se compara su mediana con 1.
    """
    return median_of(SPECS["01.ubicacion_sola"], table["hgb_lat_lon"] / table["linear_all"])


#: El registro de las conclusiones del notebook: id → :class:`~.spec.Spec`.
SPECS = {
    spec.id: spec
    for spec in (
        Spec(
            "01.ubicacion_sola",
            "La ubicación sola (HGB con latitud y longitud) predice mejor que la regresión "
            "lineal con las 8 variables",
            "MSE de prueba de HGB(lat, lon) / MSE de la regresión lineal",
            Rule(1.0, "menor"),
            {
                "se cumple": "Solo con latitud y longitud, HGB deja el MSE de la regresión "
                "lineal en un {valor:.2f} (IC 95 % [{ic_bajo:.2f}, {ic_alto:.2f}], {n} "
                "divisiones): la ubicación explica más que una recta con todas las variables.",
                "no se cumple": "Solo con latitud y longitud, HGB queda peor que la regresión "
                "lineal (cociente {valor:.2f}, IC [{ic_bajo:.2f}, {ic_alto:.2f}], {n} "
                "divisiones).",
                "no concluyente": "HGB con latitud y longitud y la regresión lineal no se "
                "separan (cociente {valor:.2f}, IC [{ic_bajo:.2f}, {ic_alto:.2f}], {n} "
                "divisiones).",
            },
        ),
        # SGD con B = 1 y solo estandarizar: a veces diverge (la fracción es > 0)
        Spec(
            "01.loteria_cruda",
            "Con las variables solo estandarizadas, SGD (B = 1, lr {lr:g}) a veces diverge",
            "fracción de semillas de barajado que divergen (estandarizar)",
            Rule(0.0, "mayor"),
            {
                "se cumple": "Con la preparación original divergen {k} de {n} semillas de "
                "barajado (IC 95 % [{ic_bajo:.2f}, {ic_alto:.2f}]); {tail}",
                "no se cumple": "Con la preparación original no diverge ninguna de las {n} "
                "semillas (IC 95 % hasta {ic_alto:.2f}).",
                "no concluyente": "Con la preparación original divergen {k} de {n} semillas "
                "(IC 95 % [{ic_bajo:.2f}, {ic_alto:.2f}]).",
            },
        ),
        Spec(
            "01.log_sin_divergencias",
            "Con log1p de las colas, menos de la mitad de las ejecuciones divergen (lr {lr:g})",
            "fracción de semillas de barajado que divergen (log)",
            Rule(0.5, "menor"),
            {
                verdict: "Con log1p de las colas divergen {k} de {n} semillas (IC 95 % "
                "[{ic_bajo:.2f}, {ic_alto:.2f}])" + tail
                for verdict, tail in (
                    ("se cumple", "."),
                    ("no se cumple", ": a esta tasa tampoco basta."),
                    ("no concluyente", ": no se puede afirmar que sean menos de la mitad."),
                )
            },
        ),
        Spec(
            "01.log_mejora_mse",
            "Con log1p de las colas el MSE de prueba es menor que solo estandarizando",
            "MSE de prueba con log / MSE con estandarizar, por semilla (∞ si log diverge)",
            Rule(1.0, "menor"),
            {
                "se cumple": "Por semilla, el cociente MSE de prueba con log1p / con "
                "estandarizar tiene mediana {valor:.2f} (IC 95 % [{ic_bajo:.2f}, "
                "{ic_alto:.2f}], n = {n}; un 0 es una semilla en la que estandarizando "
                "divergió).",
                "no se cumple": "Por semilla, log1p no mejora el MSE de prueba (cociente "
                "{valor:.2f}, IC 95 % [{ic_bajo:.2f}, {ic_alto:.2f}], n = {n}).",
                "no concluyente": "Por semilla, log1p y estandarizar no se separan en MSE de "
                "prueba (cociente {valor:.2f}, IC 95 % [{ic_bajo:.2f}, {ic_alto:.2f}], "
                "n = {n}).",
            },
        ),
        Spec(
            "01.fuga_medias_pequenas",
            "Con la fuga, ninguna media se mueve más de un 5 % de σ",
            "mayor |desplazamiento de la media| por la fuga (% de σ), por división",
            Rule(5.0, "menor"),
            {
                "se cumple": "Con la fuga, la media que más se mueve lo hace un {valor:.2f} % "
                "de σ (mediana; IC 95 % [{ic_bajo:.2f}, {ic_alto:.2f}], {n} divisiones): la "
                "fuga cambia poco las medias con esta fracción de prueba.",
                "no se cumple": "Con la fuga, alguna media se mueve un {valor:.2f} % de σ "
                "(mediana; IC 95 % [{ic_bajo:.2f}, {ic_alto:.2f}], {n} divisiones): la prueba "
                "pesa mucho en la preparación.",
                "no concluyente": "Con la fuga, la media que más se mueve lo hace un "
                "{valor:.2f} % de σ (IC 95 % [{ic_bajo:.2f}, {ic_alto:.2f}], {n} divisiones).",
            },
        ),
    )
}


def lottery_claim(k: int, n: int, lr: float) -> Claim:
    """Con la preparación original (estandarizar), SGD con B = 1 diverge en `k` de `n` semillas.

    La frase dice además si es una lotería o si, a esta tasa `lr`, divergen todas.
    """
    tail = (
        "a esta tasa divergen todas."
        if k == n
        else "es una lotería: el resultado de una sola ejecución depende del orden."
    )
    return rate_of(SPECS["01.loteria_cruda"], k, n, lr=lr, tail=tail)


def log_divergence_claim(k: int, n: int, lr: float) -> Claim:
    """Con log1p de las colas divergen `k` de `n` semillas: ¿menos de la mitad?"""
    return rate_of(SPECS["01.log_sin_divergencias"], k, n, lr=lr)


def log_mse_claim(ratio: Sequence[float]) -> Claim:
    """¿log1p baja el MSE de prueba? `ratio`: MSE con log / MSE con estandarizar, por semilla.

    Un cociente 0 es una semilla en la que estandarizando divergió y con log no; ∞, al revés.
    """
    return median_of(SPECS["01.log_mejora_mse"], ratio)


def tail_claims(summary: pd.DataFrame, runs: pd.DataFrame, lr: float) -> list[Claim]:
    """Las conclusiones de la comparación de preparaciones (``tails.compare_pipelines``).

    `summary` (índice ``pipeline``; columnas ``diverged`` y ``runs``) y `runs` (índice
    ``pipeline``, ``shuffle_seed``; columna ``test_mse``, inf si divergió). Si con log
    divergen todas las semillas no hay MSE que comparar y la lista no trae
    ``log_mejora_mse``.
    """
    k_standard, k_log = (int(summary.loc[p, "diverged"]) for p in ("standard", "log"))
    n_standard, n_log = (int(summary.loc[p, "runs"]) for p in ("standard", "log"))
    found = [lottery_claim(k_standard, n_standard, lr), log_divergence_claim(k_log, n_log, lr)]
    mse_standard = runs.loc["standard", "test_mse"]
    mse_log = runs.loc["log", "test_mse"]
    if np.isfinite(mse_log).any():
        with np.errstate(invalid="ignore"):
            ratio = (mse_log / mse_standard).to_numpy()  # ∞/∞ → NaN: cuenta como «no mejora»
        found.append(log_mse_claim(ratio))
    return found


def leak_claim(shifts: Sequence[float]) -> Claim:
    """Con la fuga, ¿ninguna media se mueve más de un 5 % de σ?

    `shifts`: el mayor |desplazamiento de una media| por la fuga (% de σ), uno por división.
    """
    return median_of(SPECS["01.fuga_medias_pequenas"], shifts)
