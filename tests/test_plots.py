"""Cada figura estática, dibujada con datos diminutos salidos de los propios experimentos.

Backend Agg (sin pantalla). Se comprueba lo que ve el estudiante: número de ejes,
etiquetas en español, líneas o parches dibujados y que un entrenamiento divergido no
rompe la figura.
"""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

import batchlab as bl  # noqa: E402
from batchlab import features, labels  # noqa: E402
from batchlab.experiments import baselines, cost, linear, multirun, sweeps  # noqa: E402
from batchlab.plots import alt_text, style  # noqa: E402
from batchlab.plots import cost as cost_plots  # noqa: E402
from batchlab.plots import data as data_plots  # noqa: E402
from batchlab.plots import methods as method_plots  # noqa: E402
from batchlab.plots import model as model_plots  # noqa: E402
from batchlab.plots import sweeps as sweep_plots  # noqa: E402

STATIC = [
    "activation_spread_plot",
    "budget_plot",
    "cosine_histograms",
    "divergence_vs_lr",
    "runs_curves",
    "time_plot",
    "correlation_heatmap",
    "cost_plot",
    "first_training_plot",
    "geographic_scatter",
    "histograms",
    "parameter_paths",
    "pipeline_runs_plot",
    "predictions_plot",
    "update_losses",
]


@pytest.fixture(autouse=True)
def _close_figures():
    style.setup_style()
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((60, 8))
    y = X[:, :1] * 0.5 + 0.1 * rng.standard_normal((60, 1))
    return X, y, bl.MLP(rng=0)


@pytest.fixture(scope="module")
def runs(data):
    X, y, model = data
    return {
        labels.method_id(B, len(X)): bl.train(
            model.copy(),
            X,
            y,
            batch_size=B,
            learning_rate=0.01,
            epochs=2,
            seed=0,
            X_val=X[:20],
            y_val=y[:20],
        )  # fmt: skip
        for B in (60, 1, 8)
    }


@pytest.fixture(scope="module")
def summary(data):
    X, y, model = data  # lr = 1e3 diverge: la figura debe marcarlo, no romperse
    grid = {1: [0.001, 0.01, 1e3], 8: [0.001, 0.01, 1e3], 60: [0.001, 0.01, 1e3]}
    table = sweeps.lr_sweep(model, X, y, X[:20], y[:20], grid, epochs=1, seeds=[0, 1])
    return sweeps.summarize_sweep(table)


def _texts(fig):
    """Todos los textos de la figura: títulos, ejes, leyendas y anotaciones."""
    return " ".join(t.get_text() for t in fig.findobj(matplotlib.text.Text))


def test_every_static_figure_function_is_tested():
    modules = (model_plots, cost_plots, data_plots, method_plots, sweep_plots)
    public = set().union(*(m.__all__ for m in modules))
    helpers = {"moving_average", "window_in_updates"}  # no son figuras: tienen sus tests
    assert public - helpers == set(STATIC)


def test_data_exploration_figures():
    df = bl.load_housing().sample(300, random_state=0)
    fig = data_plots.correlation_heatmap(df)
    assert "Correlación" in fig.axes[0].get_title() and len(fig.axes[0].texts) > 0
    fig = data_plots.histograms(df, bins=5)
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert len(visible) == df.shape[1] and all(ax.patches for ax in visible)
    assert visible[0].get_ylabel() == "filas"
    fig = data_plots.geographic_scatter(df, n_points=100, seed=0)
    assert fig.axes[0].get_xlabel() == "Longitud (grados)"
    assert len(fig.axes[0].collections[0].get_offsets()) == 100


def test_activation_spread_plot_labels_each_init_in_spanish(data):
    spread = baselines.activation_spread(data[0], depth=3, width=8, seed=0)
    fig = model_plots.activation_spread_plot(spread)
    ax = fig.axes[0]
    assert len(ax.lines) == 3 and ax.get_yscale() == "log"
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["He: N(0, 2/n)", "N(0, 1)", "pequeña: N(0, 0.01²)"]

    assert "en cada una de 3 capas" in alt_text.alt_text(fig)


def test_update_curves_use_method_labels(runs):
    fig = method_plots.update_losses(runs, window=0.2)
    assert len(fig.axes) == 2 and len(fig.axes[0].lines) == len(fig.axes[1].lines) == 3
    assert "SGD (B=1)" in _texts(fig) and "Media móvil" in _texts(fig)


def test_first_training_plot_log_axis_and_a_diverged_run_is_drawn_not_empty(data):
    import warnings

    X, y, model = data
    ok = bl.train(model.copy(), X, y, batch_size=8, learning_rate=0.01, epochs=3, seed=0,
                  X_val=X, y_val=y)  # fmt: skip
    fig = model_plots.first_training_plot(ok, "primer")
    ax = fig.axes[0]
    assert ax.get_yscale() == "log" and len(ax.lines) == 2
    assert ax.lines[1].get_xdata().size == 4  # la pérdida inicial y 3 épocas
    assert "3 épocas" in alt_text.alt_text(fig)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        bad = bl.train(model.copy(), X * 50, y, batch_size=8, learning_rate=5.0, epochs=3,
                       seed=0, X_val=X, y_val=y)  # fmt: skip
        assert bad.diverged
        fig = model_plots.first_training_plot(bad, "primer")
        fig.canvas.draw()
    ax = fig.axes[0]
    assert "divergió" in ax.get_title() and ax.lines[0].get_xdata().size > 0
    assert f"actualización {bad.n_updates}" in _texts(fig)


def test_pipeline_runs_plot_marks_diverged_runs():
    import warnings

    idx = pd.MultiIndex.from_product([["standard", "log"], [0, 1, 2]],
                                     names=["pipeline", "shuffle_seed"])  # fmt: skip
    mse = [0.3, np.inf, 0.9, 0.25, 0.27, 0.26]
    runs = pd.DataFrame({"test_mse": mse, "diverged": ~np.isfinite(mse)}, index=idx)
    fig = data_plots.pipeline_runs_plot(runs, features.PIPELINE_LABELS)
    ax = fig.axes[0]
    assert "divergen 1 de 3" in _texts(fig) and "divergen 0 de 3" in _texts(fig)
    ticks = [t.get_text().replace("\n", " ") for t in ax.get_xticklabels()]
    assert ticks == [features.PIPELINE_LABELS["standard"], features.PIPELINE_LABELS["log"]]
    with warnings.catch_warnings():  # todas divergidas: figura con sus ✕, sin avisos
        warnings.simplefilter("error")
        fig = data_plots.pipeline_runs_plot(runs.assign(test_mse=np.inf, diverged=True))
        fig.canvas.draw()
    assert "divergen 3 de 3" in _texts(fig)


def test_pipeline_runs_plot_keeps_a_log_axis_with_a_huge_finite_mse():
    """Un MSE finito enorme (una ejecución que se fue lejos sin llegar a «divergir») no debe dar
    un límite inferior negativo al eje logarítmico (pasó con seed 23 en el notebook 01)."""
    idx = pd.MultiIndex.from_product([["standard", "log"], [0, 1, 2]],
                                     names=["pipeline", "shuffle_seed"])  # fmt: skip
    mse = [0.3, 251.2, 18.3, 0.25, 0.27, 0.26]
    runs = pd.DataFrame({"test_mse": mse, "diverged": [False] * 6}, index=idx)
    ax = data_plots.pipeline_runs_plot(runs).axes[0]
    low, high = ax.get_ylim()
    assert ax.get_yscale() == "log" and 0 < low <= 0.25 / 2 and high > 251.2


def test_predictions_plot(data):
    X, y, model = data
    fig = model_plots.predictions_plot(y, y + 0.1)
    assert len(fig.axes) == 2 and fig.axes[1].get_title() == "Residuos (prueba)"


def test_cost_plot_has_three_panels(data):
    X, y, model = data
    timing = cost.time_per_update(model, X, y, [4, 60], seconds=0.01, repeats=1)
    memory = cost.memory_per_batch(model, X, y, [4, 60])
    fig = cost_plots.cost_plot(timing, memory)
    assert [ax.get_title() for ax in fig.axes] == [
        "Coste de una actualización",
        "Rendimiento",
        "Memoria de un paso",
    ]
    assert [t.get_text() for t in fig.axes[2].get_legend().get_texts()][
        -1
    ] == "pico medido (tracemalloc)"


def test_parameter_paths_draws_one_path_per_method():
    rng = np.random.default_rng(0)
    x = rng.standard_normal(40)
    y = 0.5 * x
    paths = linear.linear_paths(x, y, [40, 1], 0.1, 10, start=(-1.0, 1.0), seed=0)
    w, b = np.linspace(-2, 2, 20), np.linspace(-2, 2, 20)
    fig = method_plots.parameter_paths(
        linear.linear_loss_surface(x, y, w, b), w, b, paths, (0.5, 0.0), labels={"sgd": "SGD (B=1)"}
    )
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert legend[:2] == ["batch completo", "SGD (B=1)"]
    assert fig.axes[0].get_xlabel() == "w (pendiente)"


def test_notebook_03_many_run_figures_mark_divergence(data):
    """Figuras de muchas ejecuciones: cada una dibujada y las divergidas marcadas."""
    X, y, model = data
    inits, shuffles = multirun.run_seeds(4, 0)
    runs, _ = multirun.many_runs(
        X,
        y,
        {"sgd": 1, "mini_batch": 8},
        {"sgd": [0.01, 0.01, 50.0, 0.01], "mini_batch": 0.01},
        init_seeds=inits,
        shuffle_seeds=shuffles,
        epochs=2,
        X_val=X[:20],
        y_val=y[:20],
    )
    assert [h.diverged for h in runs["sgd"]] == [False, False, True, False]
    fig = method_plots.runs_curves(runs, "muchas")
    assert "1 de 4 divergen" in _texts(fig) and "0 de 4 divergen" in _texts(fig)
    assert any(ln.get_marker() == "x" for ln in fig.axes[0].lines)
    table = sweeps.lr_sweep(
        model,
        X,
        y,
        X[:20],
        y[:20],
        {1: [0.01, 1e3], 8: [0.01, 1e3]},
        epochs=1,
        seeds=[0, 1],
        init_seeds=[0, 1],
    )
    summary = sweeps.summarize_sweep(table)
    fig = sweep_plots.divergence_vs_lr(table, summary, sweeps.choose_lr(summary))
    assert len(fig.axes) == 2 and fig.axes[1].get_ylabel() == "P(divergencia)"
    c = np.array([[1.0, 0.5, 0.4], [1.0, 0.6, np.inf]])
    fig = method_plots.budget_plot({"sgd": c, "mini_batch": c}, 10, {"sgd": 1, "mini_batch": 8}, 20)
    assert len(fig.axes) == 2 and fig.axes[0].lines
    fig = method_plots.time_plot({"sgd": c}, 10, {"esta máquina": {"sgd": 20.0}})
    assert "segundos" in fig.axes[0].get_xlabel()
    fig = method_plots.cosine_histograms({1: np.array([-0.5, 0.2, 0.9]), 32: np.array([0.8, 0.9])})
    assert "33.3% negativos" in _texts(fig)


def test_the_course_style_shows_whole_table_cells():
    """Con el estilo del curso, una tabla no corta sus celdas largas con «…» (la regla de una
    conclusión, p. ej.), ni en HTML ni en texto."""
    import pandas as pd

    long = "se cumple si el IC 95 % de la mediana queda entero por debajo de 0.5 " * 2
    table = pd.DataFrame({"regla": [long]})
    with pd.option_context("display.max_colwidth", 50):  # el valor por defecto de pandas
        assert "..." in repr(table)
        style.setup_style()
        assert long.strip() in repr(table) and long.strip() in table._repr_html_()
