"""Ejercicios del curso con comprobación automática, pistas y soluciones.

Cada ejercicio tiene un comprobador ``comprobar_*`` que acepta cualquier respuesta
correcta (no solo la forma de la solución de referencia), rechaza los errores típicos
con un mensaje concreto en español y, si el ejercicio está sin responder (``None`` o una
función que devuelve ``None``), lo dice sin lanzar ninguna excepción. ``pista(n)`` y
``solucion(n)`` muestran ayuda y la solución de referencia del ejercicio ``n``.

Los comprobadores devuelven un :class:`Resultado` (``bool(resultado)`` es True si la
respuesta es correcta), que Jupyter muestra como un mensaje. ``referencia(n, ...)`` da la
respuesta de referencia (la usa el notebook cuando se ejecuta con ``resolver=True``).
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .mlp import MLP
from .training import train

__all__ = [
    "Resultado",
    "comprobar_actualizaciones",
    "comprobar_backward_densa",
    "comprobar_batch_por_memoria",
    "comprobar_divergencia",
    "comprobar_escalado_lineal",
    "comprobar_iterador",
    "comprobar_lectura_rejilla",
    "comprobar_relu",
    "comprobar_varianza",
    "pista",
    "referencia",
    "solucion",
]

SIN_RESPONDER = ("⏳ Todavía no has respondido a este ejercicio: escribe tu respuesta y "
                 "vuelve a ejecutar.")


@dataclass
class Resultado:
    """Resultado de una comprobación: si es correcta y el mensaje para el estudiante."""

    correcto: bool | None  # None: sin responder
    mensaje: str

    def __bool__(self) -> bool:
        return bool(self.correcto)

    def __str__(self) -> str:
        if self.correcto is None:
            return SIN_RESPONDER
        return ("✅ ¡Correcto! " if self.correcto else "❌ Aún no. ") + self.mensaje

    def _repr_pretty_(self, p, cycle) -> None:  # en Jupyter se ve el mensaje, no el objeto
        p.text(str(self))


def _bien(mensaje: str = "") -> Resultado:
    return Resultado(True, mensaje)


def _mal(mensaje: str) -> Resultado:
    return Resultado(False, mensaje)


def _sin_responder() -> Resultado:
    return Resultado(None, "")


def _llamar(funcion: Callable, *args) -> tuple[object, Resultado | None]:
    """Llama a la función del estudiante; convierte sus excepciones en un mensaje."""
    try:
        return funcion(*args), None
    except Exception as exc:  # el error es del estudiante: se explica, no se propaga
        return None, _mal(f"Tu función lanzó {type(exc).__name__}: {exc}")


def _es_numero(valor: object) -> bool:
    return isinstance(valor, int | float | np.integer | np.floating) and not isinstance(
        valor, bool)


# -- 1. la derivada de la ReLU -------------------------------------------------------
def relu_derivada_referencia(z: np.ndarray) -> np.ndarray:
    """ReLU'(z): 1 donde z > 0, 0 donde no (en z = 0 se toma 0)."""
    return (np.asarray(z) > 0).astype(float)


def comprobar_relu(relu_derivada: Callable | None) -> Resultado:
    """Ejercicio 1: una función que devuelve la derivada de la ReLU elemento a elemento."""
    if relu_derivada is None:
        return _sin_responder()
    z = np.array([[-2.5, -1e-3, 0.0, 1e-3, 3.0], [7.0, -7.0, 0.5, -0.5, 0.0]])
    out, error = _llamar(relu_derivada, z.copy())
    if error is not None:
        return error
    if out is None:
        return _sin_responder()
    out = np.asarray(out)
    if out.shape != z.shape:
        return _mal(f"La derivada debe tener la forma de z, {z.shape}; "
                    f"la tuya tiene {out.shape}.")
    valores = out.astype(float)
    neg, pos = z < 0, z > 0
    if np.any(valores[neg] == -1):
        return _mal("Para z < 0 la derivada de la ReLU es 0, no −1 (¿has usado np.sign?).")
    if np.allclose(valores, np.maximum(z, 0)):
        return _mal("Eso es la ReLU, max(0, z); se pide su derivada: 1 donde z > 0, 0 donde no.")
    if not (np.all(valores[neg] == 0) and np.all(valores[pos] == 1)):
        return _mal("La derivada vale 1 donde z > 0 y 0 donde z < 0; revisa esos dos casos.")
    if not np.all(np.isin(valores[z == 0], (0.0, 1.0))):
        return _mal("En z = 0 la ReLU no es derivable: cualquier valor entre 0 y 1 sirve "
                    "en teoría, pero usa 0 o 1.")
    return _bien("1 donde z > 0 y 0 donde z < 0 (en z = 0 vale cualquier convención).")


# -- 2. un iterador de mini-batches ---------------------------------------------------
def batches_referencia(n: int, batch_size: int, seed: int):
    """Índices de cada batch de una época: barajados con `seed`, el último puede ser menor."""
    orden = np.random.default_rng(seed).permutation(n)
    for inicio in range(0, n, batch_size):
        yield orden[inicio:inicio + batch_size]


def comprobar_iterador(batches: Callable | None) -> Resultado:
    """Ejercicio 2: ``batches(n, batch_size, seed)`` da los índices de cada batch de una época."""
    if batches is None:
        return _sin_responder()
    n, B = 103, 10

    def epoca(seed):
        gen = batches(n, B, seed)
        return None if gen is None else [np.asarray(b) for b in gen]

    lotes, error = _llamar(epoca, 7)
    if error is not None:
        return error
    if lotes is None or not lotes or all(b.size == 0 for b in lotes):
        return _sin_responder()
    tamaños = [len(b) for b in lotes]
    juntos = np.concatenate(lotes)
    if sorted(juntos.tolist()) != list(range(n)):
        if len(juntos) == n - n % B:
            return _mal(f"Faltan los {n % B} últimos índices: incluye el último batch aunque "
                        "sea más pequeño.")
        if len(set(juntos.tolist())) < len(juntos):
            return _mal("Hay índices repetidos: en una época cada muestra aparece una vez "
                        "(baraja una permutación, no muestrees con reemplazo).")
        return _mal(f"Los batches deben cubrir los índices 0…{n - 1} exactamente una vez.")
    if any(t != B for t in tamaños[:-1]) or not 0 < tamaños[-1] <= B:
        return _mal(f"Todos los batches deben tener {B} índices salvo el último; "
                    f"los tuyos miden {tamaños}.")
    if np.array_equal(juntos, np.arange(n)):
        return _mal("Los índices salen en orden: hay que barajarlos en cada época.")
    otra, _ = _llamar(epoca, 7)
    if otra is None or not np.array_equal(np.concatenate(otra), juntos):
        return _mal("Con la misma semilla deben salir los mismos batches: crea el generador "
                    "con la semilla (np.random.default_rng(seed)).")
    distinta, _ = _llamar(epoca, 8)
    if distinta is None or np.array_equal(np.concatenate(distinta), juntos):
        return _mal("Con otra semilla el orden debería cambiar: ¿usas de verdad `seed`?")
    return _bien(f"{len(lotes)} batches, el último de {tamaños[-1]}, barajados y reproducibles.")


# -- 3. la retropropagación de una capa densa ------------------------------------------
def backward_densa_referencia(A_prev: np.ndarray, W: np.ndarray, dZ: np.ndarray):
    """Para Z = A_prev W + b: devuelve (dL/dW, dL/db, dL/dA_prev) dado dZ = dL/dZ."""
    return A_prev.T @ dZ, dZ.sum(axis=0), dZ @ W.T


def comprobar_backward_densa(backward: Callable | None) -> Resultado:
    """Ejercicio 3: gradientes de una capa densa, contra diferencias finitas."""
    if backward is None:
        return _sin_responder()
    rng = np.random.default_rng(3)
    for m, n_in, n_out in ((5, 4, 3), (1, 6, 2), (7, 3, 5)):
        A = rng.standard_normal((m, n_in))
        W = rng.standard_normal((n_in, n_out))
        b = rng.standard_normal(n_out)
        R = rng.standard_normal((m, n_out))  # L = Σ R ⊙ Z, así dL/dZ = R
        res, error = _llamar(backward, A.copy(), W.copy(), R.copy())
        if error is not None:
            return error
        if res is None:
            return _sin_responder()
        if not isinstance(res, tuple | list) or len(res) != 3:
            return _mal("Devuelve tres arrays: (dW, db, dA_prev).")
        dW, db, dA = (np.asarray(r, dtype=float) for r in res)
        numeric = _dense_finite_differences(A, W, b, R)
        if dW.shape == (n_out, n_in):
            return _mal(f"dW tiene la forma de Wᵀ, {dW.shape}: debe ser {W.shape}, como W "
                        "(prueba A_prevᵀ · dZ).")
        if dW.shape != W.shape or not np.allclose(dW, numeric["dW"], atol=1e-6):
            return _mal(f"dW no coincide con las diferencias finitas (forma esperada {W.shape}).")
        if db.size == m * n_out and m > 1:
            return _mal("db debe sumar dZ sobre las filas del batch (una entrada por neurona).")
        if db.size != n_out or not np.allclose(db.ravel(), numeric["db"], atol=1e-6):
            return _mal(f"db no es correcto: es la suma de dZ por columnas, forma ({n_out},).")
        if dA.shape != A.shape or not np.allclose(dA, numeric["dA_prev"], atol=1e-6):
            return _mal(f"dA_prev no es correcto: debe tener la forma de A_prev, {A.shape} "
                        "(prueba dZ · Wᵀ).")
    return _bien("Tus tres gradientes coinciden con las diferencias finitas en tres formas.")


def _dense_finite_differences(A, W, b, R) -> dict[str, np.ndarray]:
    """Gradientes de L = Σ R ⊙ (A W + b) respecto a A, W y b, por diferencias centrales."""
    def loss(A_, W_, b_):
        return float(np.sum(R * (A_ @ W_ + b_)))

    args = {"dA_prev": A, "dW": W, "db": b}
    out = {}
    for k, (name, x) in enumerate(args.items()):
        grad = np.empty_like(x)
        for idx in np.ndindex(x.shape):
            shifted = []
            for step in (1e-6, -1e-6):
                values = [A, W, b]
                values[k] = x.copy()
                values[k][idx] += step
                shifted.append(loss(*values))
            grad[idx] = (shifted[0] - shifted[1]) / 2e-6
        out[name] = grad
    return out


# -- 4. actualizaciones por época -----------------------------------------------------
def actualizaciones_referencia(n: int, batch_size: int) -> int:
    """⌈N / B⌉: el último batch, aunque sea incompleto, también actualiza."""
    return math.ceil(n / batch_size)


def comprobar_actualizaciones(actualizaciones: Callable | None) -> Resultado:
    """Ejercicio 4: ``actualizaciones(N, B)``, cuántas actualizaciones da una época."""
    if actualizaciones is None:
        return _sin_responder()
    casos = [(16512, 1), (16512, 32), (16512, 16512), (100, 7), (100, 10), (5, 8)]
    for n, B in casos:
        valor, error = _llamar(actualizaciones, n, B)
        if error is not None:
            return error
        if valor is None:
            return _sin_responder()
        esperado = math.ceil(n / B)
        if not _es_numero(valor) or float(valor) != esperado:
            if _es_numero(valor) and float(valor) == n // B:
                return _mal(f"Para N={n}, B={B} das {valor}: te olvidas del último batch "
                            "incompleto (redondea hacia arriba).")
            if _es_numero(valor) and math.isclose(float(valor), n / B):
                return _mal("Las actualizaciones son un número entero: "
                        "redondea N/B hacia arriba.")
            return _mal(f"Para N={n}, B={B} deberían salir {esperado} actualizaciones; "
                        f"das {valor!r}.")
    return _bien("⌈N/B⌉ en todos los casos, incluido B > N.")


# -- 5 y 6. la regla de escalado lineal y la divergencia -----------------------------------
def comprobar_escalado_lineal(lr_nuevo: float | None, lr_base: float, b_base: int,
                              b_nuevo: int) -> Resultado:
    """Ejercicio 5: la tasa para `b_nuevo` según la regla lineal, desde (b_base, lr_base)."""
    if lr_nuevo is None:
        return _sin_responder()
    if not _es_numero(lr_nuevo):
        return _mal(f"Responde con un número; has dado {lr_nuevo!r}.")
    esperado = lr_base * b_nuevo / b_base
    if math.isclose(lr_nuevo, esperado, rel_tol=1e-6):
        return _bien(f"lr = {lr_base:g} × {b_nuevo}/{b_base} = {esperado:g}.")
    if math.isclose(lr_nuevo, lr_base * b_base / b_nuevo, rel_tol=1e-6):
        return _mal("Lo has invertido: si el batch crece, la tasa crece en la misma proporción.")
    if math.isclose(lr_nuevo, lr_base * math.sqrt(b_nuevo / b_base), rel_tol=1e-6):
        return _mal("Eso es la regla de la raíz cuadrada; "
                    "la lineal multiplica por B_nuevo/B_base.")
    return _mal(f"Multiplica la tasa por el mismo factor que el batch (B_nuevo / B_base = "
                f"{b_nuevo / b_base:g}).")


def _entrenar_ejercicio_6(X, y, batch_size: int, learning_rate: float, seed: int):
    """El entrenamiento del ejercicio 6: 3 épocas de SGD desde ``MLP(rng=seed)``."""
    return train(MLP(rng=seed), X, y, batch_size=batch_size, learning_rate=learning_rate,
                 epochs=3, seed=seed)


def comprobar_divergencia(prediccion: bool | None, X: np.ndarray, y: np.ndarray,
                          batch_size: int, learning_rate: float, seed: int = 0) -> Resultado:
    """Ejercicio 6: ¿diverge este entrenamiento? Se comprueba entrenando de verdad."""
    if prediccion is None:
        return _sin_responder()
    if not isinstance(prediccion, bool | np.bool_):
        return _mal("Responde True (diverge) o False (no diverge).")
    h = _entrenar_ejercicio_6(X, y, batch_size, learning_rate, seed)
    real = "diverge" if h.diverged else f"no diverge (MSE final {h.final_train_loss:.3f})"
    if bool(prediccion) == h.diverged:
        return _bien(f"Entrenado de verdad: con B={batch_size} y lr={learning_rate:g} {real}.")
    return _mal(f"Entrenado de verdad: con B={batch_size} y lr={learning_rate:g} {real}. "
                "Recuerda la diagonal de la rejilla del notebook 04.")


# -- 7. leer la rejilla ---------------------------------------------------------------
def comprobar_lectura_rejilla(respuesta: float | None, tabla, batch_size: int) -> Resultado:
    """Ejercicio 7: la mejor tasa para `batch_size` en una tabla lr × B de pérdidas."""
    if respuesta is None:
        return _sin_responder()
    if not _es_numero(respuesta):
        return _mal(f"Responde con la tasa (un número); has dado {respuesta!r}.")
    columna = tabla[batch_size]
    finita = columna[np.isfinite(columna)]
    mejor = float(finita.idxmin())
    if math.isclose(respuesta, mejor, rel_tol=1e-9):
        return _bien(f"La menor pérdida para B={batch_size} es {finita.min():.4f}, "
                     f"con lr={mejor:g}.")
    divergentes = columna.index[~np.isfinite(columna)]
    if any(math.isclose(respuesta, lr, rel_tol=1e-9) for lr in divergentes):
        return _mal("Con esa tasa el entrenamiento diverge (celda infinita): "
                    "no puede ser la mejor.")
    fila = tabla.loc[[lr for lr in tabla.index if math.isclose(lr, respuesta, rel_tol=1e-9)]]
    if len(fila) and np.isclose(fila.min(axis=1).iloc[0], tabla.min().min()):
        return _mal("Esa es la mejor tasa de toda la tabla, no la de la columna pedida.")
    return _mal(f"Busca en la columna B={batch_size} la fila con la menor pérdida.")


# -- 8. varianza del gradiente ----------------------------------------------------------
def comprobar_varianza(prediccion: float | None, var_a: float, b_a: int, var_b: float,
                       b_b: int, b_nuevo: int, real: float) -> Resultado:
    """Ejercicio 8: predecir la varianza para `b_nuevo` a partir de dos medidas (ley 1/B).

    Se acepta cualquier predicción a menos de un 25 % de la varianza medida `real`.
    """
    if prediccion is None:
        return _sin_responder()
    if not _es_numero(prediccion) or prediccion <= 0:
        return _mal("La varianza es un número positivo.")
    if abs(prediccion - real) <= 0.25 * real:
        return _bien(f"Medida: {real:.4g}; la ley 1/B predice ≈ {var_a * b_a / b_nuevo:.4g}.")
    if abs(prediccion - var_b * b_nuevo / b_b) <= 0.25 * real or prediccion > var_b:
        return _mal("La varianza baja al crecer el batch, como 1/B: multiplica por "
                    "B_medido / B_nuevo, no al revés.")
    if abs(prediccion - var_b * (b_b / b_nuevo) ** 2) <= 0.25 * real:
        return _mal("Baja como 1/B, no como 1/B² (es la varianza, no la desviación típica).")
    return _mal(f"Con var(B) ∝ 1/B: var({b_nuevo}) ≈ var({b_b}) · {b_b}/{b_nuevo}.")


# -- 9. el batch bajo un presupuesto de memoria ------------------------------------------
def batch_por_memoria_referencia(bytes_por_muestra: float, bytes_fijos: float,
                                 presupuesto: float) -> int:
    """La mayor potencia de 2 cuyo paso cabe en el presupuesto (fijo + B · por muestra)."""
    b_max = (presupuesto - bytes_fijos) / bytes_por_muestra
    return 2 ** int(math.floor(math.log2(b_max))) if b_max >= 1 else 0


def comprobar_batch_por_memoria(respuesta: int | None, bytes_por_muestra: float,
                                bytes_fijos: float, presupuesto: float) -> Resultado:
    """Ejercicio 9: la mayor potencia de 2 que cabe en `presupuesto` bytes."""
    if respuesta is None:
        return _sin_responder()
    esperado = batch_por_memoria_referencia(bytes_por_muestra, bytes_fijos, presupuesto)
    if not _es_numero(respuesta) or float(respuesta) != int(float(respuesta)):
        return _mal("El tamaño del batch es un número entero.")
    respuesta = int(respuesta)
    usa = bytes_fijos + respuesta * bytes_por_muestra
    if respuesta == esperado:
        return _bien(f"B={respuesta} usa {usa / 2**20:.1f} MiB de {presupuesto / 2**20:.1f}.")
    if usa > presupuesto:
        return _mal(f"B={respuesta} necesita {usa / 2**20:.1f} MiB: no cabe.")
    if respuesta & (respuesta - 1):
        return _mal("Se pide una potencia de 2 (…, 256, 512, 1024, …).")
    if 2 * respuesta * bytes_por_muestra + bytes_fijos <= presupuesto:
        return _mal(f"Cabe, pero el doble ({2 * respuesta}) también: busca la mayor.")
    return _mal("No olvides restar los bytes fijos (los parámetros) antes de dividir.")


# -- pistas, soluciones y respuestas de referencia -------------------------------------
PISTAS = {
    1: "Compara z con 0: `z > 0` da un array de booleanos; conviértelo a float.",
    2: "Crea `rng = np.random.default_rng(seed)`, baraja `rng.permutation(n)` y recorre "
       "`range(0, n, batch_size)` cortando trozos (el último puede ser más corto).",
    3: "Z = A_prev W + b. Cada gradiente tiene la forma de su variable: dW = A_prevᵀ dZ, "
       "db suma dZ por filas y dA_prev = dZ Wᵀ.",
    4: "Una época recorre N muestras de B en B; si N no es múltiplo de B, el último batch "
       "incompleto también cuenta: math.ceil.",
    5: "Regla lineal: lr_nuevo = lr_base · B_nuevo / B_base.",
    6: "Mira en la rejilla del notebook 04 dónde empiezan las ✕ para ese tamaño de batch.",
    7: "`tabla[B]` es la columna de ese batch; `idxmin()` da la fila (la tasa) de su "
       "mínimo; las celdas infinitas son divergencias.",
    8: "var(B) ≈ tr(Σ)/B: el producto var·B es casi constante. Estímalo con tus dos "
       "medidas y divídelo por el B nuevo.",
    9: "B_max = (presupuesto − fijos) / bytes por muestra; luego la mayor potencia de 2 "
       "≤ B_max: 2 ** floor(log2(B_max)).",
}

SOLUCIONES: dict[int, Callable | str] = {
    1: relu_derivada_referencia,
    2: batches_referencia,
    3: backward_densa_referencia,
    4: actualizaciones_referencia,
    5: "lr_nuevo = lr_base * b_nuevo / b_base",
    6: "diverge = True  # o False: lo que diga la rejilla del notebook 04 para ese (B, lr)",
    7: "mejor_lr = tabla[b_pedido].idxmin()  # los inf (divergencias) nunca son el mínimo",
    8: "constante = (var_a * b_a + var_b * b_b) / 2  # var · B ≈ tr(Σ)\n"
       "prediccion = constante / b_nuevo",
    9: batch_por_memoria_referencia,
}


def pista(n: int) -> None:
    """Imprime la pista del ejercicio `n`."""
    print(f"💡 Pista del ejercicio {n}: {PISTAS[n]}")


def solucion(n: int) -> None:
    """Imprime la solución de referencia del ejercicio `n`."""
    ref = SOLUCIONES[n]
    print(f"📘 Solución de referencia del ejercicio {n}:\n")
    print(inspect.getsource(ref) if callable(ref) else ref)


def referencia(n: int, **contexto):
    """La respuesta de referencia del ejercicio `n` con los datos de `contexto`."""
    c = contexto
    if n in (1, 2, 3, 4):
        return SOLUCIONES[n]
    if n == 5:
        return c["lr_base"] * c["b_nuevo"] / c["b_base"]
    if n == 6:  # la respuesta es lo que ocurre al entrenar
        return _entrenar_ejercicio_6(c["X"], c["y"], c["batch_size"], c["learning_rate"],
                                     c.get("seed", 0)).diverged
    if n == 7:
        return float(c["tabla"][c["batch_size"]].idxmin())
    if n == 8:
        return (c["var_a"] * c["b_a"] + c["var_b"] * c["b_b"]) / 2 / c["b_nuevo"]
    if n == 9:
        return batch_por_memoria_referencia(c["bytes_por_muestra"], c["bytes_fijos"],
                                            c["presupuesto"])
    raise ValueError(f"No hay ejercicio {n}: son del 1 al {len(PISTAS)}.")
