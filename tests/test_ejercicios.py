"""Los comprobadores de los ejercicios, a golpes: respuestas correctas de varias formas, errores
típicos, trampas, entradas que rompen y código que no termina. Nunca lanzan ni se cuelgan."""

import math
import time

import numpy as np
import pytest

from batchlab import ejercicios as ej


def ok(res, n):
    assert res.correcto is True, str(res)
    assert str(res).startswith(f"✅ Ejercicio {n} ·"), str(res)


def wrong(res, n, *words):
    assert res.correcto is False, str(res)
    text = str(res)
    assert text.startswith(f"❌ Ejercicio {n} ·"), text
    for w in words:
        assert w in text, text


def solved(n):
    """La solución impresa, ejecutada como en el notebook (sin la marca de referencia)."""
    ns = {"np": np, "math": math, **ej.EJERCICIOS[n].datos()}
    exec(ej.EJERCICIOS[n].solucion, ns)
    return ns[ej.EJERCICIOS[n].nombre]


@pytest.fixture
def short_limit(monkeypatch):
    monkeypatch.setattr(ej, "LIMITE_SEGUNDOS", 0.5)


# -- el registro -----------------------------------------------------------------------
def test_registry_is_complete():
    assert sorted(ej.EJERCICIOS) == list(range(1, 13))
    for n, e in ej.EJERCICIOS.items():
        assert e.numero == n and 2 <= len(e.pistas) <= 3 and e.puntos > 0
        assert f"{e.nombre} =" in e.solucion or f"def {e.nombre}(" in e.solucion


@pytest.mark.parametrize("n", range(1, 13))
def test_every_printed_solution_passes(n, capsys):
    ej.solucion(n)
    assert ej.EJERCICIOS[n].solucion in capsys.readouterr().out
    ok(ej.comprobar(n, solved(n)), n)


@pytest.mark.parametrize("n", range(1, 13))
def test_none_is_unanswered(n):
    res = ej.comprobar(n, None)
    assert res.correcto is None and str(res).startswith(f"⏳ Ejercicio {n}:")


def test_hints_have_levels_and_bad_numbers_are_explained(capsys):
    ej.pista(2)
    ej.pista(2, 2)
    out = capsys.readouterr().out
    assert "Pista 1/3 del ejercicio 2" in out and "ej.pista(2, 2)" in out and "Pista 2/3" in out
    ej.pista(99)
    ej.solucion(0)
    ej.pista(5, 7)
    out = capsys.readouterr().out
    assert out.count("No hay ejercicio") == 2 and "son del 1 al 12" in out
    assert "tiene 2 pistas" in out
    with pytest.raises(ValueError, match="No hay ejercicio 0"):
        ej.comprobar(0, 1)


def test_evaluation_mode_hides_solutions(monkeypatch, capsys):
    monkeypatch.setenv("BATCHLAB_EVALUACION", "1")
    ej.solucion(1)
    assert "no hay soluciones" in capsys.readouterr().out
    with pytest.raises(RuntimeError, match="versión evaluada"):
        ej.referencia(1)


@pytest.mark.parametrize("n", range(1, 5))
def test_handing_in_the_reference_is_refused(n):
    wrong(ej.comprobar(n, ej.referencia(n)), n, f"ej.referencia({n})")


# -- respuestas que rompen o cuelgan: nunca una excepción --------------------------------
HOSTILE = [
    "una cadena",
    3,
    [1, [2, 3]],
    float("nan"),
    float("inf"),
    np.array([np.inf]),
    np.ones((3, 3)),
    object(),
    {"a": 1},
    lambda *a: "texto",
    lambda *a: [[1], [2, 3]],
    lambda *a: np.full(4, np.nan),
    lambda *a: 1 / 0,
    lambda *a: (_ for _ in ()).throw(ValueError("roto")),
    lambda *a: iter(lambda: 1, 2),
]


@pytest.mark.parametrize("n", range(1, 13))
@pytest.mark.parametrize("answer", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_answers_never_raise(n, answer):
    res = ej.comprobar(n, answer)
    assert res.correcto is False and str(res).startswith(f"❌ Ejercicio {n}")


@pytest.mark.parametrize("n", range(1, 5))
def test_endless_code_is_cut_by_the_time_limit(n, short_limit):
    def forever(*args):
        while True:
            pass

    start = time.perf_counter()
    wrong(ej.comprobar(n, forever), n, "tardó más de 0.5 s")
    assert time.perf_counter() - start < 3


def test_a_student_except_cannot_swallow_the_time_limit(short_limit):
    def stubborn(n, b, seed):
        while True:
            try:
                while True:
                    pass
            except Exception:
                pass

    wrong(ej.comprobar(2, stubborn), 2, "tardó más")


# -- 1 ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "f",
    [
        lambda z: z > 0,
        lambda z: np.where(z > 0, 1, 0),
        lambda z: np.heaviside(z, 0.0),
        lambda z: (z >= 0).astype(float),
        lambda z: (
            [[float(v > 0) for v in row] for row in z]
            if np.ndim(z) == 2
            else [float(v > 0) for v in z]
        ),
    ],
)
def test_relu_accepts_correct_variants(f):
    ok(ej.comprobar(1, f), 1)


@pytest.mark.parametrize(
    ("f", "word"),
    [
        (np.sign, "no −1"),
        (lambda z: np.maximum(z, 0), "Eso es la ReLU"),
        (lambda z: (z > 0).astype(float).ravel()[:3], "forma"),
        (lambda z: (z < 0).astype(float), "1 donde z > 0"),
        (lambda z: np.where(z > 0, 1.0, np.where(z < 0, 0.0, 0.5)), "z = 0"),
        (lambda z: 1 if z > 0 else 0, "operaciones vectorizadas"),
        (lambda z: np.zeros(z.shape) + undefined_np.ones(1), "¿has ejecutado"),  # noqa: F821
    ],
)
def test_relu_rejects_typical_mistakes(f, word):
    wrong(ej.comprobar(1, f), 1, word)


def test_missing_numpy_import_is_explained():
    glob = {"__builtins__": __builtins__}
    exec("def f(z):\n    return np.zeros(z.shape)\n", glob)
    wrong(ej.comprobar(1, glob["f"]), 1, "¿has importado numpy?")


# -- 2 ---------------------------------------------------------------------------------
def shuffle_in_place(n, batch_size, seed):
    idx = np.arange(n)
    np.random.RandomState(seed).shuffle(idx)
    return [idx[i : i + batch_size] for i in range(0, n, batch_size)]


def array_split(n, b, seed):
    return np.array_split(np.random.default_rng(seed).permutation(n), math.ceil(n / b))


def returns_permutation(n, b, seed):
    return np.random.default_rng(seed).permutation(n)


def forgets_to_advance(n, b, seed):
    orden, i = np.random.default_rng(seed).permutation(n), 0
    while i < n:
        yield orden[i : i + b]


def drops_last(n, b, seed):
    idx = np.random.default_rng(seed).permutation(n)
    return [idx[i : i + b] for i in range(0, n - b + 1, b)]


_SHARED = np.random.default_rng(123)


@pytest.mark.parametrize("f", [shuffle_in_place, solved(2)])
def test_batches_accepts_correct_variants(f):
    for _ in range(5):  # casos nuevos en cada llamada
        ok(ej.comprobar(2, f), 2)


def test_batches_uneven_split_is_refused():
    messages = {str(ej.comprobar(2, array_split, semilla=s)) for s in range(10)}
    assert any("salvo el último" in m for m in messages), messages


@pytest.mark.parametrize(
    ("f", "word"),
    [
        (returns_permutation, "permutación entera"),
        (forgets_to_advance, "olvidas avanzar"),
        (lambda n, b, s: [np.arange(i, min(i + b, n)) for i in range(0, n, b)], "en orden"),
        (
            lambda n, b, s: [np.random.default_rng(s).integers(0, n, b) for _ in range(0, n, b)],
            "repetidos",
        ),
        (
            lambda n, b, s: [
                p[i : i + b] for p in [_SHARED.permutation(n)] for i in range(0, n, b)
            ],
            "misma semilla",
        ),
        (
            lambda n, b, s: [
                p[i : i + b]
                for p in [np.random.default_rng(0).permutation(n)]
                for i in range(0, n, b)
            ],
            "otra semilla",
        ),
        (
            lambda n, b, s: [
                p[i : i + b].astype(float)
                for p in [np.random.default_rng(s).permutation(n)]
                for i in range(0, n, b)
            ],
            "enteros",
        ),
    ],
)
def test_batches_rejects_typical_mistakes(f, word):
    wrong(ej.comprobar(2, f), 2, word)


def test_batches_dropping_the_last_batch_is_named():
    messages = {str(ej.comprobar(2, drops_last, semilla=s)) for s in range(5)}
    assert all("faltan los" in m for m in messages), messages
    full = solved(2)
    res = ej.comprobar(2, lambda n, b, s: [] if b > n else full(n, b, s))
    wrong(res, 2, "ningún batch")


def test_batches_hardcoded_epoch_fails():
    fixed = list(solved(2)(103, 10, 7))
    wrong(ej.comprobar(2, lambda n, b, s: fixed), 2)


def test_endless_generator_memory_stays_bounded():
    def endless(n, b, seed):
        while True:
            yield np.arange(b)

    start = time.perf_counter()
    wrong(ej.comprobar(2, endless), 2, "no se para nunca")
    assert time.perf_counter() - start < 2


# -- 3 ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("f", "word"),
    [
        (lambda A, W, dZ: (dZ.T @ A, dZ.sum(0), dZ @ W.T), "forma de Wᵀ"),
        (lambda A, W, dZ: (A.T @ dZ, dZ, dZ @ W.T), "sobre las filas del batch"),
        (lambda A, W, dZ: (A.T @ dZ, dZ.sum(1), dZ @ W.T), "axis=0"),
        (lambda A, W, dZ: (A.T @ dZ, dZ.sum(0), dZ @ W), "formas no encajan"),
        (lambda A, W, dZ: (A.T @ dZ, dZ.sum(0)), "tres arrays"),
        (lambda A, W, dZ: (A.T @ dZ, dZ.sum(0), "x"), "arrays de números"),
        (lambda A, W, dZ: (2 * A.T @ dZ, dZ.sum(0), dZ @ W.T), "dW no coincide"),
    ],
)
def test_backward_rejects_typical_mistakes(f, word):
    wrong(ej.comprobar(3, f), 3, word)


def test_backward_accepts_einsum():
    ok(
        ej.comprobar(
            3,
            lambda A, W, dZ: (
                np.einsum("mi,mo->io", A, dZ),
                dZ.sum(0, keepdims=True),
                np.einsum("mo,io->mi", dZ, W),
            ),
        ),
        3,
    )


# -- 4 ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "f",
    [
        lambda n, b: -(-n // b),
        lambda n, b: (n + b - 1) // b,
        lambda n, b: float(math.ceil(n / b)),
        solved(4),
    ],
)
def test_updates_accepts_correct_variants(f):
    ok(ej.comprobar(4, f), 4)


@pytest.mark.parametrize(
    ("f", "word"),
    [
        (lambda n, b: n // b, "último batch"),
        (lambda n, b: n / b, "redondea N/B hacia arriba"),
        (lambda n, b: n // b + 1, "salen"),
        (lambda n, b: str(math.ceil(n / b)), "número entero"),
        (lambda n, b: True, "número entero"),
        (lambda n, b: 516, "salen"),  # memorizado
    ],
)
def test_updates_rejects_typical_mistakes(f, word):
    wrong(ej.comprobar(4, f), 4, word)


# -- 5–9: la respuesta es un número; el comprobador es dueño de las constantes -------------
def test_linear_rule_is_judged_on_the_measured_grid():
    tabla, lr_32, lr_128 = ej.datos(5)
    assert {32, 128} <= set(tabla.columns) and lr_32 in tabla.index and lr_128 in tabla.index
    real = abs(math.log10(lr_128 / (4 * lr_32))) < 0.25
    ok(ej.comprobar(5, real), 5)
    ok(ej.comprobar(5, np.bool_(real)), 5)
    wrong(ej.comprobar(5, not real), 5, "Calcula la predicción")
    wrong(ej.comprobar(5, "sí"), 5, "Responde True")


def test_examples_at_the_critical_batch():
    s_min, b_crit = ej.datos(10)
    ok(ej.comprobar(10, 2 * s_min * b_crit), 10)
    wrong(ej.comprobar(10, s_min * b_crit), 10, "E_min")
    wrong(ej.comprobar(10, 2 * s_min), 10, "pasos")
    wrong(ej.comprobar(10, "mucho"), 10, "un número")


def test_cosine_prediction():
    b_simple, b_pedido = ej.datos(11)
    assert 1 < b_simple < 10_000  # medida de verdad, no una constante
    r = b_simple / b_pedido
    ok(ej.comprobar(11, (1 + r) ** -0.5), 11)
    wrong(ej.comprobar(11, 1 / (1 + r)), 11, "raíz")
    wrong(ej.comprobar(11, (1 + 1 / r) ** -0.5), 11, "invertido")
    wrong(ej.comprobar(11, round((1 + r) ** -0.5, 2)), 11, "redondeado")


def test_tost_verdict_function():
    def good(lo, hi, m):
        if -m < lo and hi < m:
            return "equivalentes"
        return "distintos" if lo > m or hi < -m else "no concluyente"

    ok(ej.comprobar(12, good), 12)
    wrong(
        ej.comprobar(12, lambda lo, hi, m: "equivalentes" if abs(lo + hi) / 2 < m else "distintos"),
        12,
        "",
    )
    wrong(ej.comprobar(12, 3), 12, "función")

    def no_inconclusive(lo, hi, m):  # olvida el último caso: devuelve None
        if -m < lo and hi < m:
            return "equivalentes"
        if lo > m or hi < -m:
            return "distintos"
        return None

    wrong(ej.comprobar(12, no_inconclusive), 12, "debe acabar")


def test_divergence_is_checked_by_training():
    X, y = ej.muestra()
    import batchlab as bl

    h = bl.train(bl.MLP(rng=0), X, y, batch_size=32, learning_rate=0.3, epochs=3, seed=0)
    ok(ej.comprobar(6, h.diverged), 6)
    wrong(ej.comprobar(6, not h.diverged), 6, "Entrenado de verdad")
    wrong(ej.comprobar(6, "True"), 6, "Responde True")


def test_grid_uses_its_own_table():
    tabla, b_pedido = ej.datos(7)
    col = tabla[b_pedido]
    best = float(col[np.isfinite(col)].idxmin())
    tabla.loc[:, :] = 0.0  # el estudiante cambia la tabla: no cambia nada
    ok(ej.comprobar(7, best), 7)
    fresh, _ = ej.datos(7)
    assert np.isfinite(fresh.to_numpy()).any() and not (fresh == 0).all().all()
    diverged = [lr for lr, v in col.items() if not np.isfinite(v)]
    if diverged:
        wrong(ej.comprobar(7, diverged[0]), 7, "diverge")
    others = {float(fresh[c][np.isfinite(fresh[c])].idxmin()) for c in fresh if c != b_pedido}
    for lr in others - {best}:
        wrong(ej.comprobar(7, lr), 7, "otra columna")
    wrong(ej.comprobar(7, "0.1"), 7, "un número")


def test_variance_messages():
    var_a, b_a, var_b, b_b, b_obj = ej.datos(8)
    ok(ej.comprobar(8, var_b * b_b / b_obj), 8)
    ok(ej.comprobar(8, np.array([var_b * b_b / b_obj])), 8)
    wrong(ej.comprobar(8, var_b * b_obj / b_b), 8, "no al revés")
    wrong(ej.comprobar(8, var_b * (b_b / b_obj) ** 2), 8, "1/B²")
    wrong(ej.comprobar(8, -1.0), 8, "número positivo")


def test_memory_messages_and_fixed_bytes():
    pm, fijos, total = ej.datos(9)
    best = solved(9)
    assert fijos + best * pm <= total < fijos + 2 * best * pm
    ok(ej.comprobar(9, best), 9)
    ok(ej.comprobar(9, float(best)), 9)
    forgot = 2 ** math.floor(math.log2(total / pm))
    assert forgot != best, "el presupuesto debe delatar a quien olvida los bytes fijos"
    wrong(ej.comprobar(9, forgot), 9, "bytes fijos")
    wrong(ej.comprobar(9, best // 2), 9, f"el doble ({best})")
    wrong(ej.comprobar(9, best - 1), 9, "potencia de 2")
    wrong(ej.comprobar(9, 0), 9, "al menos una muestra")
    wrong(ej.comprobar(9, 4 * best), 9, "no cabe")
    wrong(ej.comprobar(9, 2.5), 9, "entero")


def test_student_exceptions_are_explained_in_spanish():
    from batchlab.ejercicios._base import explicar_excepcion

    try:
        bool(np.arange(3) > 0)
    except ValueError as exc:
        assert "vectorizadas" in explicar_excepcion(exc)
    msg = explicar_excepcion(ValueError("matmul: mismatch"), (np.ones((2, 3)), np.ones((4, 5))))
    assert "(2, 3)" in msg and "(4, 5)" in msg
    assert "import math" in explicar_excepcion(NameError("name 'math' is not defined"))


def test_an_error_inside_the_generator_is_explained():
    def batches(n, b, seed):
        yield np.arange(b)
        raise TypeError("algo interno")

    wrong(ej.comprobar(2, batches), 2, "Tu código lanzó TypeError: algo interno")
