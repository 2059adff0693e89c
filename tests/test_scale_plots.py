"""Figuras de la escala del batch: dibujan datos reales y no fallan sin datos finitos."""

import math

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from batchlab.experiments import scaling
from batchlab.plots import generalization as gap_plots
from batchlab.plots import noise as noise_plots
from batchlab.plots import scaling as scale_plots
from batchlab.plots import sharpness as sharpness_plots
from batchlab.plots import targets as target_plots
from batchlab.plots.alt_text import alt_text  # noqa: E402


def _runs(diverge_all=False):
    rows = []
    for B in (8, 64, 512):
        for lr in (0.01, 0.1, 1.0):
            for s in range(3):
                div = diverge_all or lr == 1.0
                rows.append(
                    {
                        "B": B,
                        "lr": lr,
                        "seed": s,
                        "diverged": div,
                        "val_loss": math.inf if div else 0.3 + abs(math.log10(lr * B / 64)),
                    }
                )
    return pd.DataFrame(rows)


def test_heatmap_and_fit_plot_draw_with_data_and_without():
    for diverge_all in (False, True):
        runs = _runs(diverge_all)
        cells, opt = scaling.grid_cells(runs), scaling.optimal_rates(runs)
        fig = scale_plots.grid_heatmap(cells, opt, "t", {"2/λ": 0.05})
        assert "Mapa de calor" in alt_text(fig)
        texts = [t.get_text() for t in fig.axes[0].texts]
        assert any("3/3 div." in t for t in texts)
        fit = scaling.fit_optimal_rate(list(opt.index), list(opt["opt"]))
        band = _fit_band(runs)
        scale_plots.rate_fit_plot(opt, fit, band, {"2/λ": 0.05})
        plt.close("all")


def test_other_plots_accept_empty_tables():
    empty_steps = pd.DataFrame(columns=["lr", "steps", "samples", "reached", "runs"])
    nan2 = (math.nan, math.nan)
    target_plots.batch_scale_plot(empty_steps, nan2, np.empty((0, 2)), {"(a)": (math.nan,) * 3})
    sharpness_plots.sharpness_plot(pd.DataFrame(), 0.1)
    target_plots.optimizer_steps_plot({"sgd": empty_steps}, {"sgd": nan2})
    gap_plots.gap_plot(pd.DataFrame({"B": [8], "gap": [math.nan]}))
    exact = pd.DataFrame(
        {"B": [1, 4], "measured_variance": [4.0, 1.0], "predicted_variance": [4.0, 1.0]}
    )
    noise_plots.variance_plot(exact, pd.DataFrame(columns=["B", "draw", "sq_error"]))
    plt.close("all")


def test_final_sharpness_plot_skips_values_a_log_scale_cannot_draw():
    bad = pd.DataFrame({"B": [8, 128], "lambda_max": [-1.0, math.nan]})
    fig = sharpness_plots.final_sharpness_plot(bad)
    assert any("sin datos" in t.get_text() for t in fig.axes[0].texts)
    good = pd.DataFrame({"B": [8, 8, 128], "lambda_max": [10.0, 30.0, 5.0]})
    fig = sharpness_plots.final_sharpness_plot(good)
    median_line = fig.axes[0].lines[0]
    assert list(median_line.get_ydata()) == [20.0, 5.0]
    assert "λ_max" in alt_text(fig)
    plt.close("all")


def test_rate_lines_per_batch_size_land_in_their_column_at_the_log_height():
    runs = _runs()
    cells, opt = scaling.grid_cells(runs), scaling.optimal_rates(runs)
    per_b = {8: 0.1, 64: math.sqrt(0.1 * 0.01), 512: math.nan}  # 512: sin valor, sin trazo
    fig = scale_plots.grid_heatmap(cells, opt, "t", {"2/λ final": per_b})
    segs = [ln for ln in fig.axes[0].lines if len(ln.get_xdata()) == 2]
    assert len(segs) == 2
    # filas de mayor a menor tasa: 1.0 → 0, 0.1 → 1, 0.01 → 2; √(0.1·0.01) a media altura
    assert [float(np.mean(s.get_xdata())) for s in segs] == [0.0, 1.0]
    assert [s.get_ydata()[0] for s in segs] == [1.0, 1.5]
    fit = scaling.fit_optimal_rate(list(opt.index), list(opt["opt"]))
    band = _fit_band(runs)
    fig = scale_plots.rate_fit_plot(opt, fit, band, {"2/λ inicial": 0.05, "2/λ final": per_b})
    curve = [ln for ln in fig.axes[0].lines if ln.get_label() == "2/λ final"]
    assert len(curve) == 1 and list(curve[0].get_xdata()) == [8, 64]
    plt.close("all")


def _fit_band(runs):
    """Réplicas (ε_max, B_ruido) del ajuste, como las calcula el notebook 04."""
    reps = scaling.bootstrap_rates(runs, n_boot=5)
    return np.array([scaling.fit_optimal_rate(reps["B"], row) for row in reps["opt"]])
