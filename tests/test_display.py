"""Texto alternativo: cada figura que muestra IPython sale como <img> con alt."""

import logging

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import nbformat  # noqa: E402
import pytest  # noqa: E402
from IPython.core.interactiveshell import InteractiveShell  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from nbconvert import HTMLExporter  # noqa: E402

from batchlab.plots import alt_text as dsp


@pytest.fixture
def fig():
    f, ax = plt.subplots(figsize=(3, 2), dpi=50)
    ax.plot([0, 1], [1, 0])
    ax.set_title("Pérdida")
    yield f
    plt.close(f)


@pytest.fixture
def shell():
    sh = InteractiveShell.instance()
    formatters = sh.display_formatter.formatters
    saved = {m: dict(formatters[m].type_printers) for m in ("image/png", "text/html")}
    yield sh
    for m, printers in saved.items():
        formatters[m].type_printers.clear()
        formatters[m].type_printers.update(printers)


def test_describe_and_fallback(fig):
    assert dsp.alt_text(fig) == "Figura: Pérdida"  # reserva: los títulos
    assert dsp.describe(fig, "  La pérdida baja\n de 1 a 0. ") is fig
    assert dsp.alt_text(fig) == "La pérdida baja de 1 a 0."
    with pytest.raises(ValueError, match="vacío"):
        dsp.describe(fig, " ")
    with pytest.raises(TypeError):
        dsp.describe("no es figura", "x")
    empty = Figure()
    assert dsp.alt_text(empty) == "Figura sin título ni descripción"


def test_img_tag_escapes_alt():
    tag = dsp.img_tag(b"\x89PNG", 'a "b" <c> & d')
    assert tag == (
        '<img src="data:image/png;base64,iVBORw==" alt="a &quot;b&quot; &lt;c&gt; &amp; d">'
    )
    with pytest.raises(ValueError):
        dsp.img_tag(b"x", "")


def test_figure_png_is_deterministic(fig):
    assert dsp.figure_png(fig) == dsp.figure_png(fig)
    assert dsp.figure_png(fig)[:4] == b"\x89PNG"


def test_outside_ipython_does_nothing():
    assert dsp.enable_alt_text() is False


def test_html_mode_gives_img_with_alt_and_no_bare_png(shell, fig):
    dsp.describe(fig, "Una recta que baja")
    assert dsp.enable_alt_text(shell) is True
    assert dsp.enable_alt_text(shell) is True  # idempotente
    data, md = shell.display_formatter.format(fig)
    assert "image/png" not in data
    assert data["text/html"].startswith('<img src="data:image/png;base64,iVBOR')
    assert data["text/html"].endswith('alt="Una recta que baja">')


def test_metadata_mode_puts_alt_in_png_metadata(shell, fig):
    dsp.describe(fig, "Una recta que baja")
    assert dsp.enable_alt_text(shell, mode="metadata")
    dsp.enable_alt_text(shell, mode="metadata")  # no se envuelve dos veces
    data, md = shell.display_formatter.format(fig)
    assert data["image/png"]
    assert md["image/png"] == {"alt": "Una recta que baja"}
    with pytest.raises(ValueError, match="mode"):
        dsp.enable_alt_text(shell, mode="svg")


def _nbconvert(outputs, caplog):
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_code_cell("plt.show()", execution_count=1, outputs=outputs))
    with caplog.at_level(logging.WARNING):
        body, _ = HTMLExporter().from_notebook_node(nb)
    return body


def test_nbconvert_sees_the_alt_text(shell, fig, caplog):
    """Con la salida HTML, nbconvert (plantilla lab) no avisa de imágenes sin alt."""
    dsp.describe(fig, "Una recta que baja")
    dsp.enable_alt_text(shell)
    data, md = shell.display_formatter.format(fig)
    out = nbformat.v4.new_output("display_data", data=data, metadata=md)
    body = _nbconvert([out], caplog)
    assert 'alt="Una recta que baja"' in body
    assert "Alternative text is missing" not in caplog.text


def test_nbconvert_warns_about_a_bare_png(fig, caplog):
    """Control: un image/png (aun con metadatos alt) sí provoca el aviso de nbconvert."""
    out = nbformat.v4.new_output(
        "display_data",
        data={"image/png": "iVBORw0KGgo=", "text/plain": "<Figure>"},
        metadata={"image/png": {"alt": "no lo lee la plantilla lab"}},
    )
    _nbconvert([out], caplog)
    assert "Alternative text is missing on 1 image(s)" in caplog.text


def test_real_kernel_stores_img_with_alt():
    """En un núcleo de verdad (backend inline, que se activa con la primera figura)."""
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(code)
        for code in (
            "import matplotlib.pyplot as plt\n"
            "from batchlab.plots.alt_text import describe, enable_alt_text\n"
            "_ = enable_alt_text()",
            "fig, ax = plt.subplots(figsize=(2, 1))\nax.plot([1, 2])\n"
            "describe(fig, 'Una recta que sube')\nplt.show()",
        )
    ]
    NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    assert nb.cells[0].outputs == []
    (out,) = nb.cells[1].outputs
    assert "image/png" not in out.data
    assert out.data["text/html"].startswith('<img src="data:image/png;base64,')
    assert out.data["text/html"].endswith('alt="Una recta que sube">')
