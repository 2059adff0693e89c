"""Texto alternativo de las figuras y de las imágenes que guardan los notebooks.

Mecanismo:

1. quien dibuja una figura le pone una descripción corta en español con
   ``describe(fig, "...")`` (las funciones de ``plots`` lo hacen antes de devolverla);
2. ``enable_alt_text()`` (lo llama ``plots.setup_style()``) cambia cómo muestra IPython
   las figuras de matplotlib: en vez de una salida ``image/png`` desnuda, una salida
   ``text/html`` con ``<img src="data:image/png;base64,…" alt="descripción">``. Funciona
   con ``plt.show()`` y con una figura al final de la celda;
3. una figura sin descripción recibe una de reserva hecha con sus títulos, para que
   ninguna imagen quede sin texto alternativo.

¿Por qué HTML y no los metadatos ``alt`` de la salida ``image/png``? Porque JupyterLab 4.6
y la plantilla por defecto de nbconvert (``lab``, la de nbviewer) ignoran esos metadatos:
la imagen sale sin ``alt`` y nbconvert avisa «Alternative text is missing». Un ``<img>``
con ``src`` ``data:`` pasa el saneado de JupyterLab en notebooks sin confianza (solo se
comprueban los esquemas de ``href`` y ``cite``) y no necesita JavaScript. El modo
``"metadata"`` queda para herramientas que sí leen esos metadatos. ``image_output``
hace lo mismo con bytes ya hechos (el PNG animado de ``batchlab.plots.animation``).
"""

from __future__ import annotations

import base64
import html
import io

from matplotlib.figure import Figure

__all__ = ["alt_text", "describe", "enable_alt_text", "figure_png", "image_output", "img_tag"]

#: Atributo de la figura donde se guarda su descripción.
_ALT_ATTR = "_batchlab_alt"
#: Marca de los formateadores de este módulo (para no registrarlos dos veces).
_MARK = "_batchlab_alt"


def describe(fig: Figure, text: str) -> Figure:
    """Pone a `fig` el texto alternativo `text` (una o dos frases) y devuelve la figura."""
    if not isinstance(fig, Figure):
        raise TypeError(f"describe espera una figura de matplotlib, no {type(fig).__name__}")
    if not isinstance(text, str) or not text.strip():
        raise ValueError("el texto alternativo no puede estar vacío: describe la figura")
    setattr(fig, _ALT_ATTR, " ".join(text.split()))
    return fig


def alt_text(fig: Figure) -> str:
    """Texto alternativo de `fig`: su descripción o, si no tiene, uno hecho con sus títulos."""
    text = getattr(fig, _ALT_ATTR, None)
    if text:
        return text
    titles = []
    suptitle = getattr(fig, "_suptitle", None)
    if suptitle is not None and suptitle.get_text():
        titles.append(suptitle.get_text())
    titles += [ax.get_title() for ax in fig.axes if ax.get_title()]
    if not titles:
        return "Figura sin título ni descripción"
    return "Figura: " + "; ".join(dict.fromkeys(titles))


def figure_png(fig: Figure) -> bytes:
    """PNG de `fig` como lo guarda el backend inline (recortado, a la resolución de la figura).

    Sin metadatos de versión: mismos datos ⇒ mismos bytes.
    """
    buf = io.BytesIO()
    fig.savefig(
        buf,
        format="png",
        dpi="figure",
        bbox_inches="tight",
        facecolor="white",
        metadata={"Software": None},
    )
    return buf.getvalue()


def img_tag(data: bytes, alt: str, mime: str = "image/png") -> str:
    """``<img>`` autocontenido (``src`` en base64) con su texto alternativo."""
    if not alt or not alt.strip():
        raise ValueError("alt: describe la imagen en una frase (texto alternativo)")
    b64 = base64.b64encode(data).decode("ascii")
    return (
        f'<img src="data:{mime};base64,{b64}" '
        f'alt="{html.escape(" ".join(alt.split()), quote=True)}">'
    )


class _HTMLImage:
    """Salida de celda que es solo un ``<img>`` con ``alt`` (y un texto plano corto)."""

    def __init__(self, data: bytes, alt: str, mime: str):
        self._html = img_tag(data, alt, mime)
        self._alt = " ".join(alt.split())

    def _repr_html_(self) -> str:
        return self._html

    def __repr__(self) -> str:
        return f"<Imagen: {self._alt}>"


def image_output(data: bytes, alt: str, mime: str = "image/png"):
    """Imagen ya hecha (bytes) lista para ``display``: se guarda como ``<img alt=...>``."""
    return _HTMLImage(data, alt, mime)


def _figure_html(fig: Figure) -> str:
    return img_tag(figure_png(fig), alt_text(fig))


def _png_with_alt(previous):
    """Formateador PNG que devuelve ``(png, {"alt": ...})`` a partir de `previous`."""

    def png_with_alt(fig):
        data = previous(fig)
        if data is None:
            return None
        if isinstance(data, tuple):  # ya traía metadatos: se conservan
            data, metadata = data
            return data, {**(metadata or {}), "alt": alt_text(fig)}
        return data, {"alt": alt_text(fig)}

    setattr(png_with_alt, _MARK, True)
    return png_with_alt


def _activate_inline_backend() -> None:
    """Activa ya el backend inline de matplotlib, si es el elegido.

    Al activarse (perezosamente, con la primera figura) vuelve a registrar sus
    formateadores y borra los demás; hay que hacerlo antes de registrar los nuestros.
    """
    import matplotlib

    if "matplotlib_inline" in str(matplotlib.get_backend(auto_select=False) or ""):
        import matplotlib_inline.backend_inline  # noqa: F401 - su importación lo activa


def enable_alt_text(shell=None, mode: str = "html") -> bool:
    """Hace que las figuras que muestra IPython lleven texto alternativo.

    ``mode="html"``: cada figura se guarda como ``text/html`` con ``<img alt=...>`` (y sin
    ``image/png`` duplicado). ``mode="metadata"``: se guarda ``image/png`` con
    ``{"alt": ...}`` en sus metadatos. Fuera de IPython (scripts, tests) no hace nada y
    devuelve ``False``. Se puede llamar varias veces.
    """
    if mode not in ("html", "metadata"):
        raise ValueError(f"mode debe ser 'html' o 'metadata', no {mode!r}")
    if shell is None:
        try:
            from IPython import get_ipython
        except ImportError:  # pragma: no cover - IPython viene con ipykernel
            return False
        shell = get_ipython()
    if shell is None:
        return False
    _activate_inline_backend()
    formatters = shell.display_formatter.formatters
    png, html_f = formatters["image/png"], formatters["text/html"]
    if mode == "html":
        png.pop(Figure, None)
        _figure_html.__dict__[_MARK] = True
        html_f.for_type(Figure, _figure_html)
        return True
    html_f.pop(Figure, None)
    try:
        previous = png.lookup_by_type(Figure)
    except KeyError:

        def previous(fig):
            return figure_png(fig)

    if not getattr(previous, _MARK, False):
        png.for_type(Figure, _png_with_alt(previous))
    return True
