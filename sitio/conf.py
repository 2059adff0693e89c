"""Configuración de Sphinx para la web estática del curso (``make sitio``).

Se construye con los notebooks tal como están guardados (sin re-ejecutarlos) y sin red:
las fórmulas se convierten a MathML al construir (``_ext/mathml.py``), así que las páginas
no cargan MathJax ni ningún otro script de internet.
"""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "_ext"))

project = "batchlab: el tamaño del batch"
author = "batchlab"
copyright = "batchlab, licencia MIT"
language = "es"

extensions = ["myst_nb", "mathml"]
# Los notebooks se copian junto a esta carpeta al construir (ver el Makefile).
source_suffix = {".md": "myst-nb", ".ipynb": "myst-nb"}
exclude_patterns = ["_build", "_ext", "**.ipynb_checkpoints"]

# Nunca se ejecuta nada: el sitio muestra las salidas guardadas.
nb_execution_mode = "off"
# Primero el HTML (las figuras son <img alt=...>), luego las imágenes, luego el texto.
nb_mime_priority_overrides = [
    ("html", "text/html", 10),
    ("html", "image/gif", 20),
    ("html", "image/png", 30),
]
myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 3
suppress_warnings = ["mystnb.unknown_mime_type", "myst.header"]

html_math_renderer = "mathml"
html_theme = "sphinx_book_theme"
html_title = "batchlab"
html_theme_options = {
    "show_toc_level": 2,
    "use_download_button": True,
    "home_page_in_toc": True,
}
html_show_sourcelink = False
html_copy_source = False
