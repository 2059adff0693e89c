"""Los comprobadores de los ejercicios: aceptan toda respuesta correcta y rechazan los
errores típicos con un mensaje concreto; sin responder, avisan sin lanzar excepciones."""

import math

import numpy as np
import pandas as pd
import pytest

from batchlab import ejercicios as ej


def ok(res):
    assert res.correcto is True, str(res)
    assert str(res).startswith("✅")


def wrong(res, *words):
    assert res.correcto is False, str(res)
    text = str(res)
    assert text.startswith("❌")
    for w in words:
        assert w in text, text


def unanswered(res):
    assert res.correcto is None and "Todavía no has respondido" in str(res)


# 1 -------------------------------------------------------------------------------
@pytest.mark.parametrize("f", [
    ej.relu_derivada_referencia,
    lambda z: z > 0,                              # booleanos
    lambda z: np.where(z > 0, 1, 0),              # enteros
    lambda z: np.heaviside(z, 0.0),
    lambda z: (z >= 0).astype(float),             # 1 en z = 0: otra convención válida
])
def test_relu_accepts_correct_answers(f):
    ok(ej.comprobar_relu(f))


@pytest.mark.parametrize(("f", "word"), [
    (np.sign, "no −1"),
    (lambda z: np.maximum(z, 0), "Eso es la ReLU"),
    (lambda z: (z > 0).astype(float).ravel(), "forma"),
    (lambda z: (z < 0).astype(float), "1 donde z > 0"),
    (lambda z: 1 / 0, "ZeroDivisionError"),
])
def test_relu_rejects_typical_mistakes(f, word):
    wrong(ej.comprobar_relu(f), word)


def test_relu_unanswered():
    unanswered(ej.comprobar_relu(None))
    unanswered(ej.comprobar_relu(lambda z: None))


# 2 -------------------------------------------------------------------------------
def batches_shuffle_in_place(n, batch_size, seed):
    idx = np.arange(n)
    np.random.RandomState(seed).shuffle(idx)
    return [idx[i:i + batch_size] for i in range(0, n, batch_size)]


@pytest.mark.parametrize("f", [ej.batches_referencia, batches_shuffle_in_place])
def test_iterator_accepts_correct_answers(f):
    ok(ej.comprobar_iterador(f))


def drops_last(n, b, seed):
    idx = np.random.default_rng(seed).permutation(n)
    return [idx[i:i + b] for i in range(0, n - b + 1, b)]


def not_shuffled(n, b, seed):
    return [np.arange(i, min(i + b, n)) for i in range(0, n, b)]


_SHARED_RNG = np.random.default_rng(123)


def ignores_seed(n, b, seed):
    idx = _SHARED_RNG.permutation(n)
    return [idx[i:i + b] for i in range(0, n, b)]


def with_replacement(n, b, seed):
    idx = np.random.default_rng(seed).integers(0, n, n)
    return [idx[i:i + b] for i in range(0, n, b)]


@pytest.mark.parametrize(("f", "word"), [
    (drops_last, "último batch"),
    (not_shuffled, "barajarlos"),
    (ignores_seed, "misma semilla"),
    (with_replacement, "repetidos"),
])
def test_iterator_rejects_typical_mistakes(f, word):
    wrong(ej.comprobar_iterador(f), word)


def test_iterator_unanswered():
    unanswered(ej.comprobar_iterador(None))
    unanswered(ej.comprobar_iterador(lambda n, b, s: None))


# 3 -------------------------------------------------------------------------------
@pytest.mark.parametrize("f", [
    ej.backward_densa_referencia,
    lambda A, W, dZ: (np.einsum("mi,mo->io", A, dZ), dZ.sum(0, keepdims=True), dZ @ W.T),
    lambda A, W, dZ: [A.T.dot(dZ), np.ones(len(dZ)) @ dZ, np.dot(dZ, W.T)],
])
def test_backward_accepts_correct_answers(f):
    ok(ej.comprobar_backward_densa(f))


@pytest.mark.parametrize(("f", "word"), [
    (lambda A, W, dZ: (dZ.T @ A, dZ.sum(0), dZ @ W.T), "forma de Wᵀ"),
    (lambda A, W, dZ: (A.T @ dZ, dZ, dZ @ W.T), "sumar dZ"),
    (lambda A, W, dZ: (A.T @ dZ, dZ.mean(0), dZ @ W.T), "db no es correcto"),
    (lambda A, W, dZ: (A.T @ dZ, dZ.sum(0), (dZ @ W.T)[:, :1]), "dA_prev"),
    (lambda A, W, dZ: (A.T @ dZ, dZ.sum(0)), "tres arrays"),
])
def test_backward_rejects_typical_mistakes(f, word):
    wrong(ej.comprobar_backward_densa(f), word)


def test_backward_unanswered():
    unanswered(ej.comprobar_backward_densa(None))
    unanswered(ej.comprobar_backward_densa(lambda A, W, dZ: None))


# 4 -------------------------------------------------------------------------------
@pytest.mark.parametrize("f", [
    ej.actualizaciones_referencia,
    lambda n, b: -(-n // b),
    lambda n, b: (n + b - 1) // b,
    lambda n, b: float(np.ceil(n / b)),
])
def test_updates_accept_correct_answers(f):
    ok(ej.comprobar_actualizaciones(f))


@pytest.mark.parametrize(("f", "word"), [
    (lambda n, b: n // b, "último batch"),
    (lambda n, b: n / b, "entero"),
    (lambda n, b: n // b + 1, "deberían salir"),
])
def test_updates_reject_typical_mistakes(f, word):
    wrong(ej.comprobar_actualizaciones(f), word)


# 5 y 6 -----------------------------------------------------------------------------
def test_linear_scaling():
    ok(ej.comprobar_escalado_lineal(0.04, 0.01, 32, 128))
    ok(ej.comprobar_escalado_lineal(np.float64(0.04), 0.01, 32, 128))
    wrong(ej.comprobar_escalado_lineal(0.0025, 0.01, 32, 128), "invertido")
    wrong(ej.comprobar_escalado_lineal(0.02, 0.01, 32, 128), "raíz cuadrada")
    wrong(ej.comprobar_escalado_lineal(0.5, 0.01, 32, 128), "mismo factor")
    wrong(ej.comprobar_escalado_lineal("0.04", 0.01, 32, 128), "número")
    unanswered(ej.comprobar_escalado_lineal(None, 0.01, 32, 128))
    assert ej.referencia(5, lr_base=0.01, b_base=32, b_nuevo=128) == pytest.approx(0.04)


def test_divergence_is_checked_by_training(small):
    X, y = small
    ok(ej.comprobar_divergencia(True, X, y, 16, 50.0))
    ok(ej.comprobar_divergencia(False, X, y, 16, 0.001))
    wrong(ej.comprobar_divergencia(False, X, y, 16, 50.0), "diverge")
    wrong(ej.comprobar_divergencia("sí", X, y, 16, 50.0), "True")
    unanswered(ej.comprobar_divergencia(None, X, y, 16, 50.0))
    assert ej.referencia(6, X=X, y=y, batch_size=16, learning_rate=50.0) is True


# 7 -------------------------------------------------------------------------------
@pytest.fixture
def tabla():
    return pd.DataFrame({8: [0.5, 0.3, np.inf], 128: [0.9, 0.4, 0.25]},
                        index=pd.Index([0.001, 0.01, 0.1], name="lr"))


def test_heatmap_reading(tabla):
    ok(ej.comprobar_lectura_rejilla(0.01, tabla, 8))
    ok(ej.comprobar_lectura_rejilla(0.1, tabla, 128))
    wrong(ej.comprobar_lectura_rejilla(0.1, tabla, 8), "diverge")
    wrong(ej.comprobar_lectura_rejilla(0.001, tabla, 128), "columna B=128")
    unanswered(ej.comprobar_lectura_rejilla(None, tabla, 8))
    assert ej.referencia(7, tabla=tabla, batch_size=8) == 0.01


def test_heatmap_reading_names_the_global_best(tabla):
    tabla[32] = [0.6, 0.35, 0.2]
    wrong(ej.comprobar_lectura_rejilla(0.1, tabla.drop(columns=128), 8), "diverge")
    t2 = pd.DataFrame({8: [0.5, 0.3, 0.4], 128: [0.9, 0.4, 0.1]}, index=[0.001, 0.01, 0.1])
    wrong(ej.comprobar_lectura_rejilla(0.1, t2, 8), "toda la tabla")


# 8 -------------------------------------------------------------------------------
def test_variance_prediction():
    va, vb, real = 100.0, 25.0, 6.4  # B = 4, 16, 64
    ok(ej.comprobar_varianza(6.25, va, 4, vb, 16, 64, real))
    ok(ej.comprobar_varianza(vb * 16 / 64, va, 4, vb, 16, 64, real))
    wrong(ej.comprobar_varianza(100.0, va, 4, vb, 16, 64, real), "no al revés")
    wrong(ej.comprobar_varianza(25 * (16 / 64) ** 2, va, 4, vb, 16, 64, real), "1/B²")
    wrong(ej.comprobar_varianza(-1, va, 4, vb, 16, 64, real), "positivo")
    unanswered(ej.comprobar_varianza(None, va, 4, vb, 16, 64, real))
    assert ej.referencia(8, var_a=va, b_a=4, var_b=vb, b_b=16, b_nuevo=64) == pytest.approx(6.25)


# 9 -------------------------------------------------------------------------------
def test_batch_under_memory_budget():
    per, fixed, budget = 1800.0, 50_000.0, 2 * 2**20  # B_max ≈ 1137
    assert ej.batch_por_memoria_referencia(per, fixed, budget) == 1024
    ok(ej.comprobar_batch_por_memoria(1024, per, fixed, budget))
    ok(ej.comprobar_batch_por_memoria(1024.0, per, fixed, budget))
    wrong(ej.comprobar_batch_por_memoria(2048, per, fixed, budget), "no cabe")
    wrong(ej.comprobar_batch_por_memoria(512, per, fixed, budget), "el doble")
    wrong(ej.comprobar_batch_por_memoria(1000, per, fixed, budget), "potencia de 2")
    wrong(ej.comprobar_batch_por_memoria(10.5, per, fixed, budget), "entero")
    unanswered(ej.comprobar_batch_por_memoria(None, per, fixed, budget))


def test_forgetting_the_fixed_bytes_is_named():
    per, fixed, budget = 1000.0, 600.0, 2048 * 1000.0 + 300  # sin fijos cabría 2048
    wrong(ej.comprobar_batch_por_memoria(2048, per, fixed, budget), "no cabe")


# pistas y soluciones -----------------------------------------------------------------
@pytest.mark.parametrize("n", range(1, 10))
def test_every_exercise_has_a_hint_and_a_solution(n, capsys):
    ej.pista(n)
    ej.solucion(n)
    out = capsys.readouterr().out
    assert f"ejercicio {n}" in out and len(out) > 80


def test_reference_rejects_unknown_exercises():
    with pytest.raises(ValueError, match="del 1 al 9"):
        ej.referencia(10)
    assert math.isclose(ej.referencia(9, bytes_por_muestra=1000, bytes_fijos=0,
                                      presupuesto=5000), 4)
