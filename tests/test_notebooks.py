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
# El notebook 06 (ejercicios) se prueba en tests/test_ejercicios_notebook.py.
NOTEBOOKS = sorted(
    nb for nb in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb") if not nb.name.startswith("06_")
)

#: Parámetros pequeños para la ejecución de humo de cada notebook (todos deben figurar).
SMOKE_PARAMETERS = {
    "01_exploracion_datos": {
        "bins": 10,
        "map_points": 500,
        "seed": 7,
        "test_size": 0.25,
        "n_splits": 2,
        "tail_seeds": [0, 1],
        "tail_epochs": 1,
    },
    "02_mlp_desde_cero": {
        "epochs": 2,
        "batch_size": 64,
        "init_depth": 4,
        "init_width": 16,
        "n_repeats": 2,
    },
    "03_gd_sgd_minibatch": {
        "epochs": 1,
        "n_runs": 2,
        "equal_updates": 10,
        "lr_grid": [0.001, 0.01],
        "n_jobs": 1,
        "path_updates": 8,
    },
    "04_batch_size_learning_rate": {
        "batch_sizes": [8, 128, 0],
        "lr_grid": [0.01, 0.1],
        "epochs": 1,
        "sweep_seeds": [0, 1, 2],
        "n_jobs": 1,
        "n_boot": 20,
        "target_loss": 0.8,
        "target_max_epochs": 2,
        "steps_seeds": [0, 1],
        "noise_batches": [1, 16, 256],
        "noise_draws": 5,
        "noise_epochs": [0, 1],
        "curvature_steps": [0, 2],
        "gen_loss": 0.8,
        "gen_splits": 2,
        "gen_inits": 1,
        "blog_epochs": 1,
        "blog_seeds": [0, 1],
        "timing_seconds": 0.02,
        "timing_repeats": 1,
        "animation_updates": 4,
    },
}

#: Parámetros válidos con los que el entrenamiento diverge (notebooks 01 y 02): el notebook
#: debe terminar igual, diciendo que divergió, sin NaN, sin avisos y con sus conclusiones.
DIVERGING_PARAMETERS = {
    "01_exploracion_datos": {
        "map_points": 300,
        "n_splits": 2,
        "tail_seeds": [0, 1],
        "tail_epochs": 1,
        "tail_lr": 0.5,
    },
    "02_mlp_desde_cero": {
        "batch_size": 16,
        "learning_rate": 0.5,
        "epochs": 2,
        "init_depth": 4,
        "init_width": 16,
        "n_repeats": 2,
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
        str(nb),
        str(out),
        parameters=parameters,
        kernel_name="python3",
        cwd=str(nb.parent),
        progress_bar=False,
        log_output=False,
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


@pytest.mark.parametrize("stem", sorted(DIVERGING_PARAMETERS))
def test_notebook_with_diverging_parameters_is_honest(stem, tmp_path):
    nb = ROOT / "notebooks" / f"{stem}.ipynb"
    claims_file = tmp_path / "conclusiones.json"
    params = {**DIVERGING_PARAMETERS[stem], "claims_path": str(claims_file)}
    out = run(nb, tmp_path / nb.name, params)
    texts = []
    for cell in out.cells:
        for o in cell.get("outputs", []):
            assert o["output_type"] != "error"
            assert o.get("name") != "stderr", o.get("text")  # ni avisos ni trazas
            if o["output_type"] == "stream":
                texts.append(o["text"])
            elif "data" in o:
                texts.append(o["data"].get("text/plain", ""))
    joined = "\n".join(texts)
    assert "diverg" in joined
    assert not re.search(r"\bnan\b|\bNaN\b|<NA>", joined), "un NaN llegó a una salida"
    records = json.loads(claims_file.read_text(encoding="utf-8"))
    keys = {"id", "enunciado", "valor", "ic_bajo", "ic_alto", "n", "veredicto"}
    assert records and all(keys <= set(r) for r in records)
    assert any(r["veredicto"] == "no se cumple" or r["valor"] == 1.0 for r in records)


@pytest.mark.parametrize("name", ["02_mlp_desde_cero", "03_gd_sgd_minibatch"])
def test_unknown_feature_pipeline_is_refused_naming_the_choices(tmp_path, name):
    nb = ROOT / "notebooks" / f"{name}.ipynb"
    with pytest.raises(pm.PapermillExecutionError) as info:
        run(nb, tmp_path / nb.name, {"features": "robusto"})
    assert info.value.ename == "ValueError"
    assert "Parámetros no válidos" in info.value.evalue and "quantile" in info.value.evalue


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=ids)
def test_wrong_parameter_type_fails_with_a_clear_message(nb, tmp_path):
    with pytest.raises(pm.PapermillExecutionError) as info:
        run(nb, tmp_path / nb.name, WRONG_TYPE[nb.stem])
    assert info.value.ename == "ValueError"
    assert "Parámetros no válidos" in info.value.evalue
    (name,) = WRONG_TYPE[nb.stem]
    assert name in info.value.evalue


#: Parámetros de tipo válido que el notebook rechaza en su celda de parámetros, con el arreglo.
REFUSED = {
    "04_batch_size_learning_rate": [
        ({"sweep_seeds": [0]}, "sweep_seeds necesita al menos 3"),
        ({"batch_sizes": [32, 0, 100000]}, "al menos 3"),
    ],
}


@pytest.mark.parametrize(
    "stem, parameters, message",
    [(stem, p, m) for stem, cases in REFUSED.items() for p, m in cases],
)
def test_valid_type_but_unusable_parameters_are_refused(stem, parameters, message, tmp_path):
    nb = ROOT / "notebooks" / f"{stem}.ipynb"
    with pytest.raises(pm.PapermillExecutionError) as info:
        run(nb, tmp_path / nb.name, parameters)
    assert info.value.ename == "ValueError"
    assert message in info.value.evalue
    assert "check_parameters" in info.value.source, "debe fallar en la celda que los comprueba"


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
        "epochs": 1,
        "n_runs": 2,
        "equal_updates": 10,
        "learning_rate": 0.3,
        "lr_grid": [0.5, 1.0],
        "n_jobs": 1,
        "path_updates": 8,
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
