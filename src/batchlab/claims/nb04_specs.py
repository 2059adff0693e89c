"""Notebook 04: el registro de sus conclusiones, como datos (una :class:`~.spec.Spec` cada una).

Cada especificación dice qué se afirma, qué se mide, con qué regla se decide y qué frase se lee
con cada veredicto. Los campos entre llaves los rellena la función que mide
(:mod:`batchlab.claims.nb04` y :mod:`batchlab.claims.nb04_budget`): los B comparados, la tasa,
el nombre del optimizador…; ``{valor}``, ``{ic_bajo}``, ``{ic_alto}``, ``{n}`` y ``{k}`` los pone
el motor. Una regla que depende de la ejecución (el umbral 4·B mínimo) la cambia quien mide.
"""

from __future__ import annotations

from .spec import Rule, Spec

__all__ = ["SPECS"]

_IV2 = "{valor:.2f} [IC {ic_bajo:.2f}, {ic_alto:.2f}]"
_IV3 = "{valor:.3g} [IC {ic_bajo:.3g}, {ic_alto:.3g}]"
_IV4 = "{valor:+.4f} [IC {ic_bajo:+.4f}, {ic_alto:+.4f}]"


def _spec(id, enunciado, medida, rule, holds, fails, unclear, advice=()) -> Spec:
    """Una entrada del registro con sus tres frases (se cumple, no se cumple, no concluyente)
    y, si lo tiene, su consejo si se cumple y si no (`advice`, con ``{b0}`` y ``{b1}``, los
    dos B comparados por Hoffer et al.)."""
    frases = {"se cumple": holds, "no se cumple": fails, "no concluyente": unclear}
    consejo = dict(zip(("se cumple", "no se cumple"), advice, strict=True)) if advice else {}
    return Spec(id, enunciado, medida, rule, frases, consejo=consejo)


_ENTRIES = (
    _spec(
        "04.rejilla.frontera",
        "La máxima tasa estable crece con B entre B={b_lo} y B={b_hi}",
        "ε_estable({b_hi}) / ε_estable({b_lo}) en la rejilla gruesa (réplicas: barajados "
        "remuestreados)",
        Rule(1.0, "mayor"),
        "La frontera de divergencia sube con B: ε_estable({b_hi})/ε_estable({b_lo}) = "
        + _IV2
        + ".",
        "La frontera no sube con B en estos datos ({valor:.2f} [{ic_bajo:.2f}, {ic_alto:.2f}]).",
        "Con {n} ejecuciones por celda no se distingue si la frontera sube con B ({valor:.2f} "
        "[{ic_bajo:.2f}, {ic_alto:.2f}]).",
        (
            "Ajusta la tasa para cada tamaño de batch: la tasa máxima estable cambia con B.",
            "La tasa máxima estable apenas cambia con B aquí: ajústala igualmente por B.",
        ),
    ),
    _spec(
        "04.escalado.lineal",
        "La regla lineal (tasa ∝ B) se cumple entre B={b_a} y B={b_b}",
        "pendiente log-log de ε_opt entre B={b_a} y B={b_b}",
        Rule(0.8, "mayor"),
        "Entre esos B la tasa óptima crece casi en proporción: pendiente " + _IV2 + ".",
        "La tasa óptima crece mucho menos que B: pendiente " + _IV2 + " (la regla lineal pide 1).",
        "La pendiente de la tasa óptima no queda fijada: " + _IV2 + ".",
    ),
    _spec(
        "04.escalado.b_ruido_tasa",
        "La tasa óptima deja de crecer con B a partir de un B_ruido pequeño (< 128)",
        "B_ruido del ajuste ε_max/(1 + B_ruido/B) (bootstrap sobre barajados)",
        Rule(128, "menor"),
        "La mejor tasa se satura pronto: B_ruido = " + _IV3 + "; por encima apenas crece con B.",
        "La mejor tasa sigue creciendo con B hasta B_ruido = " + _IV3 + ".",
        "El ajuste no fija B_ruido: {valor:.3g} con IC [{ic_bajo:.3g}, {ic_alto:.3g}]; harían "
        "falta B más pequeños o más ejecuciones.",
        (
            "Por encima de un B pequeño no esperes poder subir la tasa al subir B: apenas crece.",
            "Sube la tasa con B mientras B esté por debajo de B_ruido.",
        ),
    ),
    _spec(
        "04.escala.b_ruido_pasos",
        "Multiplicar B por 4 desde B={b_min} divide casi por 4 los pasos hasta el objetivo "
        "(B_ruido de los pasos > {b4})",
        "B_ruido del ajuste S_min(1 + B_ruido/B) (bootstrap sobre barajados)",
        Rule(0.0, "mayor"),  # el umbral, 4·B mínimo, lo pone step_scale_claims
        "Los pasos escalan casi perfectamente al principio: B_ruido = " + _IV3 + ".",
        "Los pasos dejan de bajar enseguida: B_ruido = " + _IV3 + ".",
        "Los pasos no fijan B_ruido: " + _IV3 + ".",
        (
            "Por debajo de B_ruido (pasos), más B ahorra pasos casi en proporción; por encima, "
            "se procesan más datos para el mismo progreso.",
            "El ahorro de pasos al subir B deja de ser proporcional muy pronto (B_ruido de los "
            "pasos por debajo de 4 veces el menor B): por encima, más B procesa más datos por el "
            "mismo progreso.",
        ),
    ),
    _spec(
        "04.escala.b_simple_sobrestima",
        "B_simple en el objetivo es mayor que el B_ruido de los pasos",
        "log10(B_simple en el objetivo / B_ruido de los pasos), por ejecución",
        Rule(0.0, "mayor"),
        "En el objetivo, B_simple sobrestima la escala crítica: mediana de "
        "log10(B_simple/B_ruido) = " + _IV2 + ", n = {n}.",
        "B_simple queda por debajo de B_ruido (log10 = {valor:.2f} [{ic_bajo:.2f}, "
        "{ic_alto:.2f}]).",
        "B_simple y B_ruido no se distinguen (log10 = {valor:.2f} [{ic_bajo:.2f}, {ic_alto:.2f}]).",
    ),
    _spec(
        "04.ruido.ley_1_B",
        "La varianza del gradiente de un batch cae como 1/B (pendiente entre −1.1 y −0.9)",
        "|pendiente + 1| de log varianza exacta frente a log B (2 ≤ B ≤ N/16)",
        Rule(0.1, "menor"),
        "La ley 1/B se cumple: pendiente {slope:.3f} (|pendiente + 1| = {valor:.3f} "
        "[IC {ic_bajo:.3f}, {ic_alto:.3f}]).",
        "La varianza no cae como 1/B: pendiente {slope:.3f} (|pendiente + 1| = {valor:.3f} "
        "[IC {ic_bajo:.3f}, {ic_alto:.3f}]).",
        "Pendiente {slope:.3f}: con estos barajados no se decide si es −1 (|pendiente + 1| = "
        "{valor:.3f} [IC {ic_bajo:.3f}, {ic_alto:.3f}]).",
    ),
    _spec(
        "04.ruido.lote_tipico",
        "El batch típico tiene mucho menos ruido que la media tr(Σ)/B",
        "log10(mediana / media) de ‖g_B − G‖² en batches al azar, por B (2 ≤ B ≤ 256)",
        Rule(0.0, "menor"),
        "La media la dominan unos pocos batches: log10(mediana/media) = " + _IV2 + " sobre {n} "
        "tamaños.",
        "El batch típico es tan ruidoso como la media ({valor:.2f} [{ic_bajo:.2f}, "
        "{ic_alto:.2f}]).",
        "Mediana y media no se distinguen ({valor:.2f} [{ic_bajo:.2f}, {ic_alto:.2f}]).",
    ),
    _spec(
        "04.curvatura.sobre_cota_inicial",
        "El batch completo entrena sin divergir con una tasa por encima de 2/λ_max inicial",
        "inicializaciones (las semillas desde model_seed + 1) que, con B=N y lr = {lr:g} por "
        "encima de su 2/λ_max inicial, no divergen en {epochs} épocas",
        Rule(0.5, "mayor"),
        "Con lr = {lr:g}, por encima de 2/λ_max inicial, el batch completo no diverge en {k} de "
        "{n} inicializaciones: la curvatura inicial no es el límite.",
        "Con lr = {lr:g}, por encima de 2/λ_max inicial, el batch completo diverge ({k} de {n} "
        "sin divergir).",
        "Con lr = {lr:g} no se decide ({k} de {n} sin divergir).",
    ),
    _spec(
        "04.generalizacion.brecha",
        "A igual pérdida de entrenamiento, los batches pequeños generalizan mejor (menor brecha)",
        "brecha(B={b1}) − brecha(B={b0}), medianas de {n_divisiones} divisiones × "
        "{n_inicializaciones} inicializaciones × {n_barajados} barajados; bootstrap jerárquico",
        Rule(0.0, "mayor"),
        "A igual pérdida de entrenamiento la brecha es mayor con B={b1} que con B={b0}: "
        + _IV4
        + ".",
        "A igual pérdida de entrenamiento la brecha es menor con B={b1} que con B={b0}: "
        + _IV4
        + ".",
        "Con {n} ejecuciones por B no se distingue la brecha de B={b1} de la de B={b0} ("
        + _IV4
        + ").",
        (
            "Los batches pequeños generalizan algo mejor a igual pérdida de entrenamiento.",
            "A igual pérdida de entrenamiento los batches pequeños no generalizan mejor.",
        ),
    ),
    *(
        _spec(
            f"04.generalizacion.{key}_prueba",
            "Con {regime}, el batch grande (B={b1}) acaba con más MSE de prueba que el pequeño "
            "(B={b0})",
            "MSE prueba(B={b1}) − MSE prueba(B={b0}), {regime}; medianas, bootstrap",
            Rule(0.0, "mayor"),
            "Con {regime} el batch grande generaliza peor: " + _IV4 + ".",
            "Con {regime} el batch grande no generaliza peor: " + _IV4 + ".",
            "Con {regime} no se distingue el MSE de prueba de los dos B (" + _IV4 + ").",
        )
        for key in ("epocas", "actualizaciones")
    ),
    _spec(
        "04.generalizacion.hoffer",
        "Con las actualizaciones del pequeño, la diferencia de MSE de prueba (B grande − B "
        "pequeño) es menor que con las mismas épocas (Hoffer et al.)",
        "ΔMSE prueba (B={b1} − B={b0}) con mismas épocas − con mismas actualizaciones",
        Rule(0.0, "mayor"),
        "Con las mismas actualizaciones la diferencia de MSE de prueba (grande − pequeño) es "
        "menor que con las mismas épocas, {closing} Cambio: " + _IV4 + ".",
        "Con las mismas actualizaciones la diferencia de MSE de prueba entre el batch grande y "
        "el pequeño es mayor que con las mismas épocas, en contra de Hoffer et al.: " + _IV4 + ".",
        "No se decide si dar las mismas actualizaciones cambia la diferencia de MSE de prueba "
        "entre los dos B (" + _IV4 + ").",
        (
            "Compara B={b0} y B={b1} con las mismas actualizaciones, no con las mismas épocas: "
            "con ellas el grande sale mejor parado en prueba.",
            "Dar a B={b1} las actualizaciones de B={b0} no mejoró aquí su MSE de prueba relativo.",
        ),
    ),
    _spec(
        "04.curvatura.keskar",
        "Tras las mismas actualizaciones, B={b1} acaba en un mínimo más afilado que B={b0} "
        "(Keskar et al.)",
        "log10 λ_max final(B={b1}) − log10 λ_max final(B={b0}), medianas de {n_divisiones} "
        "divisiones × {n_inicializaciones} inicializaciones × {n_barajados} barajados; "
        "bootstrap jerárquico",
        Rule(0.0, "mayor"),
        "Como sostienen Keskar et al., B={b1} acaba más afilado que B={b0}: {valor:+.2f} "
        "décadas de λ_max [IC {ic_bajo:+.2f}, {ic_alto:+.2f}] (solo estos dos B; la tabla da "
        "λ_max de todos).",
        "En contra de Keskar et al., B={b1} no acaba más afilado que B={b0}: {valor:+.2f} "
        "décadas de λ_max [IC {ic_bajo:+.2f}, {ic_alto:+.2f}].",
        "No se distingue la agudeza final de los dos B ({valor:+.2f} décadas de λ_max "
        "[IC {ic_bajo:+.2f}, {ic_alto:+.2f}]).",
        (
            "B={b1} acaba aquí en un mínimo más afilado (mayor λ_max) que B={b0}.",
            "B={b1} no acaba en un mínimo más afilado que B={b0}: no expliques su diferencia de "
            "generalización por la agudeza.",
        ),
    ),
    *(
        _spec(
            f"04.optim.b_critico_{key}",
            "{name} tiene un B_ruido (escala crítica) mayor que SGD",
            f"B_ruido({key}) / B_ruido(SGD), pasos hasta el objetivo",
            Rule(1.0, "mayor"),
            "{name} escala a batches mayores que SGD: cociente " + _IV2 + ", como predicen "
            "Zhang et al.",
            "{name} no escala a batches mayores que SGD aquí: cociente " + _IV2 + ", en contra "
            "de Zhang et al.",
            "No se decide si {name} tiene una escala crítica mayor que SGD: cociente " + _IV2 + ".",
        )
        for key in ("nesterov", "adam")
    ),
    _spec(
        "04.smith.equivalente",
        "Subir B en lugar de bajar la tasa llega a la misma pérdida (±0.01) con las mismas "
        "muestras",
        "|MSE val(subir B) − MSE val(bajar la tasa)|, emparejado por barajado",
        Rule(0.01, "menor"),
        "Los dos programas llegan al mismo sitio: |Δ| mediana {valor:.4f} [IC {ic_bajo:.4f}, "
        "{ic_alto:.4f}], n = {n}, con menos actualizaciones al subir B.",
        "Los dos programas no llegan al mismo sitio: |Δ| = {valor:.4f} [IC {ic_bajo:.4f}, "
        "{ic_alto:.4f}].",
        "No se decide si los dos programas son equivalentes: |Δ| = {valor:.4f} "
        "[IC {ic_bajo:.4f}, {ic_alto:.4f}].",
        (
            "Subir B por fases sustituye a bajar la tasa, con menos actualizaciones.",
            "Subir B no sustituye aquí a bajar la tasa.",
        ),
    ),
    _spec(
        "04.blog.regla",
        "Con batches pequeños hace falta una tasa menor (el consejo del blog), con decaimiento por "
        "época",
        "barajados en los que la mejor de las 3 tasas del blog es menor con B=32 que con B=2048",
        Rule(0.5, "mayor"),
        "La mejor tasa del blog es menor con B=32 que con B=2048 en {k} de {n} barajados.",
        "La mejor tasa del blog no es menor con B=32 ({k} de {n} barajados).",
        "Con {n} barajados no se decide el consejo del blog ({k} de {n} a favor).",
    ),
)

#: El registro: id → :class:`~.spec.Spec`.
SPECS = {spec.id: spec for spec in _ENTRIES}
