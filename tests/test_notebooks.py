"""Los notebooks: parámetros declarados, ejecución con parámetros pequeños e higiene.

Las salidas guardadas se validan aparte con nbval (`make test`).
"""

import json
import re
from pathlib import Path

import nbformat
import papermill as pm
import pytest

ROOT = Path(__file__).resolve().parents[1]
# El notebook 05 (ejercicios) se prueba en tests/test_ejercicios_notebook.py.
NOTEBOOKS = sorted(nb for nb in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")
                   if not nb.name.startswith("05_"))

#: Parámetros pequeños para la ejecución de humo de cada notebook (todos deben figurar).
SMOKE_PARAMETERS = {
    "01_exploracion_datos": {"bins": 10, "map_points": 500, "seed": 7, "test_size": 0.25},
    "02_mlp_desde_cero": {"epochs": 2, "batch_size": 64, "init_depth": 4, "init_width": 16},
    "03_gd_sgd_minibatch": {
        "epochs": 1, "n_runs": 2, "equal_updates": 10, "lr_grid": [0.001, 0.01], "n_jobs": 1,
        "path_updates": 8,
    },
    "04_batch_size_learning_rate": {
        "batch_sizes": [8, 128, 0], "lr_grid": [0.001, 0.01, 0.1], "epochs": 1,
        "sweep_seeds": [0], "n_jobs": 1, "blog_epochs": 1, "noise_batches": [1, 16, 256],
        "noise_epochs": [0, 1], "target_loss": 1.5, "target_max_epochs": 2,
        "timing_seconds": 0.02, "animation_updates": 4, "scaling_split": 8,
    },
}

#: Un parámetro con un tipo equivocado por notebook: debe fallar con un mensaje claro.
WRONG_TYPE = {
    "01_exploracion_datos": {"bins": "diez"},
    "02_mlp_desde_cero": {"epochs": 2.5},
    "03_gd_sgd_minibatch": {"lr_grid": "0.1"},
    "04_batch_size_learning_rate": {"batch_sizes": [8, "32"]},
}

ids = [nb.stem for nb in NOTEBOOKS]


def run(nb: Path, out: Path, parameters: dict) -> nbformat.NotebookNode:
    pm.execute_notebook(
        str(nb), str(out), parameters=parameters, kernel_name="python3",
        cwd=str(nb.parent), progress_bar=False, log_output=False,
    )
    return nbformat.read(out, as_version=4)


def test_there_are_notebooks_and_each_has_smoke_parameters():
    assert NOTEBOOKS, "no hay notebooks en notebooks/"
    assert set(ids) == set(SMOKE_PARAMETERS) == set(WRONG_TYPE)


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=ids)
def test_parameters_are_declared_with_types_and_help(nb):
    params = pm.inspect_notebook(str(nb))
    assert params, f"{nb.name}: sin celda 'parameters'"
    for name, p in params.items():
        assert p["inferred_type_name"] not in ("None", None), f"{name} sin anotación de tipo"
        assert p["help"], f"{name} sin comentario de ayuda"
    assert set(SMOKE_PARAMETERS[nb.stem]) <= set(params)


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=ids)
def test_notebook_runs_with_small_parameters(nb, tmp_path):
    out = run(nb, tmp_path / nb.name, SMOKE_PARAMETERS[nb.stem])
    for cell in out.cells:
        for o in cell.get("outputs", []):
            assert o["output_type"] != "error"
            if o.get("name") == "stderr":
                assert "Warning" not in o["text"], o["text"]


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=ids)
def test_wrong_parameter_type_fails_with_a_clear_message(nb, tmp_path):
    with pytest.raises(pm.PapermillExecutionError) as info:
        run(nb, tmp_path / nb.name, WRONG_TYPE[nb.stem])
    assert info.value.ename == "ValueError"
    assert "Parámetros no válidos" in info.value.evalue
    (name,) = WRONG_TYPE[nb.stem]
    assert name in info.value.evalue


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=ids)
def test_committed_notebook_is_clean(nb):
    """Lo que ven los estudiantes: ejecutado en orden, sin errores, ligero, sin rutas locales."""
    assert nb.stat().st_size < 2_000_000, f"{nb.name} pesa más de 2 MB"
    book = nbformat.read(nb, as_version=4)
    assert book.metadata.kernelspec.name == "python3"
    assert "papermill" not in book.metadata
    code = [c for c in book.cells if c.cell_type == "code" and c.source.strip()]
    tags = [set(c.metadata.get("tags", [])) for c in code]
    assert "parameters" in tags[0] and not any("injected-parameters" in t for t in tags)
    counts = [c.execution_count for c in code]
    assert counts == list(range(1, len(code) + 1)), "re-ejecuta con `make run`"
    local_path = re.compile(r"/(?:work|root|tmp|home/[a-z]+)/")
    for c in code:
        for o in c.outputs:
            assert o.output_type != "error"
            text = json.dumps(o)
            assert not local_path.search(text), "una salida muestra una ruta de esta máquina"
            if o.get("name") == "stderr":
                assert "Warning" not in o["text"]


def test_notebook_03_with_diverging_parameters_stays_honest(tmp_path):
    """Tasas con las que todo diverge: sin error, sin avisos, sin NaN; lo dice en texto."""
    nb = ROOT / "notebooks" / "03_gd_sgd_minibatch.ipynb"
    parameters = {
        "epochs": 1, "n_runs": 2, "equal_updates": 10, "learning_rate": 0.3,
        "lr_grid": [0.5, 1.0], "n_jobs": 1, "path_updates": 8,
    }
    out = run(nb, tmp_path / nb.name, parameters)
    texts = []
    for cell in out.cells:
        for o in cell.get("outputs", []):
            assert o["output_type"] != "error"
            assert o.get("name") != "stderr", o.get("text")
            texts.append(o["text"] if "text" in o else o.get("data", {}).get("text/plain", ""))
    joined = "\n".join(texts)
    assert "sin tasa fiable en lr_grid" in joined
    assert not re.search(r"\bnan\b", joined, flags=re.IGNORECASE), joined
    assert "2 de 2 ejecuciones divergieron" in joined  # la lotería a lr 0.3
