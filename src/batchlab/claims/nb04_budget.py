"""Notebook 04, segunda mitad de sus medidas: generalización, optimizadores, programas, consejos.

Las conclusiones de la brecha a igual pérdida, del presupuesto (mismas épocas o mismas
actualizaciones, Hoffer et al.; agudeza, Keskar et al.), de la escala crítica de Nesterov y
Adam, de Smith et al. y del blog, y los consejos finales. Como en :mod:`batchlab.claims.nb04`,
cada función recibe números o tablas ya calculados (claves de máquina) y devuelve conclusiones.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ..stats import LEVELS, hierarchical_bootstrap
from .engine import Claim, fit_of, median_of, rate_of
from .measures import from_replicates
from .nb04_specs import SPECS

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


def gap_claim(gaps: pd.DataFrame, b_g0: int, b_g1: int, n_boot: int = 1000) -> Claim:
    """A igual pérdida de entrenamiento, brecha(B=`b_g1`) − brecha(B=`b_g0`) > 0.

    `gaps` es la tabla de :func:`batchlab.experiments.targets.gap_replicates` (una fila por
    ejecución, con sus claves de división, inicialización y barajado); una ejecución que no
    llega al objetivo no tiene brecha (NaN) y se cuenta (:func:`_median_difference_claim`).
    """
    spec = SPECS["04.generalizacion.brecha"]
    return _median_difference_claim(spec, gaps, b_g0, b_g1, "gap", n_boot)


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
        spec = SPECS[f"04.generalizacion.{claim_key}_prueba"]
        found.append(fit_of(spec, v, reps, n=n, regime=regime_names[r], b0=h0, b1=h1))
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
    spec = SPECS["04.generalizacion.hoffer"]
    return fit_of(spec, va - vb, ra[:n_rep] - rb[:n_rep], n=n, b0=h0, b1=h1, closing=closing)


def keskar_claim(
    fin_upd: pd.DataFrame, h0: int, h1: int, n: int | None = None, n_boot: int = 1000
) -> Claim:
    """B=`h1` acaba más afilado que B=`h0`: median log10 λ_max(h1) − median log10 λ_max(h0).

    `fin_upd` tiene ``B`` y ``lambda_max`` y, si viene de
    :func:`batchlab.experiments.generalization.sharpness_replicates`, las claves ``split``,
    ``init`` y ``seed``. Un run sin λ_max (divergió: NaN) se cuenta como las ejecuciones que no
    llegan de :func:`gap_claim`. `n` sustituye al número de ejecuciones por B que se informa.
    """
    lam = fin_upd["lambda_max"].astype(float)
    runs = fin_upd.assign(log_lambda=np.log10(lam.where(lam > 0)))
    spec = SPECS["04.curvatura.keskar"]
    return _median_difference_claim(spec, runs, h0, h1, "log_lambda", n_boot, n=n)


def _median_difference_claim(
    spec, runs: pd.DataFrame, b0: int, b1: int, column: str, n_boot: int, n: int | None = None
) -> Claim:
    """median(`column` | B=`b1`) − median(`column` | B=`b0`) con el bootstrap jerárquico de sus
    réplicas (emparejado por división e inicialización; sin claves, cada fila de cada B es un
    barajado independiente).

    Las filas sin valor (NaN: no llegan al objetivo, divergen) no entran en la mediana pero se
    cuentan: sin veredicto si a un B le faltan en más de una de cada cuatro ejecuciones (las que
    quedan ya no serían una muestra de las demás) o le quedan menos de dos.
    """
    a, b = runs[runs.B == b0], runs[runs.B == b1]
    ka, kb = _keys(a), _keys(b)
    va, vb = a[column].to_numpy(float), b[column].to_numpy(float)
    value, reps = hierarchical_bootstrap(
        {"a": (ka, va), "b": (kb, vb)},
        lambda g: _finite_median(g["b"]) - _finite_median(g["a"]),
        n_boot=n_boot,
    )
    motivo = "; ".join(filter(None, (_missing(B, v) for B, v in ((b0, va), (b1, vb)))))
    keys = np.unique(np.vstack([ka, kb]), axis=0)  # las mismas réplicas para los dos B
    n = min(len(a), len(b)) if n is None else n
    return from_replicates(spec, value, reps, keys, n=n, motivo=motivo, b0=b0, b1=b1)


def _missing(B: int, values: np.ndarray) -> str:
    """Por qué un B no sostiene una mediana ("" si la sostiene)."""
    total, kept = len(values), int(np.isfinite(values).sum())
    if total == 0:
        return f"B={B} no tiene ejecuciones (sin tasa ajustada)"
    if kept < 2:
        return f"B={B} tiene {kept} ejecuciones con valor de {total}"
    if 4 * (total - kept) > total:
        return f"a B={B} le faltan {total - kept} de {total} ejecuciones (no llegan o divergen)"
    return ""


def _keys(runs: pd.DataFrame) -> np.ndarray:
    """Las claves (división, inicialización, barajado) de cada fila; sin ellas, cada fila es un
    barajado de una sola división e inicialización (réplicas independientes)."""
    if set(LEVELS) <= set(runs.columns):
        return runs[list(LEVELS)].to_numpy()
    return np.column_stack([np.zeros(len(runs)), np.zeros(len(runs)), np.arange(len(runs))])


def _finite_median(values: np.ndarray) -> float:
    """La mediana de los valores finitos (NaN si no hay ninguno, sin avisos)."""
    v = np.asarray(values, float)
    v = v[np.isfinite(v)]
    return float(np.median(v)) if v.size else float("nan")


def optimizer_claims(
    fits: Mapping, replicates: Mapping, n: int, edges: Mapping | None = None
) -> list[Claim]:
    """B_ruido de Nesterov y de Adam entre el de SGD (`fits`: ``(S_min, B_ruido)``).

    `edges` da, por optimizador, los B cuya tasa elegida es un extremo de sus candidatas
    (:func:`batchlab.experiments.critical_batch.edge_batches`): con alguno, en ese
    optimizador o en SGD, el cociente es un límite de la búsqueda y la conclusión queda sin
    veredicto.
    """
    edges = edges or {}
    return [
        fit_of(
            SPECS[f"04.optim.b_critico_{k}"],
            fits[k][1] / fits["sgd"][1],
            replicates[k][:, 1] / replicates["sgd"][:, 1],
            n=n,
            motivo=_edge_reason({name: edges.get(k, []), "SGD": edges.get("sgd", [])}),
            name=name,
        )
        for k, name in _COMPARED_OPTIMIZERS.items()
    ]


def _edge_reason(edges: Mapping[str, Sequence[int]]) -> str:
    """El motivo de «sin veredicto» si algún optimizador eligió una tasa del borde ("" si no)."""
    parts = [f"{name} con B = {', '.join(map(str, Bs))}" for name, Bs in edges.items() if Bs]
    if not parts:
        return ""
    return (
        "la tasa elegida es un extremo de las candidatas (" + "; ".join(parts) + "): el "
        "óptimo puede estar fuera y el cociente mide la búsqueda, no el optimizador"
    )


def smith_claim(delta: Sequence[float]) -> Claim:
    """Subir B equivale a bajar la tasa: |Δ MSE| emparejado por barajado por debajo de 0.01."""
    return median_of(SPECS["04.smith.equivalente"], np.abs(delta))


def blog_claim(count: int, n: int) -> Claim:
    """El consejo del blog: la mejor tasa es menor con B=32 en `count` de `n` barajados."""
    return rate_of(SPECS["04.blog.regla"], count, n)


def advice_table(h0: int, h1: int) -> dict[str, tuple[str, str]]:
    """El consejo de cada conclusión si se cumple y si no (B=`h0` y B=`h1`: Hoffer et al.).

    Sale del registro (``consejo`` de cada :class:`~.spec.Spec`), en su orden.
    """
    return {
        cid: tuple(spec.consejo[v].format(b0=h0, b1=h1) for v in ("se cumple", "no se cumple"))
        for cid, spec in SPECS.items()
        if spec.consejo
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
