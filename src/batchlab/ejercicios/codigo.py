"""Ejercicios 1–4: escribir código (la ReLU, los batches de una época, una capa densa, ⌈N/B⌉).

Cada comprobador prueba la función del estudiante con casos aleatorios en cada llamada
(una respuesta memorizada no pasa) y devuelve ``(correcto, mensaje)``; ``None`` en
``correcto`` significa «sin responder».
"""

from __future__ import annotations

import math
from itertools import islice

import numpy as np

from ._base import Ejercicio, ErrorDelEstudiante, corto, explicar_excepcion, llamar


# -- 1. la derivada de la ReLU -------------------------------------------------------
def _comprobar_relu(relu_derivada, datos, rng):
    for forma in ((int(rng.integers(3, 12)),), (int(rng.integers(2, 5)), int(rng.integers(3, 7)))):
        z = np.round(rng.standard_normal(forma) * 3, 2)
        z.flat[:3] = (0.0, -1e-3, 1e-3)
        rng.shuffle(z.reshape(-1))
        salida = llamar(relu_derivada, z.copy())
        if salida is None:
            return None, ""
        try:
            valores = np.asarray(salida, dtype=float)
        except (TypeError, ValueError):
            return False, f"Devuelve un array de números; tu función devolvió {corto(salida)}."
        if valores.shape != z.shape:
            return False, (
                f"La derivada debe tener la forma de z, {z.shape}; la tuya tiene {valores.shape}."
            )
        neg, pos = z < 0, z > 0
        if np.any(valores[neg] == -1):
            return False, "Para z < 0 la derivada de la ReLU es 0, no −1 (¿has usado np.sign?)."
        if np.allclose(valores, np.maximum(z, 0)):
            return False, (
                "Eso es la ReLU, max(0, z); se pide su derivada: 1 donde z > 0, 0 donde no."
            )
        if not (np.all(valores[neg] == 0) and np.all(valores[pos] == 1)):
            return False, "La derivada vale 1 donde z > 0 y 0 donde z < 0; revisa esos dos casos."
        if not np.all(np.isin(valores[z == 0], (0.0, 1.0))):
            return False, "En z = 0 la ReLU no es derivable: elige 0 o 1."
    return True, "1 donde z > 0 y 0 donde z < 0 (en z = 0 vale cualquiera de las dos)."


# -- 2. los batches de una época -------------------------------------------------------
def _epoca(batches, n: int, B: int, seed: int):
    """Los batches que da la respuesta, sin consumir nunca más de ⌈N/B⌉ + 1 (ni colgarse)."""
    gen = llamar(batches, n, B, seed)
    if gen is None:
        return None
    try:
        iterador = iter(gen)
    except TypeError:
        return f"`batches` debe devolver los batches (una lista o un generador); da {corto(gen)}."
    try:  # como mucho un batch de más: un generador sin fin no agota la memoria
        lotes = list(islice(iterador, math.ceil(n / B) + 1))
    except Exception as exc:  # el error ocurre dentro del generador del estudiante
        raise ErrorDelEstudiante(explicar_excepcion(exc, (n, B, seed))) from None
    arrays = []
    for lote in lotes:
        try:
            arr = np.asarray(lote)
        except ValueError:
            return "Cada batch debe ser un array de índices enteros (uno de tus batches no lo es)."
        if arr.ndim != 1:
            return (
                "Cada batch debe ser un array 1-D de índices; ¿devuelves la permutación "
                "entera? Córtala en trozos de `batch_size`."
            )
        if arr.size and not np.issubdtype(arr.dtype, np.integer):
            return "Los índices deben ser enteros (como los de `rng.permutation(n)`)."
        arrays.append(arr)
    if len(lotes) > math.ceil(n / B):
        return (
            f"Con N={n} y B={B} una época tiene {math.ceil(n / B)} batches y tu iterador da "
            "más: ¿olvidas avanzar el inicio (`inicio += batch_size`) o no se para nunca?"
        )
    if not arrays:
        return (
            f"Con N={n} y B={B} tu iterador no da ningún batch (si B > N, la época es un "
            "único batch con todos los índices)."
        )
    return arrays


def _comprobar_iterador(batches, datos, rng):
    B = int(rng.integers(2, 9))
    n, b = int(rng.integers(20, 120)), int(rng.integers(2, 17))
    casos = [
        (B * int(rng.integers(6, 12)), B),  # N divisible por B
        (n + (n % b == 0), b),  # con un último batch incompleto
        (int(rng.integers(3, 8)), int(rng.integers(8, 20))),
    ]  # B > N
    for n, B in casos:
        seed = int(rng.integers(1000))
        lotes = _epoca(batches, n, B, seed)
        if lotes is None:
            return None, ""
        if isinstance(lotes, str):
            return False, lotes
        juntos, tamaños = np.concatenate(lotes), [len(b) for b in lotes]
        if sorted(juntos.tolist()) != list(range(n)):
            if len(juntos) == n - n % B and n % B:
                return False, (
                    f"Con N={n} y B={B} faltan los {n % B} últimos índices: incluye "
                    "el último batch aunque sea más pequeño."
                )
            if len(set(juntos.tolist())) < len(juntos):
                return False, (
                    "Hay índices repetidos: en una época cada muestra aparece una vez "
                    "(baraja una permutación, no muestrees con reemplazo)."
                )
            return False, f"Con N={n} los batches deben cubrir 0…{n - 1} exactamente una vez."
        if any(t != B for t in tamaños[:-1]) or not 0 < tamaños[-1] <= B:
            return False, (
                f"Con N={n} y B={B} todos los batches deben tener {B} índices salvo "
                f"el último; los tuyos miden {tamaños}."
            )
        if n >= 10 and np.array_equal(juntos, np.arange(n)):
            return False, "Los índices salen en orden: hay que barajarlos en cada época."
        otra = _epoca(batches, n, B, seed)
        if not isinstance(otra, list) or not np.array_equal(np.concatenate(otra or [[]]), juntos):
            return False, (
                "Con la misma semilla deben salir los mismos batches: crea el "
                "generador con la semilla (`np.random.default_rng(seed)`)."
            )
        distinta = _epoca(batches, n, B, seed + 1)
        if (
            n >= 10
            and isinstance(distinta, list)
            and distinta
            and np.array_equal(np.concatenate(distinta), juntos)
        ):
            return False, "Con otra semilla el orden debería cambiar: ¿usas de verdad `seed`?"
    return True, (
        "batches completos, el último más pequeño si N no es múltiplo de B, "
        "barajados y reproducibles (probado también con B > N)."
    )


# -- 3. la retropropagación de una capa densa ------------------------------------------
def _diferencias_finitas(A, W, b, R) -> dict[str, np.ndarray]:
    """Gradientes de L = Σ R ⊙ (A W + b) respecto a A, W y b, por diferencias centrales."""

    def perdida(valores):
        A_, W_, b_ = valores
        return float(np.sum(R * (A_ @ W_ + b_)))

    salida = {}
    for k, nombre in enumerate(("dA_prev", "dW", "db")):
        x = (A, W, b)[k]
        grad = np.empty_like(x)
        for idx in np.ndindex(x.shape):
            lados = []
            for paso in (1e-6, -1e-6):
                valores = [A, W, b]
                valores[k] = x.copy()
                valores[k][idx] += paso
                lados.append(perdida(valores))
            grad[idx] = (lados[0] - lados[1]) / 2e-6
        salida[nombre] = grad
    return salida


def _comprobar_backward(backward_densa, datos, rng):
    formas = [(1, 4, 2), (int(rng.integers(2, 8)), 5, 3), (int(rng.integers(2, 8)), 3, 6)]
    for m, n_in, n_out in formas:
        A, W = rng.standard_normal((m, n_in)), rng.standard_normal((n_in, n_out))
        b, R = rng.standard_normal(n_out), rng.standard_normal((m, n_out))  # dL/dZ = R
        res = llamar(backward_densa, A.copy(), W.copy(), R.copy())
        if res is None:
            return None, ""
        if not isinstance(res, tuple | list) or len(res) != 3:
            return False, f"Devuelve tres arrays, (dW, db, dA_prev); has devuelto {corto(res)}."
        try:
            dW, db, dA = (np.asarray(r, dtype=float) for r in res)
        except (TypeError, ValueError):
            return False, "dW, db y dA_prev deben ser arrays de números."
        fd = _diferencias_finitas(A, W, b, R)
        if dW.shape == (n_out, n_in):
            return False, (
                f"dW tiene la forma de Wᵀ, {dW.shape}: debe ser {W.shape}, como W "
                "(prueba A_prevᵀ · dZ)."
            )
        if dW.shape != W.shape or not np.allclose(dW, fd["dW"], atol=1e-6):
            return False, f"dW no coincide con las diferencias finitas (forma esperada {W.shape})."
        if db.size != n_out or not np.allclose(db.ravel(), fd["db"], atol=1e-6):
            return False, (
                "db suma dZ sobre las filas del batch (`axis=0`): una entrada por "
                f"neurona, forma ({n_out},); la tuya tiene forma {db.shape}."
            )
        if dA.shape != A.shape or not np.allclose(dA, fd["dA_prev"], atol=1e-6):
            return False, (
                f"dA_prev no es correcto: debe tener la forma de A_prev, {A.shape} "
                "(prueba dZ · Wᵀ)."
            )
    return True, "tus tres gradientes coinciden con las diferencias finitas en tres formas."


# -- 4. actualizaciones por época -----------------------------------------------------
def _comprobar_actualizaciones(actualizaciones, datos, rng):
    B = int(rng.integers(2, 50))
    n = int(rng.integers(100, 20000))
    casos = [
        (n + (n % B == 0), B),
        (B * int(rng.integers(2, 400)), B),  # con resto y divisible
        (int(rng.integers(1, B)), B),
        (n, 1),
        (n, n),
    ]  # B > N, B = 1, B = N
    for n, B in casos:
        valor = llamar(actualizaciones, n, B)
        if valor is None:
            return None, ""
        esperado = math.ceil(n / B)
        if isinstance(valor, bool | np.bool_) or not isinstance(
            valor, int | float | np.integer | np.floating
        ):
            return False, f"Devuelve un número entero; para N={n}, B={B} das {corto(valor)}."
        if valor == esperado:
            continue
        if valor == n // B:
            return False, (
                f"Para N={n}, B={B} das {valor}: te olvidas del último batch "
                "incompleto (redondea hacia arriba)."
            )
        if math.isclose(valor, n / B):
            return False, "Las actualizaciones son un número entero: redondea N/B hacia arriba."
        return False, f"Para N={n}, B={B} salen {esperado} actualizaciones; das {corto(valor)}."
    return True, "⌈N/B⌉ en todos los casos, incluidos N múltiplo de B y B > N."


EJERCICIOS = (
    Ejercicio(
        1,
        "La derivada de la ReLU",
        "relu_derivada",
        _comprobar_relu,
        pistas=(
            "Compara z con 0: `z > 0` da un array de booleanos del mismo tamaño.",
            "Convierte los booleanos a números con `.astype(float)`: True → 1.0, False → 0.0.",
            "Sin bucles ni `if`: `return (np.asarray(z) > 0).astype(float)`.",
        ),
        solucion=(
            "def relu_derivada(z):\n"
            "    return (np.asarray(z) > 0).astype(float)  # 1 donde z > 0, 0 donde no\n"
        ),
    ),
    Ejercicio(
        2,
        "Los batches de una época",
        "batches",
        _comprobar_iterador,
        pistas=(
            "Una época baraja los índices 0…n−1 una vez y los corta en trozos de "
            "`batch_size`; el último trozo puede ser más corto.",
            "`orden = np.random.default_rng(seed).permutation(n)` da el orden barajado y "
            "reproducible.",
            "Recorre `for inicio in range(0, n, batch_size):` y haz "
            "`yield orden[inicio:inicio + batch_size]`.",
        ),
        puntos=2,
        solucion=(
            "def batches(n, batch_size, seed):\n"
            "    orden = np.random.default_rng(seed).permutation(n)\n"
            "    for inicio in range(0, n, batch_size):\n"
            "        yield orden[inicio:inicio + batch_size]  # el último puede ser menor\n"
        ),
    ),
    Ejercicio(
        3,
        "La retropropagación de una capa densa",
        "backward_densa",
        _comprobar_backward,
        pistas=(
            "Cada gradiente tiene la forma de su variable: dW como W, db como b, "
            "dA_prev como A_prev.",
            "Z = A_prev W + b: dW = A_prevᵀ dZ y dA_prev = dZ Wᵀ (comprueba las formas).",
            "b se suma a cada fila del batch, así que db suma dZ sobre las filas "
            "(`axis=0`): una entrada por neurona.",
        ),
        puntos=2,
        solucion=(
            "def backward_densa(A_prev, W, dZ):\n"
            "    dW = A_prev.T @ dZ  # forma de W\n"
            "    db = dZ.sum(axis=0)  # suma sobre las filas del batch: una por neurona\n"
            "    dA_prev = dZ @ W.T  # forma de A_prev\n"
            "    return dW, db, dA_prev\n"
        ),
    ),
    Ejercicio(
        4,
        "Actualizaciones por época",
        "actualizaciones",
        _comprobar_actualizaciones,
        pistas=(
            "Cada batch da una actualización; cuenta los batches de una época.",
            "Si N no es múltiplo de B, el último batch incompleto también actualiza: "
            "redondea N/B hacia arriba (`math.ceil`).",
        ),
        solucion=(
            "def actualizaciones(n, batch_size):\n"
            "    return math.ceil(n / batch_size)  # el último batch incompleto cuenta\n"
        ),
    ),
)
