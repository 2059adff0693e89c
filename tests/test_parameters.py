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
