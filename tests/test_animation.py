"""La animación sin JavaScript: GIF legible, determinista y fiel a la figura."""

import io
import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402

from batchlab.plots import animation as an


def _frames(x, y, settings, n_steps, seed=0):
    """Fotogramas como los de line_fit_frames, hechos aquí con descenso por batches."""
    rng = np.random.default_rng(seed)
    out = []
    for B, lr in settings:
        theta = np.zeros((n_steps + 1, 2))
        theta[0] = (-0.5, 1.0)
        batches = []
        for t in range(n_steps):
            idx = rng.choice(len(x), size=B, replace=False)
            w, b = theta[t]
            err = w * x[idx] + b - y[idx]
            theta[t + 1] = (w - lr * 2 * np.mean(err * x[idx]), b - lr * 2 * np.mean(err))
            batches.append(idx)
        loss = np.mean((theta[:, :1] * x + theta[:, 1:] - y) ** 2, axis=1)
        out.append({"B": B, "lr": lr, "theta": theta, "loss": loss, "batches": batches})
    return out


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(1)
    x = rng.standard_normal(80)
    y = 0.7 * x + 0.1 + 0.3 * rng.standard_normal(80)
    frames = _frames(x, y, [(4, 0.05), (40, 0.3)], n_steps=4)
    return x, y, frames, tuple(np.polyfit(x, y, 1))


@pytest.fixture(scope="module")
def gif(data):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nada de avisos que acaben guardados en el notebook
        return an.line_fit_gif(*data, fps=4, hold_s=1.5)


def _decoded(gif_bytes):
    im = Image.open(io.BytesIO(gif_bytes))
    out = []
    for i in range(im.n_frames):
        im.seek(i)
        out.append(np.asarray(im.convert("RGB"), dtype=float))
    return im, out


def test_gif_frames_size_and_timing(data, gif):
    x, y, frames, optimum = data
    im, decoded = _decoded(gif)
    assert gif[:6] == b"GIF89a"
    assert im.n_frames == len(frames[0]["theta"])  # un fotograma por paso, más el inicial
    # >= 100 ppp: la figura mide (2,4·columnas + 0,6) × 6 pulgadas.
    assert im.size == (round((2.4 * 2 + 0.6) * 100), 600)
    assert im.info["loop"] == 0
    im.seek(im.n_frames - 1)
    assert im.info["duration"] == 1500  # el último paso se mantiene
    assert not np.array_equal(decoded[0], decoded[-1])  # se mueve


def test_gif_is_deterministic(data, gif):
    assert an.line_fit_gif(*data, fps=4, hold_s=1.5) == gif


def test_every_decoded_frame_matches_the_figure(data, gif):
    """Los fotogramas con solo lo que cambia, ya compuestos, son la figura en cada paso."""
    _, decoded = _decoded(gif)
    palette = Image.new("P", (1, 1))
    # la paleta del GIF sin el índice transparente
    palette.putpalette(Image.open(io.BytesIO(gif)).getpalette()[: 3 * 64])
    fig, draw, n_steps = an.line_fit_figure(*data)
    try:
        for t in range(n_steps + 1):
            draw(t)
            fig.canvas.draw()
            rgb = Image.fromarray(np.asarray(fig.canvas.buffer_rgba())[..., :3].copy())
            want = rgb.quantize(palette=palette, dither=Image.Dither.NONE).convert("RGB")
            np.testing.assert_array_equal(decoded[t], np.asarray(want, dtype=float))
            # y la paleta apenas cambia los colores
            assert np.abs(decoded[t] - np.asarray(rgb, dtype=float)).mean() < 3.0
    finally:
        plt.close(fig)


def test_gif_is_smaller_than_what_pillowwriter_stores(gif):
    """PillowWriter de matplotlib guarda los fotogramas RGBA enteros (paleta por fotograma)."""
    _, decoded = _decoded(gif)
    frames = [Image.fromarray(f.astype(np.uint8)).convert("RGBA") for f in decoded]
    full = io.BytesIO()
    frames[0].save(
        full, format="GIF", save_all=True, append_images=frames[1:], duration=250, loop=0
    )
    assert len(gif) < 0.85 * len(full.getvalue())  # sin fotogramas delta, ≈ 1


def test_bad_frames_and_options_are_refused(data):
    x, y, frames, optimum = data
    with pytest.raises(ValueError, match="vacío"):
        an.line_fit_gif(x, y, [], optimum)
    short = dict(frames[1], theta=frames[1]["theta"][:-1])
    with pytest.raises(ValueError, match="mismo número de pasos"):
        an.line_fit_gif(x, y, [frames[0], short], optimum)
    with pytest.raises(ValueError, match="fps"):
        an.line_fit_gif(x, y, frames, optimum, fps=0)


def test_gif_output_is_an_img_with_alt(gif):
    out = an.gif_output(gif, "Cuatro rectas que se ajustan paso a paso")
    html = out._repr_html_()
    assert html.startswith('<img src="data:image/gif;base64,R0lGODlh')
    assert 'alt="Cuatro rectas que se ajustan paso a paso"' in html
    with pytest.raises(ValueError, match="alt"):
        an.gif_output(gif, "  ")
    with pytest.raises(ValueError, match="GIF"):
        an.gif_output(b"\x89PNG....", "algo")


def test_still_shows_the_trail_of_lines(data):
    x, y, frames, optimum = data
    fig = an.line_fit_still(x, y, frames, optimum)
    try:
        n_steps = len(frames[0]["theta"]) - 1
        top = fig.axes[0]
        # recta óptima + recta final + una recta por paso intermedio
        assert len(top.get_lines()) == 2 + n_steps
        assert fig.dpi >= 100
        assert "pasos" in fig._suptitle.get_text()
    finally:
        plt.close(fig)
