"""Prueba en un navegador real: JupyterLab y el sitio estático en Chromium (headless).

Se lanza con ``make test-navegador`` (y en CI desde ``.ci/run``); ``make test`` no la
ejecuta (el nombre del archivo no empieza por ``test_``). Necesita el Chromium y el
chromedriver de Debian (``apt-get install chromium chromium-driver``) y el entorno
``.venv-docs`` (selenium, pytest). JupyterLab sale del ``.venv`` del curso.

- JupyterLab (127.0.0.1, sin token) sobre una copia temporal de los notebooks, con un
  directorio de datos de Jupyter nuevo: los notebooks NO son de confianza, como en un
  clon recién hecho. Cada notebook abre sin diálogo de error y muestra todas sus
  imágenes guardadas; la animación del 04 tiene imagen y cambia con el tiempo (se guardan
  dos capturas en ``build/capturas``); «Run All» en el 06 muestra
  un «⏳» por ejercicio del registro.
- El sitio (``build/sitio``, servido en 127.0.0.1): cada página carga con sus figuras y
  sus fórmulas, sin pedir nada fuera del propio sitio.

Variables: ``BATCHLAB_NOTEBOOKS`` (carpeta de notebooks a abrir; por defecto
``notebooks/``), ``CHROMIUM`` y ``CHROMEDRIVER`` (binarios).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = Path(os.environ.get("BATCHLAB_NOTEBOOKS", REPO / "notebooks")).resolve()
SITE = REPO / "build" / "sitio"
SHOTS = REPO / "build" / "capturas"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")
NB_NAMES = sorted(p.name for p in NOTEBOOKS.glob("*.ipynb"))
ANIMATION_NB = "04_batch_size_learning_rate.ipynb"
EXERCISES_NB = "06_ejercicios.ipynb"


# -- utilidades --------------------------------------------------------------------
def stored_images(path: Path) -> int:
    """Imágenes que un lector ve en las salidas guardadas de un notebook."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    count = 0
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if "text/html" in data:  # JupyterLab y Sphinx prefieren el HTML
                count += "".join(data["text/html"]).count("<img")
            elif any(k in data for k in ("image/png", "image/jpeg", "image/gif")):
                count += 1
    return count


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_http(url: str, seconds: float, proc: subprocess.Popen) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise RuntimeError(f"el servidor terminó antes de responder ({url})")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"{url} no respondió en {seconds} s")


def _start(cmd: list[str], url: str, env=None, cwd=None, seconds=90) -> subprocess.Popen:
    log = tempfile.NamedTemporaryFile(prefix="servidor-", suffix=".log", delete=False)
    proc = subprocess.Popen(
        cmd, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    proc.log_path = Path(log.name)
    log.close()
    try:
        _wait_http(url, seconds, proc)
    except RuntimeError:
        print(proc.log_path.read_text(errors="replace")[-3000:], file=sys.stderr)
        _stop(proc)
        raise
    return proc


def _stop(proc: subprocess.Popen) -> None:
    """Para el servidor que arrancó esta prueba (y sus hijos: núcleos de Jupyter)."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    proc.log_path.unlink(missing_ok=True)


def _images_ready(driver, selector: str) -> list[dict]:
    """Estado de cada <img> de `selector`, tras traerla a la vista (carga perezosa)."""
    return driver.execute_script(
        """
        const imgs = [...document.querySelectorAll(arguments[0])];
        for (const img of imgs) { img.scrollIntoView({block: 'center'}); }
        return imgs.map(img => ({src: (img.getAttribute('src') || '').slice(0, 30),
                                 alt: img.getAttribute('alt'), ok: img.complete,
                                 w: img.naturalWidth, shown: img.getBoundingClientRect().width}));
        """,
        selector,
    )


def _wait(driver, predicate, seconds=60, what="condición"):
    return WebDriverWait(driver, seconds, poll_frequency=0.25).until(
        lambda d: predicate(d), message=f"no se cumplió: {what}"
    )


# -- fixtures ----------------------------------------------------------------------
@pytest.fixture(scope="session")
def driver():
    if not Path(CHROMIUM).exists() or not Path(CHROMEDRIVER).exists():
        pytest.fail(f"falta {CHROMIUM} o {CHROMEDRIVER}: apt-get install chromium chromium-driver")
    profile = tempfile.mkdtemp(prefix="chromium-")
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={profile}",
        "--window-size=1400,1000",
        "--lang=es",
    ):
        opts.add_argument(flag)
    drv = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=opts)
    drv.set_page_load_timeout(60)
    yield drv
    drv.quit()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="session")
def lab():
    """JupyterLab del .venv sobre una copia de los notebooks, sin token y sin confianza."""
    jupyter = REPO / ".venv" / "bin" / "jupyter"
    if not jupyter.exists():
        pytest.fail("falta .venv: make install")
    root = Path(tempfile.mkdtemp(prefix="lab-"))
    work = root / "notebooks"
    work.mkdir()
    for name in NB_NAMES:
        shutil.copy(NOTEBOOKS / name, work / name)
    env = dict(os.environ)
    for var, sub in (
        ("JUPYTER_DATA_DIR", "datos"),
        ("JUPYTER_CONFIG_DIR", "config"),
        ("JUPYTER_RUNTIME_DIR", "runtime"),
        ("JUPYTERLAB_SETTINGS_DIR", "settings"),
        ("JUPYTERLAB_WORKSPACES_DIR", "workspaces"),
    ):
        env[var] = str(root / sub)  # sin firmas de confianza ni ajustes previos
    env["JUPYTER_PREFER_ENV_PATH"] = "1"
    port = _free_port()
    cmd = [
        str(jupyter),
        "lab",
        "--no-browser",
        "--ip=127.0.0.1",
        f"--port={port}",
        "--IdentityProvider.token=",
        "--ServerApp.password=",
        "--ServerApp.disable_check_xsrf=True",
        f"--ServerApp.root_dir={work}",
    ]
    if os.geteuid() == 0:
        cmd.append("--allow-root")
    base = f"http://127.0.0.1:{port}"
    proc = _start(cmd, f"{base}/api/status", env=env)
    yield base, work
    _stop(proc)
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def site():
    if not (SITE / "index.html").exists():
        pytest.fail("falta build/sitio: make sitio")
    port = _free_port()
    proc = _start(
        [
            sys.executable,
            "-m",
            "http.server",
            str(port),
            "--bind",
            "127.0.0.1",
            "--directory",
            str(SITE),
        ],
        f"http://127.0.0.1:{port}/index.html",
    )
    yield f"http://127.0.0.1:{port}"
    _stop(proc)


# -- JupyterLab ---------------------------------------------------------------------
def _close_sessions(base: str) -> None:
    """Cierra los núcleos abiertos por páginas anteriores (API REST del servidor)."""
    with urllib.request.urlopen(f"{base}/api/sessions", timeout=10) as r:
        sessions = json.load(r)
    for sess in sessions:
        req = urllib.request.Request(f"{base}/api/sessions/{sess['id']}", method="DELETE")
        urllib.request.urlopen(req, timeout=30).close()


_OPENED = iter(range(10**6))


def _open_notebook(driver, base: str, name: str) -> None:
    """Abre `name` solo, en un espacio de trabajo nuevo (sin pestañas restauradas)."""
    _close_sessions(base)
    driver.get(f"{base}/lab/workspaces/prueba{next(_OPENED)}/tree/{name}?reset")
    _wait(
        driver,
        lambda d: (
            d.execute_script(
                "return document.querySelectorAll('.jp-NotebookPanel .jp-Cell').length"
            )
            > 0
        ),
        what=f"{name} abierto",
    )
    _wait(
        driver,
        lambda d: (
            d.execute_script("return document.querySelectorAll('.jp-NotebookPanel').length") == 1
        ),
        10,
        what="una sola pestaña de notebook",
    )
    _wait(
        driver,
        lambda d: (
            "Idle"
            in d.execute_script(
                "const s = document.querySelector('#jp-main-statusbar');return s ? s.innerText : ''"
            )
        ),
        90,
        what=f"núcleo de {name} listo",
    )


def _error_dialogs(driver) -> list[str]:
    return driver.execute_script(
        "return [...document.querySelectorAll('.jp-Dialog')].map(d => d.innerText)"
    )


@pytest.mark.parametrize("name", NB_NAMES)
def test_lab_notebook_opens_with_all_images(driver, lab, name):
    base, _ = lab
    _open_notebook(driver, base, name)
    want = stored_images(NOTEBOOKS / name)
    selector = ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output img"
    _wait(
        driver, lambda d: len(_images_ready(d, selector)) >= want, 60, f"{want} imágenes en {name}"
    )
    time.sleep(1)
    images = _images_ready(driver, selector)
    assert len(images) == want, images
    _wait(
        driver,
        lambda d: all(i["ok"] and i["w"] > 0 for i in _images_ready(d, selector)),
        30,
        f"imágenes de {name} decodificadas",
    )
    for img in _images_ready(driver, selector):
        assert img["shown"] > 0 and img["alt"], img
    assert not _error_dialogs(driver), _error_dialogs(driver)
    # Sin confianza: JupyterLab no ejecuta ningún script de las salidas guardadas.
    assert (
        driver.execute_script(
            "return document.querySelectorAll('.jp-OutputArea-output script').length"
        )
        == 0
    )


def test_lab_animation_has_a_source_and_moves(driver, lab):
    base, _ = lab
    if ANIMATION_NB not in NB_NAMES:
        pytest.fail(f"falta {ANIMATION_NB} en {NOTEBOOKS}")
    _open_notebook(driver, base, ANIMATION_NB)
    selector = ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output img"
    _wait(
        driver,
        lambda d: any(i["src"].startswith("data:image/gif") for i in _images_ready(d, selector)),
        60,
        "la animación (un <img> con src data:image/gif)",
    )
    gif = driver.find_elements(By.CSS_SELECTOR, selector + '[src^="data:image/gif"]')
    assert len(gif) == 1
    img = gif[0]
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", img)
    _wait(
        driver,
        lambda d: d.execute_script(
            "return arguments[0].complete && arguments[0].naturalWidth > 0", img
        ),
        30,
        "GIF decodificado",
    )
    assert img.get_attribute("alt")
    SHOTS.mkdir(parents=True, exist_ok=True)
    shots = []
    for moment in ("a", "b"):
        time.sleep(1.6)  # más de un paso (250 ms) y menos que el bucle entero
        png = img.screenshot_as_png
        (SHOTS / f"animacion_04_{moment}.png").write_bytes(png)
        shots.append(png)
    if shots[0] == shots[1]:  # ¿coincidió con el final del bucle? Un intento más
        time.sleep(0.9)
        shots[1] = img.screenshot_as_png
        (SHOTS / "animacion_04_b.png").write_bytes(shots[1])
    assert shots[0] != shots[1], "la animación no cambia con el tiempo"


def _menu_command(driver, menu: str, commands: tuple[str, ...]) -> None:
    """Abre el menú `menu` de la barra y pulsa la entrada de una de `commands`."""
    driver.find_element(
        By.XPATH, f"//div[contains(@class,'lm-MenuBar-itemLabel') and text()='{menu}']"
    ).click()
    selector = ", ".join(f".lm-Menu-item[data-command='{c}']" for c in commands)
    item = _wait(
        driver, lambda d: d.find_element(By.CSS_SELECTOR, selector), 10, f"{menu} → {commands}"
    )
    item.click()


def _exercise_cells() -> int:
    """Celdas del 06 que llaman a ``comprobar(``: una por ejercicio."""
    nb = json.loads((REPO / "notebooks" / EXERCISES_NB).read_text(encoding="utf-8"))
    return sum(
        "comprobar(" in "".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"
    )


def test_lab_run_all_exercises_shows_one_pending_per_exercise(driver, lab):
    base, _ = lab
    n = _exercise_cells()
    _open_notebook(driver, base, EXERCISES_NB)
    outputs = ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output"
    count = (
        "return [...document.querySelectorAll(arguments[0])]"
        ".map(o => (o.textContent.match(/⏳/g) || []).length).reduce((a, b) => a + b, 0)"
    )
    _menu_command(driver, "Edit", ("editmenu:clear-all", "notebook:clear-all-cell-outputs"))
    _wait(driver, lambda d: d.execute_script(count, outputs) == 0, 20, "salidas borradas")
    _menu_command(driver, "Run", ("runmenu:run-all", "notebook:run-all-cells"))
    try:
        _wait(driver, lambda d: d.execute_script(count, outputs) >= n, 120, "un ⏳ por ejercicio")
    except WebDriverException:
        SHOTS.mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(SHOTS / "fallo_06.png"))
        raise AssertionError(
            f"⏳ tras Run All: {driver.execute_script(count, outputs)}; "
            f"diálogos: {_error_dialogs(driver)}"
        ) from None
    # ...y el notebook entero terminó: ninguna celda queda pendiente ni con error.
    _wait(
        driver,
        lambda d: d.execute_script(
            "return document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) "
            ".jp-InputArea-prompt').length > 0 && ![...document.querySelectorAll("
            "'.jp-NotebookPanel:not(.lm-mod-hidden) .jp-InputArea-prompt')]"
            ".some(p => p.innerText.includes('*'))"
        ),
        240,
        "Run All terminado",
    )
    assert driver.execute_script(count, outputs) == n
    assert (
        driver.execute_script(
            "return document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) "
            '[data-mime-type="application/vnd.jupyter.stderr"]\').length'
        )
        == 0
    )
    assert not _error_dialogs(driver)


# -- sitio estático -----------------------------------------------------------------
SITE_PAGES = ["index.html"] + [f"notebooks/{Path(n).stem}.html" for n in NB_NAMES]


@pytest.mark.parametrize("page", SITE_PAGES)
def test_site_page_loads_with_figures_and_math(driver, site, page):
    driver.get(f"{site}/{page}")
    assert driver.execute_script("return document.documentElement.lang") == "es"
    assert driver.title
    nb = NOTEBOOKS / f"{Path(page).stem}.ipynb"
    want = stored_images(nb) if nb.exists() else 0
    images = _images_ready(driver, "article .cell_output img")
    assert len(images) == want, images
    _wait(
        driver,
        lambda d: all(i["ok"] and i["w"] > 0 for i in _images_ready(d, "article .cell_output img")),
        30,
        f"imágenes de {page}",
    )
    for img in images:
        assert img["alt"], img
    if nb.exists():
        source = nb.read_text(encoding="utf-8")
        if "$" in source:  # fórmulas: MathML dibujado por el navegador
            assert driver.execute_script("return document.querySelectorAll('math').length") > 0
        # navegación entre notebooks
        assert driver.find_elements(By.CSS_SELECTOR, "nav.bd-links a, .bd-sidebar a")
    # Todo sale del propio sitio: nada de internet.
    hosts = driver.execute_script(
        "return performance.getEntriesByType('resource').map(r => new URL(r.name).host)"
    )
    assert set(hosts) <= {site.removeprefix("http://")}, set(hosts)
