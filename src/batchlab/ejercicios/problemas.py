"""Ejercicios 5–9: leer resultados del curso (regla lineal, divergencia, rejilla, ruido, memoria).

El comprobador es dueño del enunciado: ``datos()`` calcula (una vez por sesión) las
constantes y las tablas, el notebook las enseña y el comprobador usa las suyas, de modo
que cambiar una constante en la celda ✏️ no convierte un ❌ en ✅.
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np

from ..data import load_housing, split_and_scale
from ..features import ADOPTED
from ..labels import fmt
from ..mlp import MLP
from ..training import train
from ._base import SEMILLA_DATOS, Ejercicio, _muestra, como_numero, corto

# -- 5. ¿se cumple aquí la regla lineal? ---------------------------------------------------
#: La rejilla del ejercicio 5: dos B (×4) y tasas separadas por √10 (media década).
_TASAS_5 = (0.003162, 0.01, 0.03162, 0.1, 0.3162, 1.0)


@cache
def _rejilla_5() -> tuple[dict[int, float], object]:
    """Mejor tasa por B (la regla del curso, ampliada hasta quedar en el interior) y la mediana
    de validación de cada (tasa, B)."""
    from ..data import holdout
    from ..experiments.search import rate_summary, search_rates
    from ..experiments.sweeps import lr_sweep

    # la preparación de los notebooks 03–05 (log1p de las colas): sin la lotería de las filas
    # extremas, la rejilla refleja la tasa y no la suerte del barajado
    split = split_and_scale(load_housing(), seed=SEMILLA_DATOS, features=ADOPTED)
    X_fit, X_val, y_fit, y_val = holdout(split, seed=0)

    def evaluate(grid):  # cada tasa pedida, en los dos B: la tabla no tiene huecos
        rates = sorted({lr for lrs in grid.values() for lr in lrs})
        return lr_sweep(
            MLP(rng=0), X_fit[:3000], y_fit[:3000], X_val[:1000], y_val[:1000],
            dict.fromkeys((32, 128), rates), epochs=3, seeds=(0, 1, 2),
        )  # fmt: skip

    corridas, mejores = search_rates(evaluate, dict.fromkeys((32, 128), _TASAS_5))
    if (mejores["edge"] != "").any():
        raise RuntimeError(f"la búsqueda del ejercicio 5 quedó en su borde:\n{mejores}")
    resumen = rate_summary(corridas)
    return mejores["lr"].to_dict(), resumen.pivot(index="lr", columns="B", values="median")


def _datos_5() -> dict:
    mejores, tabla = _rejilla_5()
    return {"tabla": tabla.copy(), "lr_32": mejores[32], "lr_128": mejores[128]}


def _regla_5() -> tuple[float, float, bool]:
    """Predicción lineal para B = 128, tasa medida y si coinciden (a menos de ¼ de década)."""
    mejores, _ = _rejilla_5()
    prediccion = mejores[32] * 128 / 32
    return prediccion, mejores[128], bool(abs(math.log10(mejores[128] / prediccion)) < 0.25)


def _comprobar_escalado(se_cumple, d, rng):
    if not isinstance(se_cumple, bool | np.bool_):
        return False, f"Responde True (se cumple) o False (no); has dado {corto(se_cumple)}."
    prediccion, medida, real = _regla_5()
    texto = f"la regla predice {prediccion:g} para B = 128 y la rejilla da {medida:g}"
    if bool(se_cumple) == real:
        return True, texto + (": coinciden." if real else ": no coinciden.")
    return False, (
        f"Calcula la predicción (lr_32 × 128/32) y compárala con la mejor tasa medida con "
        f"B = 128: se cumple si |log10(lr_128 / predicción)| < 0.25; {texto}."
    )


# -- 6. ¿diverge? --------------------------------------------------------------------------
def _datos_6() -> dict:
    return {"b_diverge": 32, "lr_diverge": 0.3}


@cache
def _diverge_de_verdad(batch_size: int, learning_rate: float) -> tuple[bool, float]:
    """3 épocas de SGD desde ``MLP(rng=0)`` sobre la muestra: (¿diverge?, MSE final)."""
    X, y = _muestra()
    h = train(
        MLP(rng=0), X, y, batch_size=batch_size, learning_rate=learning_rate, epochs=3, seed=0
    )
    return h.diverged, h.final_train_loss


def _comprobar_divergencia(diverge, d, rng):
    if not isinstance(diverge, bool | np.bool_):
        return False, f"Responde True (diverge) o False (no diverge); has dado {corto(diverge)}."
    B, lr = d["b_diverge"], d["lr_diverge"]
    real, final = _diverge_de_verdad(B, lr)
    texto = "diverge" if real else f"no diverge (MSE final {final:.3f})"
    if bool(diverge) == real:
        return True, f"entrenado de verdad: con B={B} y lr={lr:g} {texto}."
    return False, (
        f"Entrenado de verdad: con B={B} y lr={lr:g} {texto}. Recuerda la diagonal "
        "de la rejilla del notebook 04."
    )


# -- 7. leer la rejilla -------------------------------------------------------------------
@cache
def _rejilla():
    from ..data import holdout
    from ..experiments.sweeps import lr_sweep  # solo aquí: tarda y no hace falta antes

    split = split_and_scale(load_housing(), seed=SEMILLA_DATOS)
    X_fit, X_val, y_fit, y_val = holdout(split, seed=0)
    rejilla = lr_sweep(
        MLP(rng=0),
        X_fit[:3000],
        y_fit[:3000],
        X_val[:1000],
        y_val[:1000],
        {B: [0.001, 0.01, 0.1, 1.0] for B in (8, 64, 512)},
        epochs=2,
    )
    return rejilla.pivot(index="lr", columns="B", values="val_loss")


def _datos_7() -> dict:
    return {"tabla": _rejilla().copy(), "b_pedido": 64}


def _comprobar_rejilla(mejor_lr, d, rng):
    tabla = _rejilla()  # la del comprobador, aunque la del notebook se haya cambiado
    B = d["b_pedido"]
    valor = como_numero(mejor_lr)
    if valor is None:
        return False, f"Responde con la tasa (un número de la tabla); has dado {corto(mejor_lr)}."
    columna = tabla[B]
    finita = columna[np.isfinite(columna)]
    mejor = float(finita.idxmin())
    if math.isclose(valor, mejor, rel_tol=1e-9):
        return True, f"la menor pérdida para B={B} es {finita.min():.4f}, con lr={mejor:g}."
    if any(math.isclose(valor, lr, rel_tol=1e-9) for lr in columna.index[~np.isfinite(columna)]):
        return False, "Con esa tasa el entrenamiento diverge (celda inf): no puede ser la mejor."
    mejores = {float(tabla[c][np.isfinite(tabla[c])].idxmin()) for c in tabla.columns if c != B}
    if any(math.isclose(valor, lr, rel_tol=1e-9) for lr in mejores):
        return False, f"Esa es la mejor tasa de otra columna: mira la de B={B}."
    return False, f"Busca en la columna B={B} la fila (la tasa) con la menor pérdida."


# -- 8. la varianza del gradiente -----------------------------------------------------------
@cache
def _varianzas() -> tuple[float, ...]:
    from ..experiments.noise import minibatch_variance

    X, y = _muestra()
    medidas = minibatch_variance(MLP(rng=0), X, y, [4, 16, 64], seed=0)
    return tuple(float(v) for v in medidas["measured_variance"])


def _datos_8() -> dict:
    var_a, var_b, _ = _varianzas()
    return {"var_a": var_a, "b_a": 4, "var_b": var_b, "b_b": 16, "b_objetivo": 64}


def _comprobar_varianza(prediccion, d, rng):
    """Se acepta cualquier predicción a menos de un 25 % de la varianza medida."""
    valor = como_numero(prediccion)
    if valor is None or valor <= 0:
        return False, f"La varianza es un número positivo; has dado {corto(prediccion)}."
    real = _varianzas()[2]
    ley = d["var_b"] * d["b_b"] / d["b_objetivo"]
    if abs(valor - real) <= 0.25 * real:
        return True, f"medida: {real:.4g}; la ley 1/B predice ≈ {ley:.4g}."
    if valor > d["var_b"]:
        return False, (
            "La varianza baja al crecer el batch, como 1/B: multiplica por "
            "B_medido/B_nuevo, no al revés."
        )
    if abs(valor - d["var_b"] * (d["b_b"] / d["b_objetivo"]) ** 2) <= 0.25 * real:
        return False, "Baja como 1/B, no como 1/B² (es la varianza, no la desviación típica)."
    b, b_obj = d["b_b"], d["b_objetivo"]
    return False, f"Con var(B) ∝ 1/B: var({b_obj}) ≈ var({b}) · {b}/{b_obj}."


# -- 9. el batch bajo un presupuesto de memoria ----------------------------------------------
@cache
def _memoria() -> tuple[float, float, int]:
    """Bytes por muestra (calculados: lo que forward guarda y el pico de backward), bytes fijos
    (parámetros y gradientes, dos arrays de ``n_params`` float64) y un presupuesto."""
    from ..experiments.cost import memory_per_batch

    X, y = _muestra()
    modelo = MLP(rng=0)
    tabla = memory_per_batch(modelo, X, y, [256, 1024])
    calculado = tabla["forward_backward_bytes"]
    por_muestra = float((calculado.iloc[1] - calculado.iloc[0]) / (1024 - 256))
    fijos = float(2 * 8 * modelo.n_params)
    # Medio «fijos» por encima de lo que ocupa B = 1024 sin ellos: quien los olvide cree que cabe.
    return por_muestra, fijos, int(1024 * por_muestra + fijos / 2)


def _datos_9() -> dict:
    por_muestra, fijos, presupuesto = _memoria()
    return {"bytes_por_muestra": por_muestra, "bytes_fijos": fijos, "presupuesto": presupuesto}


def _mayor_potencia(por_muestra: float, fijos: float, presupuesto: float) -> int:
    b_max = (presupuesto - fijos) / por_muestra
    return 2 ** math.floor(math.log2(b_max)) if b_max >= 1 else 0


def _comprobar_memoria(tamano, d, rng):
    valor = como_numero(tamano)
    if valor is None or valor != int(valor):
        return False, f"El tamaño del batch es un número entero; has dado {corto(tamano)}."
    B = int(valor)
    if B < 1:
        return False, f"El batch tiene al menos una muestra; has dado {B}."
    pm, fijos, total = d["bytes_por_muestra"], d["bytes_fijos"], d["presupuesto"]
    usa = fijos + B * pm
    if B == _mayor_potencia(pm, fijos, total):
        return True, f"B={B} usa {fmt(usa, '.0f')} de {fmt(total)} bytes; {2 * B} ya no cabe."
    if B == _mayor_potencia(pm, 0.0, total):
        return False, (
            "No olvides los bytes fijos: el paso ocupa fijos + B · por muestra; "
            f"con B={B} son {fmt(usa, '.0f')} bytes, más que el presupuesto."
        )
    if usa > total:
        return False, f"B={B} necesita {fmt(usa, '.0f')} bytes: no cabe en {fmt(total)}."
    if B & (B - 1):
        return False, "Se pide una potencia de 2 (…, 256, 512, 1024, …)."
    return False, f"B={B} cabe, pero el doble ({2 * B}) también: busca la mayor."


EJERCICIOS = (
    Ejercicio(
        5,
        "¿Se cumple aquí la regla lineal?",
        "se_cumple",
        _comprobar_escalado,
        datos=_datos_5,
        pistas=(
            "La regla lineal multiplica la tasa por el mismo factor que el batch: de B = 32 a "
            "B = 128, por 4.",
            "Compara lr_32 × 4 con lr_128; la rejilla solo distingue tasas separadas por media "
            "década (un factor √10 ≈ 3.2): se cumple si |log10(lr_128 / (4·lr_32))| < 0.25.",
        ),
        solucion=(
            "prediccion = lr_32 * 128 / 32  # la regla lineal\n"
            "se_cumple = abs(math.log10(lr_128 / prediccion)) < 0.25  # a menos de ¼ de década\n"
        ),
    ),
    Ejercicio(
        6,
        "¿Diverge?",
        "diverge",
        _comprobar_divergencia,
        datos=_datos_6,
        pistas=(
            "Mira en la rejilla del notebook 04 dónde empiezan las ✕ para B = 32.",
            "Con B pequeño, las tasas estables son pequeñas: compara 0.3 con la mayor tasa "
            "que no diverge en esa columna.",
        ),
        solucion=(
            "# Con B = 32, una tasa de 0.3 queda por encima de la diagonal estable de la\n"
            "# rejilla del notebook 04: la pérdida explota en pocas actualizaciones.\n"
            "diverge = True\n"
        ),
    ),
    Ejercicio(
        7,
        "Leer la rejilla",
        "mejor_lr",
        _comprobar_rejilla,
        datos=_datos_7,
        pistas=(
            "`tabla[b_pedido]` es la columna de ese batch (una fila por tasa).",
            "`idxmin()` da la fila (la tasa) del mínimo; las celdas inf son divergencias y "
            "nunca son el mínimo.",
        ),
        solucion="mejor_lr = float(tabla[b_pedido].idxmin())  # los inf nunca son el mínimo\n",
    ),
    Ejercicio(
        8,
        "El ruido del gradiente",
        "prediccion",
        _comprobar_varianza,
        datos=_datos_8,
        pistas=(
            "var(B) ≈ tr(Σ)/B: el producto var · B es casi constante.",
            "Estima la constante con tus dos medidas (var_a · b_a y var_b · b_b) y "
            "divídela por b_objetivo.",
        ),
        solucion=(
            "constante = (var_a * b_a + var_b * b_b) / 2  # var · B ≈ tr(Σ)\n"
            "prediccion = constante / b_objetivo\n"
        ),
    ),
    Ejercicio(
        9,
        "El batch bajo un presupuesto de memoria",
        "tamano",
        _comprobar_memoria,
        datos=_datos_9,
        pistas=(
            "El paso ocupa bytes_fijos + B · bytes_por_muestra: resta primero los fijos.",
            "B_max = (presupuesto − bytes_fijos) / bytes_por_muestra.",
            "La mayor potencia de 2 ≤ B_max es 2 ** math.floor(math.log2(B_max)).",
        ),
        solucion=(
            "b_max = (presupuesto - bytes_fijos) / bytes_por_muestra  # muestras que caben\n"
            "tamano = 2 ** math.floor(math.log2(b_max))  # la mayor potencia de 2 ≤ b_max\n"
        ),
    ),
)
