"""Claves de máquina y etiquetas en español: la traducción es solo para mostrar."""

import pandas as pd

from batchlab import labels


def test_spanish_renames_headers_index_names_and_keys_but_not_values():
    table = pd.DataFrame(
        {"updates": [3, 4], "test_mse": [0.5, 0.25]},
        index=pd.Index(["full_batch", "sgd"], name="method"),
    )
    shown = labels.spanish(table, {"full_batch": "batch completo (B=9)"})
    assert list(shown.columns) == ["actualizaciones", "MSE prueba"]
    assert list(shown.index) == ["batch completo (B=9)", "SGD"]
    assert shown.index.name == "método"
    assert list(shown.iloc[:, 1]) == [0.5, 0.25]
    assert list(table.columns) == ["updates", "test_mse"]  # el original no cambia


def test_spanish_labels_a_method_column_with_its_batch_size():
    best = pd.DataFrame(
        {"method": ["mini_batch", "full_batch"], "lr": [0.1, 1.0], "worst": [0.3, 0.4]},
        index=pd.Index([8, 100], name="B"),
    )
    shown = labels.spanish(best)
    assert list(shown["método"]) == ["mini-batch (B=8)", "batch completo (B=100)"]
    assert list(shown.columns) == ["método", "lr", "peor"] and shown.index.name == "B"


def test_spanish_handles_multiindex_series_and_numbered_columns():
    general = pd.DataFrame({("lr", ""): [0.1], ("test", "mean"): [0.3], ("gap", "std"): [0.01]})
    assert list(labels.spanish(general).columns) == [
        ("lr", ""),
        ("prueba", "mean"),
        ("diferencia", "std"),
    ]
    threads = pd.DataFrame({"us_2_threads": [1.0], "threads_used_2": [2], "speedup_2_vs_1": [1.5]})
    assert list(labels.spanish(threads).columns) == [
        "µs con 2 hilo(s)",
        "hilos efectivos (2)",
        "aceleración 2 vs 1",
    ]
    series = pd.Series({"sgd": 0.1}, name="noise")
    shown = labels.spanish(series)
    assert shown.name == "ruido" and list(shown.index) == ["SGD"]


def test_every_diagnosis_and_method_has_a_label():
    for key in ("diverges", "oscillates", "crawls", "converges"):
        assert key in labels.LABELS
    assert labels.method_label("sgd", 1) == "SGD (B=1)"


def test_spanish_says_its_message_instead_of_an_empty_table(capsys):
    empty = pd.DataFrame(columns=["lr", "steps"])
    assert labels.spanish(empty, empty="Ningún B llega.") is None
    assert capsys.readouterr().out == "Ningún B llega.\n"
    assert labels.spanish(empty).empty  # sin mensaje, la tabla (vacía) de siempre
    full = labels.spanish(pd.DataFrame({"lr": [0.1]}), empty="no se imprime")
    assert len(full) == 1 and capsys.readouterr().out == ""
