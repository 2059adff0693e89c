"""La animación de una recta ajustada batch a batch, como imagen que no necesita JavaScript.

Los fotogramas (lo que calcula ``line_fit_frames``: para cada ajuste (B, lr), los
parámetros, la pérdida y el batch de cada paso) llegan ya calculados: este módulo solo
dibuja. Salidas:

- ``line_fit_gif``: un GIF animado (bytes) que se ve igual en JupyterLab sin confianza,
  en GitHub, en nbviewer/nbconvert y en el sitio estático; mismos datos ⇒ mismos bytes;
- ``gif_output``: ese GIF como salida de celda (imagen con texto alternativo);
- ``line_fit_still``: una figura fija para imprimir, con la estela de rectas de todos
  los pasos.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
from PIL import Image

from .alt_text import describe, image_output

__all__ = [
    "ANIMATION_RC",
    "gif_output",
    "line_fit_figure",
    "line_fit_gif",
    "line_fit_still",
]

#: Letra de la animación: a 100 ppp, 9 pt son unos 12 px, legibles en pantalla.
ANIMATION_RC = {
    "font.size": 9,
    "axes.titlesize": 10,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "axes.labelsize": 9,
    "legend.fontsize": 8,
    "axes.titleweight": "bold",
}

#: Los colores del curso (los mismos que ``plots.METHOD_COLORS``: recta, batch, b, w).
_LINE, _BATCH, _B_COLOR, _W_COLOR = "#30638e", "#d1495b", "#edae49", "#00798c"

#: Resolución de la animación: al menos 100 ppp para que se lean los ejes.
ANIMATION_DPI = 100


def _check_frames(frames: Sequence[dict]) -> int:
    """Comprueba que todos los ajustes tienen los mismos pasos y devuelve cuántos son."""
    if not frames:
        raise ValueError("frames está vacío: hace falta al menos un ajuste (B, lr)")
    n_steps = len(frames[0]["theta"]) - 1
    for f in frames:
        if len(f["theta"]) - 1 != n_steps or len(f["loss"]) != n_steps + 1:
            raise ValueError("todos los ajustes deben tener el mismo número de pasos")
        if len(f["batches"]) != n_steps:
            raise ValueError("hace falta un batch por paso (len(batches) == pasos)")
    if n_steps < 1:
        raise ValueError("hace falta al menos una actualización para animar")
    return n_steps


def _line_fit_axes(axes, x, y, frames, optimum):
    """Dibuja la parte fija de cada columna y devuelve los artistas que se animan."""
    xs = np.array([x.min(), x.max()])
    n_steps = len(frames[0]["theta"]) - 1
    artists = []
    for j, f in enumerate(frames):
        top, mid, low = axes[:, j]
        top.scatter(x, y, s=6, color="0.75", linewidths=0)
        batch = top.scatter([], [], s=16, color=_BATCH, zorder=3)
        top.plot(xs, optimum[0] * xs + optimum[1], "--", color="0.3", lw=1)
        (line,) = top.plot([], [], "-", color=_LINE, lw=2)
        top.set_title(f"B={f['B']}, lr={f['lr']:g}")
        mid.plot(np.arange(n_steps + 1), f["loss"], color="0.85")
        (loss,) = mid.plot([], [], color=_LINE)
        mid.set_yscale("log")
        low.axhline(optimum[0], color=_W_COLOR, ls="--", lw=1)
        low.axhline(optimum[1], color=_B_COLOR, ls="--", lw=1)
        (w_line,) = low.plot([], [], color=_W_COLOR, label="w")
        (b_line,) = low.plot([], [], color=_B_COLOR, label="b")
        low.set_ylim(min(f["theta"].min(), *optimum) - 0.1, max(f["theta"].max(), *optimum) + 0.1)
        for ax in (mid, low):
            ax.set_xlim(0, n_steps)
        low.set_xlabel("batches vistos")
        if j == 0:
            top.set_ylabel("precio (estand.)")
            mid.set_ylabel("MSE (todos)")
            low.set_ylabel("parámetro")
            low.legend(loc="lower right")
        artists.append((f, batch, line, loss, w_line, b_line))
    return artists


def line_fit_figure(
    x: np.ndarray,
    y: np.ndarray,
    frames: Sequence[dict],
    optimum: tuple[float, float],
    dpi: int = ANIMATION_DPI,
):
    """Figura de la animación y la función que la pone en el paso ``t``.

    Una columna por ajuste (B, lr). Fila 1: los puntos, el batch del paso resaltado, la
    recta actual y la de mínimos cuadrados (discontinua); fila 2: la pérdida con todos
    los puntos; fila 3: w y b frente a sus valores óptimos. Devuelve
    ``(figura, draw, pasos)``; la figura queda en el último paso.
    """
    n_steps = _check_frames(frames)
    x, y = np.ravel(x), np.ravel(y)
    xs = np.array([x.min(), x.max()])
    with plt.rc_context(ANIMATION_RC):
        fig, axes = plt.subplots(
            3,
            len(frames),
            figsize=(2.4 * len(frames) + 0.6, 6.0),
            dpi=dpi,
            gridspec_kw={"height_ratios": [1.4, 1, 1]},
            squeeze=False,
        )
        artists = _line_fit_axes(axes, x, y, frames, optimum)
        fig.tight_layout()

    def draw(t: int) -> None:
        for f, batch, line, loss, w_line, b_line in artists:
            w, b = f["theta"][t]
            line.set_data(xs, w * xs + b)
            idx = f["batches"][min(t, n_steps - 1)]
            batch.set_offsets(np.c_[x[idx], y[idx]])
            steps = np.arange(t + 1)
            loss.set_data(steps, f["loss"][: t + 1])
            w_line.set_data(steps, f["theta"][: t + 1, 0])
            b_line.set_data(steps, f["theta"][: t + 1, 1])

    draw(n_steps)
    describe(
        fig,
        "Ajuste de una recta con distintos tamaños de batch y tasas, una columna por ajuste: "
        "los puntos con el batch del paso, la recta actual y la óptima; la pérdida; y w y b "
        "frente a sus valores óptimos.",
    )
    return fig, draw, n_steps


def _frame_rgb(fig) -> Image.Image:
    """El fotograma actual de la figura como imagen RGB de Pillow."""
    fig.canvas.draw()
    return Image.fromarray(np.asarray(fig.canvas.buffer_rgba())[..., :3].copy())


def line_fit_gif(
    x: np.ndarray,
    y: np.ndarray,
    frames: Sequence[dict],
    optimum: tuple[float, float],
    *,
    fps: float = 4,
    hold_s: float = 2.0,
    dpi: int = ANIMATION_DPI,
    colors: int = 64,
) -> bytes:
    """GIF animado (bytes) de ``line_fit_figure``: un fotograma por paso, en bucle.

    Todos los fotogramas comparten una paleta de `colors` colores sin tramado, y cada
    fotograma solo guarda los píxeles que cambian (el resto es transparente y deja ver el
    anterior): así pesa poco, y mismos datos ⇒ mismos bytes. El último paso se mantiene
    `hold_s` segundos antes de volver a empezar.
    """
    if fps <= 0 or hold_s < 0 or not 2 <= colors <= 255:
        raise ValueError("hace falta fps > 0, hold_s >= 0 y 2 <= colors <= 255")
    fig, draw, n_steps = line_fit_figure(x, y, frames, optimum, dpi=dpi)
    try:
        images = []
        for t in range(n_steps + 1):
            draw(t)
            images.append(_frame_rgb(fig))
    finally:
        plt.close(fig)
    indexed, palette = _common_palette(images, colors)
    step_ms = round(1000 / fps)
    durations = [step_ms] * n_steps + [max(step_ms, round(1000 * hold_s))]
    gif = _delta_frames(indexed, palette, transparent=colors)
    out = io.BytesIO()
    gif[0].save(
        out,
        format="GIF",
        save_all=True,
        append_images=gif[1:],
        duration=durations,
        loop=0,
        disposal=1,
        transparency=colors,
        optimize=False,
    )
    return out.getvalue()


def _common_palette(images: list[Image.Image], colors: int):
    """Índices de cada fotograma en una paleta común (tomada del primero y del último)."""
    first, last = images[0], images[-1]
    both = Image.new("RGB", (first.width, 2 * first.height))
    both.paste(first, (0, 0))
    both.paste(last, (0, first.height))
    reference = both.quantize(
        colors=colors, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE
    )
    indexed = [
        np.asarray(im.quantize(palette=reference, dither=Image.Dither.NONE)) for im in images
    ]
    palette = reference.getpalette()[: 3 * colors]
    palette += [0, 0, 0] * (colors - len(palette) // 3)
    return indexed, palette


def _delta_frames(indexed: list[np.ndarray], palette: list[int], transparent: int):
    """Fotogramas ``P``: el primero entero; los demás, solo lo que cambia (resto transparente)."""
    out, previous = [], None
    for current in indexed:
        data = current.astype(np.uint8)
        if previous is not None:
            data = np.where(current == previous, transparent, current).astype(np.uint8)
        image = Image.fromarray(data, mode="P")
        image.putpalette(palette + [255, 255, 255])  # el índice transparente
        out.append(image)
        previous = current
    return out


def gif_output(data: bytes, alt: str):
    """El GIF como salida de celda: ``display(gif_output(gif, alt))``.

    Se guarda como ``<img src="data:image/gif;base64,…" alt="…">`` (ver
    ``batchlab.plots.alt_text``): se mueve sin JavaScript y sin confiar en el notebook, en
    JupyterLab, GitHub, nbconvert/nbviewer y el sitio estático.
    """
    if not data.startswith((b"GIF87a", b"GIF89a")):
        raise ValueError("data no es un GIF (usa line_fit_gif)")
    return image_output(data, alt, mime="image/gif")


def line_fit_still(x, y, frames: Sequence[dict], optimum, dpi: int = ANIMATION_DPI) -> plt.Figure:
    """Versión fija (para imprimir): el último paso y la estela de rectas de todos los pasos.

    Los argumentos son los de :func:`line_fit_figure`.

    En la fila de arriba, cada recta intermedia se dibuja más clara cuanto más antigua,
    así que se ve el camino entero sin animación.
    """
    fig, _draw, n_steps = line_fit_figure(x, y, frames, optimum, dpi=dpi)
    x = np.ravel(x)
    xs = np.array([x.min(), x.max()])
    for ax, f in zip(fig.axes[: len(frames)], frames, strict=True):
        for t in range(n_steps):
            w, b = f["theta"][t]
            ax.plot(xs, w * xs + b, "-", color=_LINE, lw=1, alpha=0.1 + 0.5 * t / n_steps, zorder=1)
    fig.suptitle(
        f"Rectas de los {n_steps} pasos (más oscura: más reciente)",
        fontsize=ANIMATION_RC["axes.titlesize"],
    )
    fig.tight_layout()
    return fig
