"""Notebook 04, segunda mitad del registro: generalización, optimizadores, programas y consejos.

Las conclusiones de la brecha a igual pérdida, del presupuesto (mismas épocas o mismas
actualizaciones, Hoffer et al.; agudeza, Keskar et al.), de la escala crítica de Nesterov y
Adam, de Smith et al. y del blog, y los consejos finales. Como en :mod:`batchlab.claims.nb04`,
cada función recibe números o tablas ya calculados (claves de máquina) y devuelve conclusiones.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ..stats import median_difference
from .engine import Claim, Rule, fit_claim, median_claim, rate_claim

__all__ = [
    "advice",
    "advice_table",
    "blog_claim",
    "gap_claim",
    "hoffer_claim",
    "keskar_claim",
    "optimizer_claims",
    "regime_claims",
    "smith_claim",
]

#: Los dos optimizadores que se comparan con SGD y su nombre en las frases.
_COMPARED_OPTIMIZERS = {"nesterov": "SGD con momento de Nesterov", "adam": "Adam"}


def gap_claim(diff: float, diff_replicates: np.ndarray, b_g0: int, b_g1: int, n: int) -> Claim:
    """A igual pérdida de entrenamiento, brecha(B=`b_g1`) − brecha(B=`b_g0`) > 0."""
    return fit_claim(
        "04.generalizacion.brecha",
        "A igual pérdida de entrenamiento, los batches pequeños generalizan mejor (menor brecha)",
        diff,
        diff_replicates,
        medida=f"brecha(B={b_g1}) − brecha(B={b_g0}), medianas; bootstrap por ejecuciones",
        rule=Rule(0.0, "mayor"),
        n=n,
        frases={
            "se cumple": f"A igual pérdida de entrenamiento la brecha es mayor con B={b_g1} que "
            f"con B={b_g0}: " + "{valor:+.4f} [IC {ic_bajo:+.4f}, {ic_alto:+.4f}].",
            "no se cumple": f"A igual pérdida de entrenamiento la brecha es menor con B={b_g1} "
            f"que con B={b_g0}: " + "{valor:+.4f} [IC {ic_bajo:+.4f}, {ic_alto:+.4f}].",
            "no concluyente": f"Con {n} ejecuciones por B no se distingue la brecha de "
            f"B={b_g1} de la de B={b_g0} " + "({valor:+.4f} [IC {ic_bajo:+.4f}, {ic_alto:+.4f}]).",
        },
    )


def regime_claims(
    differences: Mapping, regime_names: Mapping[str, str], h0: int, h1: int, n: int
) -> list[Claim]:
    """El MSE de prueba del grande frente al pequeño en cada régimen y el cambio (Hoffer).

    `differences[(régimen, "test")]` es ``(diferencia, réplicas)`` de B=`h1` − B=`h0`;
    `regime_names`, el nombre para mostrar de cada régimen.
    """
    found = []
    for r, claim_key in (("epochs", "epocas"), ("updates", "actualizaciones")):
        v, reps = differences[(r, "test")]
        found.append(
            fit_claim(
                f"04.generalizacion.{claim_key}_prueba",
                f"Con {regime_names[r]}, el batch grande (B={h1}) acaba con más MSE de prueba "
                f"que el pequeño (B={h0})",
                v,
                reps,
                medida=f"MSE prueba(B={h1}) − MSE prueba(B={h0}), {regime_names[r]}; medianas, "
                "bootstrap",
                rule=Rule(0.0, "mayor"),
                n=n,
                frases={
                    "se cumple": f"Con {regime_names[r]} el batch grande generaliza peor: "
                    + "{valor:+.4f} [IC {ic_bajo:+.4f}, {ic_alto:+.4f}].",
                    "no se cumple": f"Con {regime_names[r]} el batch grande no generaliza peor: "
                    + "{valor:+.4f} [IC {ic_bajo:+.4f}, {ic_alto:+.4f}].",
                    "no concluyente": f"Con {regime_names[r]} no se distingue el MSE de prueba de "
                    "los dos B ({valor:+.4f} [IC {ic_bajo:+.4f}, {ic_alto:+.4f}]).",
                },
            )
        )
    # Hoffer et al. parten de una desventaja del batch grande a igual número de épocas
    found.append(hoffer_claim(differences, h0, h1, n, found[0].veredicto == "se cumple"))
    return found


def hoffer_claim(differences: Mapping, h0: int, h1: int, n: int, has_gap: bool) -> Claim:
    """Con las actualizaciones del pequeño la diferencia de MSE de prueba baja (Hoffer et al.)."""
    (va, ra), (vb, rb) = differences[("epochs", "test")], differences[("updates", "test")]
    n_rep = min(len(ra), len(rb))
    closing = (
        "como sostienen Hoffer et al."
        if has_gap
        else "aunque a igual número de épocas no había una desventaja clara que cerrar, que es de "
        "lo que parten Hoffer et al."
    )
    return fit_claim(
        "04.generalizacion.hoffer",
        "Con las actualizaciones del pequeño, la diferencia de MSE de prueba (B grande − B "
        "pequeño) es menor que con las mismas épocas (Hoffer et al.)",
        va - vb,
        ra[:n_rep] - rb[:n_rep],
        medida=f"ΔMSE prueba (B={h1} − B={h0}) con mismas épocas − con mismas actualizaciones",
        rule=Rule(0.0, "mayor"),
        n=n,
        frases={
            "se cumple": "Con las mismas actualizaciones la diferencia de MSE de prueba (grande − "
            f"pequeño) es menor que con las mismas épocas, {closing} "
            "Cambio: {valor:+.4f} [IC {ic_bajo:+.4f}, {ic_alto:+.4f}].",
            "no se cumple": "Con las mismas actualizaciones la diferencia de MSE de prueba entre "
            "el batch grande y el pequeño es mayor que con las mismas épocas, en contra de Hoffer "
            "et al.: {valor:+.4f} [IC {ic_bajo:+.4f}, {ic_alto:+.4f}].",
            "no concluyente": "No se decide si dar las mismas actualizaciones cambia la diferencia "
            "de MSE de prueba entre los dos B ({valor:+.4f} [IC {ic_bajo:+.4f}, {ic_alto:+.4f}]).",
        },
    )


def keskar_claim(fin_upd: pd.DataFrame, h0: int, h1: int, n: int) -> Claim:
    """B=`h1` acaba más afilado que B=`h0` (columnas ``B`` y ``lambda_max`` de `fin_upd`)."""
    lam_a = fin_upd.loc[fin_upd.B == h0, "lambda_max"].to_numpy()
    lam_b = fin_upd.loc[fin_upd.B == h1, "lambda_max"].to_numpy()
    v_k, reps_k = median_difference(np.log10(lam_a), np.log10(lam_b))
    return fit_claim(
        "04.curvatura.keskar",
        f"Tras las mismas actualizaciones, B={h1} acaba en un mínimo más afilado que B={h0} "
        "(Keskar et al.)",
        v_k,
        reps_k,
        medida=f"log10 λ_max final(B={h1}) − log10 λ_max final(B={h0}); medianas, bootstrap",
        rule=Rule(0.0, "mayor"),
        n=n,
        frases={
            "se cumple": f"Como sostienen Keskar et al., B={h1} acaba más afilado que B={h0}: "
            "{valor:+.2f} décadas de λ_max [IC {ic_bajo:+.2f}, {ic_alto:+.2f}] (solo estos dos "
            "B; la tabla da λ_max de todos).",
            "no se cumple": f"En contra de Keskar et al., B={h1} no acaba más afilado que B={h0}: "
            "{valor:+.2f} décadas de λ_max [IC {ic_bajo:+.2f}, {ic_alto:+.2f}].",
            "no concluyente": "No se distingue la agudeza final de los dos B ({valor:+.2f} "
            "décadas de λ_max [IC {ic_bajo:+.2f}, {ic_alto:+.2f}]).",
        },
    )


def optimizer_claims(fits: Mapping, replicates: Mapping, n: int) -> list[Claim]:
    """B_ruido de Nesterov y de Adam entre el de SGD (`fits`: ``(S_min, B_ruido)``)."""
    found = []
    for k, name in _COMPARED_OPTIMIZERS.items():
        found.append(
            fit_claim(
                f"04.optim.b_critico_{k}",
                f"{name} tiene un B_ruido (escala crítica) mayor que SGD",
                fits[k][1] / fits["sgd"][1],
                replicates[k][:, 1] / replicates["sgd"][:, 1],
                medida=f"B_ruido({k}) / B_ruido(SGD), pasos hasta el objetivo",
                rule=Rule(1.0, "mayor"),
                n=n,
                frases={
                    "se cumple": f"{name} escala a batches mayores que SGD: cociente "
                    + "{valor:.2f} [IC {ic_bajo:.2f}, {ic_alto:.2f}], como predicen Zhang et al.",
                    "no se cumple": f"{name} no escala a batches mayores que SGD aquí: cociente "
                    "{valor:.2f} [IC {ic_bajo:.2f}, {ic_alto:.2f}], en contra de Zhang et al.",
                    "no concluyente": f"No se decide si {name} tiene una escala crítica mayor "
                    "que SGD: cociente {valor:.2f} [IC {ic_bajo:.2f}, {ic_alto:.2f}].",
                },
            )
        )
    return found


def smith_claim(delta: Sequence[float]) -> Claim:
    """Subir B equivale a bajar la tasa: |Δ MSE| emparejado por barajado por debajo de 0.01."""
    return median_claim(
        "04.smith.equivalente",
        "Subir B en lugar de bajar la tasa llega a la misma pérdida (±0.01) con las mismas "
        "muestras",
        np.abs(delta),
        medida="|MSE val(subir B) − MSE val(bajar la tasa)|, emparejado por barajado",
        rule=Rule(0.01, "menor"),
        frases={
            "se cumple": "Los dos programas llegan al mismo sitio: |Δ| mediana {valor:.4f} "
            "[IC {ic_bajo:.4f}, {ic_alto:.4f}], n = {n}, con menos actualizaciones al subir B.",
            "no se cumple": "Los dos programas no llegan al mismo sitio: |Δ| = {valor:.4f} "
            "[IC {ic_bajo:.4f}, {ic_alto:.4f}].",
            "no concluyente": "No se decide si los dos programas son equivalentes: |Δ| = "
            "{valor:.4f} [IC {ic_bajo:.4f}, {ic_alto:.4f}].",
        },
    )


def blog_claim(count: int, n: int) -> Claim:
    """El consejo del blog: la mejor tasa es menor con B=32 en `count` de `n` barajados."""
    return rate_claim(
        "04.blog.regla",
        "Con batches pequeños hace falta una tasa menor (el consejo del blog), con decaimiento por "
        "época",
        count,
        n,
        medida="barajados en los que la mejor de las 3 tasas del blog es menor con B=32 que con "
        "B=2048",
        rule=Rule(0.5, "mayor"),
        frases={
            "se cumple": "La mejor tasa del blog es menor con B=32 que con B=2048 en {k} de {n} "
            "barajados.",
            "no se cumple": "La mejor tasa del blog no es menor con B=32 ({k} de {n} barajados).",
            "no concluyente": "Con {n} barajados no se decide el consejo del blog ({k} de {n} a "
            "favor).",
        },
    )


def advice_table(h0: int, h1: int) -> dict[str, tuple[str, str]]:
    """El consejo de cada conclusión si se cumple y si no se cumple (B=`h0` y B=`h1`: Hoffer)."""
    return {
        "04.rejilla.frontera": (
            "Ajusta la tasa para cada tamaño de batch: la tasa máxima estable cambia con B.",
            "La tasa máxima estable apenas cambia con B aquí: ajústala igualmente por B.",
        ),
        "04.escalado.b_ruido_tasa": (
            "Por encima de un B pequeño no esperes poder subir la tasa al subir B: apenas crece.",
            "Sube la tasa con B mientras B esté por debajo de B_ruido.",
        ),
        "04.escala.b_ruido_pasos": (
            "Por debajo de B_ruido (pasos), más B ahorra pasos casi en proporción; por encima, "
            "se procesan más datos para el mismo progreso.",
            "El ahorro de pasos al subir B deja de ser proporcional muy pronto (B_ruido de los "
            "pasos por debajo de 4 veces el menor B): por encima, más B procesa más datos por el "
            "mismo progreso.",
        ),
        "04.generalizacion.brecha": (
            "Los batches pequeños generalizan algo mejor a igual pérdida de entrenamiento.",
            "A igual pérdida de entrenamiento los batches pequeños no generalizan mejor.",
        ),
        "04.generalizacion.hoffer": (
            f"Compara B={h0} y B={h1} con las mismas actualizaciones, no con las mismas épocas: "
            "con ellas el grande sale mejor parado en prueba.",
            f"Dar a B={h1} las actualizaciones de B={h0} no mejoró aquí su MSE de prueba relativo.",
        ),
        "04.curvatura.keskar": (
            f"B={h1} acaba aquí en un mínimo más afilado (mayor λ_max) que B={h0}.",
            f"B={h1} no acaba en un mínimo más afilado que B={h0}: no expliques su diferencia de "
            "generalización por la agudeza.",
        ),
        "04.smith.equivalente": (
            "Subir B por fases sustituye a bajar la tasa, con menos actualizaciones.",
            "Subir B no sustituye aquí a bajar la tasa.",
        ),
    }


def advice(
    claims: Sequence[Claim], h0: int, h1: int, decades: float, is_bound: bool, b_min: int
) -> list[str]:
    """Las viñetas de los consejos: uno por conclusión decidida y el de las colas pesadas.

    `decades` es cuánto subió la frontera de B=`b_min` al cambiar solo la preparación de las
    variables (`is_bound`: es una cota inferior).
    """
    verdicts = {c.id: c.veredicto for c in claims}
    statements = {c.id: c.enunciado for c in claims}
    lines = []
    for cid, (if_holds, if_not) in advice_table(h0, h1).items():
        v = verdicts.get(cid, "no concluyente")
        if v in ("se cumple", "no se cumple"):
            text = if_holds if v == "se cumple" else if_not
        else:  # sin veredicto no hay consejo: solo lo que queda por medir
            text = f"Sin consejo: «{statements.get(cid, cid)}» queda sin decidir."
        lines.append(f"• {text} [{cid}: {v}]")
    if np.isfinite(decades) and decades >= 0.5:
        lines.append(
            f"• Controla las colas pesadas antes de culpar a B: con B={b_min} la frontera subió "
            f"{'al menos ' if is_bound else ''}{decades:+.2f} décadas al cambiar solo la "
            "preparación de las variables (sección 5)."
        )
    else:
        lines.append(
            "• La preparación de las variables no movió la frontera de los batches pequeños más "
            "de media década en esta ejecución (sección 5)."
        )
    return lines
