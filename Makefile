# batchlab — órdenes del curso. En un clon nuevo bastan dos: `make run` y `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# `make run NB=03` ejecuta solo los notebooks cuyo nombre empieza por 03.
NB ?=
NOTEBOOKS := $(sort $(wildcard notebooks/$(NB)*.ipynb))
SANITIZE := tests/nbval_sanitize.cfg
LINTED := src tests notebooks benchmarks claims profesor sitio
STRIP_KEYS := metadata.papermill cell.metadata.papermill cell.metadata.execution \
	metadata.widgets metadata.language_info.version

# Los mismos hilos de BLAS al generar (run) y al validar (test): mismos últimos bits.
export OMP_NUM_THREADS := 1
export OPENBLAS_NUM_THREADS := 1
export MKL_NUM_THREADS := 1
export VECLIB_MAXIMUM_THREADS := 1
export NUMEXPR_NUM_THREADS := 1
# Jupyter busca kernels primero en .venv (nada global) y el depurador no avisa por stderr.
export JUPYTER_PREFER_ENV_PATH := 1
export PYDEVD_DISABLE_FILE_VALIDATION := 1
# Sin barras de progreso en las salidas guardadas (tqdm >= 4.66 lee TQDM_DISABLE) ni al
# validarlas con nbval (abajo, en test); los tests del paquete sí prueban la barra.
run test-navegador: export TQDM_DISABLE := 1

.PHONY: help install install-profesor data lab run test test-fast lint format bench claims \
	clean sitio test-navegador alumnos calificar

help: ## Muestra esta ayuda
	@echo "batchlab — órdenes disponibles (make <orden>):"
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'
	@echo "En un clon nuevo: make run (re-ejecuta el curso) y make test (lo valida)."

install: $(STAMP) ## Crea .venv e instala requirements.txt (sin tocar nada global)

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 \
		--display-name "Python 3 (ipykernel)" >/dev/null
	$(BIN)/python -c "import matplotlib.pyplot"  # construye la caché de fuentes una vez
	$(BIN)/python -m batchlab motor  # compila el motor de Numba una vez (cache=True)
	touch $@

data: install ## Rellena data/ con el dataset (réplica sin conexión o descarga)
	$(BIN)/python -m batchlab data

# `make lab LAB_ARGS="--port 9999 --no-browser"` pasa opciones a JupyterLab; como root
# (contenedores) añade --allow-root, que Jupyter exige en ese caso.
LAB_ARGS ?=
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root)
lab: install data ## Abre JupyterLab en notebooks/ (opciones: LAB_ARGS="--port 9999")
	$(BIN)/jupyter lab notebooks/ $(ROOT_FLAG) $(LAB_ARGS)

# Profesorado: nbgrader y sus dependencias (requirements-profesor.txt), fuera del entorno
# de los estudiantes. El curso de nbgrader se crea en build/nbgrader (nunca se versiona).
PROFESOR_STAMP := $(VENV)/.profesor
ENTREGAS ?=
install-profesor: $(PROFESOR_STAMP) ## Añade nbgrader a .venv (requirements-profesor.txt)

$(PROFESOR_STAMP): $(STAMP) requirements-profesor.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-profesor.txt
	touch $@

alumnos: install-profesor ## Versión evaluable para estudiantes (nbgrader) en build/alumnos/
	$(BIN)/python profesor/calificar.py alumnos

calificar: install-profesor data ## Califica ENTREGAS=carpeta: build/calificacion/notas.csv y feedback
	@test -n "$(ENTREGAS)" || { echo "Uso: make calificar ENTREGAS=carpeta"; exit 2; }
	$(BIN)/python profesor/calificar.py calificar "$(ENTREGAS)"

run: install data ## Re-ejecuta los notebooks en orden (NB=03 para uno) y guarda sus salidas
	@set -e; for nb in $(NOTEBOOKS); do \
	  tmp=$$(mktemp --suffix=.ipynb); start=$$(date +%s); \
	  echo "== $$nb"; \
	  if $(BIN)/papermill "$$nb" "$$tmp" --cwd notebooks -k python3 --no-progress-bar \
	       --log-level WARNING; then \
	    $(BIN)/nbstripout --keep-output --keep-count --extra-keys "$(STRIP_KEYS)" "$$tmp"; \
	    chmod 644 "$$tmp"; mv "$$tmp" "$$nb"; echo "   listo en $$(( $$(date +%s) - start )) s"; \
	  else \
	    rm -f "$$tmp"; echo "!! $$nb falló: se conserva la versión guardada"; exit 1; \
	  fi; \
	done

test: install install-profesor data ## ruff + tests del paquete + notebooks con parámetros pequeños + nbval
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)
	$(BIN)/python -m pytest tests
	TQDM_DISABLE=1 $(BIN)/python -m pytest --nbval $(NOTEBOOKS) --nbval-current-env \
		--nbval-sanitize-with $(SANITIZE) -p no:cacheprovider
	@if [ "$$CI" = "true" ]; then echo "La prueba en navegador la lanza .ci/run (CI=true)."; \
	else echo "Prueba en navegador (Chromium de Debian) no incluida: make test-navegador"; fi

claims: install data ## Re-ejecuta las conclusiones con 5 divisiones (informe en claims/README.md)
	$(BIN)/python claims/run_claims.py --seeds 42 1 7 11 23 --jobs $$(nproc)

# JAX, el par de comparación del motor, va en .venv-bench (requirements-bench.txt), nunca en .venv.
BENCH_VENV := .venv-bench
BENCH_STAMP := $(BENCH_VENV)/.installed
$(BENCH_STAMP): requirements.txt requirements-bench.txt pyproject.toml
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --quiet --disable-pip-version-check \
		-r requirements.txt -r requirements-bench.txt
	touch $@

bench: install data $(BENCH_STAMP) ## Benchmarks: bucle, train_many y batchlab frente a JAX (benchmarks/README.md)
	$(BIN)/python benchmarks/bench_training.py --readme README.md
	$(BIN)/python benchmarks/bench_lockstep.py
	$(BENCH_VENV)/bin/python benchmarks/bench_peers.py

test-fast: install data ## Solo los tests del paquete (sin notebooks): menos de un minuto
	$(BIN)/python -m pytest tests -q --ignore=tests/test_notebooks.py --ignore=tests/test_calificar.py \
		-p no:cacheprovider

lint: install ## ruff check y ruff format --check sobre src, tests, notebooks y benchmarks
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)

format: install ## Aplica ruff format (y ordena los imports) en src, tests, notebooks y benchmarks
	$(BIN)/ruff check --select I --fix $(LINTED)
	$(BIN)/ruff format $(LINTED)

# Documentación y prueba en navegador: su propio entorno (.venv-docs), fuera del del curso.
DOCS_VENV := .venv-docs
DOCS_STAMP := $(DOCS_VENV)/.installed
SITE := build/sitio
# Carpeta de los notebooks que publica el sitio (y que abre la prueba en navegador).
SITIO_NB ?= notebooks

$(DOCS_STAMP): requirements-docs.txt
	$(PYTHON) -m venv $(DOCS_VENV)
	$(DOCS_VENV)/bin/python -m pip install --quiet --disable-pip-version-check \
		-r requirements-docs.txt
	touch $@

sitio: $(DOCS_STAMP) ## Web estática del curso en build/sitio (notebooks guardados, sin red)
	rm -rf $(SITE) $(SITE)-fuente
	mkdir -p $(SITE)-fuente/notebooks
	cp -r sitio/. $(SITE)-fuente/
	cp $(SITIO_NB)/*.ipynb notebooks/*.md $(SITE)-fuente/notebooks/
	$(DOCS_VENV)/bin/python -m sphinx -b html -W --keep-going -q -d $(SITE)-fuente/.doctrees \
		$(SITE)-fuente $(SITE)
	@echo "Sitio listo: $(SITE)/index.html"

test-navegador: install data $(DOCS_STAMP) sitio ## JupyterLab y el sitio en Chromium (headless)
	BATCHLAB_NOTEBOOKS=$(SITIO_NB) $(DOCS_VENV)/bin/python -m pytest tests/browser/navegador.py \
		--confcutdir=tests/browser -p no:cacheprovider -v

clean: ## Borra .venv y cachés (no toca data/ ni los notebooks)
	rm -rf $(VENV) $(DOCS_VENV) $(BENCH_VENV) .pytest_cache .ruff_cache build src/*.egg-info
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
