"""check_parameters: tipos anotados y cotas de los parámetros de un notebook."""

import pytest

from batchlab import check_parameters


def ns(**values):
    annotations = {"epochs": int, "lr": float, "name": str, "fast": bool, "sizes": list[int]}
    base = {"epochs": 3, "lr": 0.1, "name": "x", "fast": False, "sizes": [1, 32]}
    return {"__annotations__": annotations, **base, **values}


def test_valid_parameters_pass():
    check_parameters(ns(), minimum={"epochs": 1, "sizes": 1}, maximum={"lr": 1.0})
    check_parameters(ns(lr=1))  # un int vale donde se pide float


@pytest.mark.parametrize(
    ("values", "word"),
    [
        (dict(epochs=2.5), "epochs debe ser de tipo int"),
        (dict(epochs=True), "epochs debe ser de tipo int"),
        (dict(lr="0.1"), "lr debe ser de tipo float"),
        (dict(fast=1), "fast debe ser de tipo bool"),
        (dict(sizes=[1, "32"]), "sizes debe ser de tipo list[int]"),
        (dict(sizes=5), "sizes debe ser de tipo list[int]"),
    ],
)
def test_wrong_types_are_named(values, word):
    with pytest.raises(ValueError, match=word.replace("[", r"\[").replace("]", r"\]")):
        check_parameters(ns(**values))


def test_bounds_are_checked():
    with pytest.raises(ValueError, match="epochs debe ser ≥ 1"):
        check_parameters(ns(epochs=0), minimum={"epochs": 1})
    with pytest.raises(ValueError, match="sizes debe ser ≥ 1"):
        check_parameters(ns(sizes=[0, 4]), minimum={"sizes": 1})
    with pytest.raises(ValueError, match="lr debe ser ≤ 1"):
        check_parameters(ns(lr=2.0), maximum={"lr": 1})


def test_a_cell_without_annotations_is_rejected():
    with pytest.raises(ValueError, match="anotaciones"):
        check_parameters({"epochs": 3})


def rates(**values):
    """Parámetros como los de los notebooks 02–04: tasas, listas y un objetivo."""
    annotations = {
        "learning_rate": float,
        "lr_grid": list[float],
        "path_lr": float,
        "batch_sizes": list[int],
        "target_loss": float,
        "time_budget": float,
    }
    base = {
        "learning_rate": 0.01,
        "lr_grid": [0.001, 0.01],
        "path_lr": 0.1,
        "batch_sizes": [8, 32],
        "target_loss": 0.45,
        "time_budget": 2.0,
    }
    return {"__annotations__": annotations, **base, **values}


def test_course_like_parameters_pass():
    check_parameters(rates())
    check_parameters(rates(target_loss=0.0, lr_grid=[3]))


@pytest.mark.parametrize(
    ("values", "words"),
    [
        (dict(learning_rate=0.0), ["learning_rate", "tasa de aprendizaje debe ser > 0"]),
        (dict(learning_rate=-0.1), ["learning_rate", "> 0"]),
        (dict(path_lr=0), ["path_lr", "> 0"]),
        (dict(lr_grid=[0.001, -0.01]), ["lr_grid", "> 0", "-0.01"]),
        (dict(lr_grid=[0.001, 0.0]), ["lr_grid", "> 0"]),
        (dict(lr_grid=[0.001, float("inf")]), ["lr_grid", "finito"]),
        (dict(lr_grid=[float("nan")]), ["lr_grid", "finito"]),
        (dict(learning_rate=float("nan")), ["learning_rate", "finito"]),
        (dict(time_budget=float("inf")), ["time_budget", "finito"]),
        (dict(lr_grid=[]), ["lr_grid no puede ser una lista vacía"]),
        (dict(batch_sizes=[]), ["batch_sizes no puede ser una lista vacía"]),
        (dict(target_loss=-0.5), ["target_loss", "no puede ser negativo"]),
    ],
)
def test_bad_values_are_refused_naming_the_parameter(values, words):
    with pytest.raises(ValueError, match="Parámetros no válidos") as info:
        check_parameters(rates(**values))
    for w in words:
        assert w in str(info.value), str(info.value)


@pytest.mark.parametrize(
    ("value", "example"),
    [
        ("[0.001, 0.01]", '-y "lr_grid: [0.001, 0.01]"'),  # -p lr_grid "[0.001, 0.01]"
        (0.01, '-y "lr_grid: [0.001, 0.01]"'),  # -p lr_grid 0.01
    ],
)
def test_a_list_given_the_wrong_way_names_the_y_syntax(value, example):
    with pytest.raises(ValueError) as info:
        check_parameters(rates(lr_grid=value))
    assert example in str(info.value) and "-y" in str(info.value)
    with pytest.raises(ValueError, match=r'-y "batch_sizes: \[8, 32\]"'):
        check_parameters(rates(batch_sizes="8,32"))


def test_all_problems_are_reported_together():
    with pytest.raises(ValueError) as info:
        check_parameters(rates(learning_rate=0.0, lr_grid=[], target_loss=-1.0))
    assert str(info.value).count("\n- ") == 3
