"""Figuras que comparten los notebooks (matplotlib + seaborn, textos en español).

Cada función dibuja y devuelve la figura; el notebook decide cuándo mostrarla.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.ticker import MaxNLocator

from .data import TARGET, TARGET_CAP
from .experiments import moving_average, window_in_updates
from .training import History

__all__ = [
    "activation_spread_plot",
    "band_plot",
    "best_lr_plot",
    "cost_plot",
    "curves_grid",
    "generalization_plot",
    "lr_batch_heatmap",
    "steps_plot",
    "variance_plot",
    "correlation_heatmap",
    "geographic_scatter",
    "histograms",
    "learning_curves",
    "loss_vs_time",
    "lr_sweep_plot",
    "parameter_paths",
    "predictions_plot",
    "setup_style",
    "update_losses",
]

#: Un color fijo por método, el mismo en todas las figuras del curso.
METHOD_COLORS = ("#30638e", "#d1495b", "#edae49", "#00798c", "#66a182", "#8d96a3")

#: Resolución de las figuras guardadas en los notebooks: nítidas y ligeras.
FIGURE_DPI = 90


def setup_style() -> None:
    """Estilo común del curso: fondo claro, rejilla suave, PNG a resolución moderada."""
    sns.set_theme(style="whitegrid", context="notebook")
    plt.rcParams.update({"figure.dpi": FIGURE_DPI, "savefig.dpi": FIGURE_DPI,
                         "axes.titleweight": "bold"})


def _finish(fig: plt.Figure, ax: plt.Axes, *, xlabel: str, ylabel: str, title: str,
            logx: bool = False, logy: bool = False, legend_size: float | None = 9,
            ) -> plt.Figure:
    """Escalas, etiquetas, título y leyenda de una figura de un solo eje; la devuelve."""
    if logx:
        ax.set_xscale("log")
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    if legend_size:
        ax.legend(fontsize=legend_size)
    fig.tight_layout()
    return fig


def correlation_heatmap(df: pd.DataFrame) -> plt.Figure:
    """Matriz de correlación de Pearson, anotada, con el triángulo superior oculto."""
    corr = df.corr()
    mask = np.triu(np.ones_like(corr, dtype=bool), k=1)
    fig, ax = plt.subplots(figsize=(8.5, 7))
    sns.heatmap(corr, mask=mask, annot=True, fmt=".2f", cmap="RdBu_r", center=0,
                vmin=-1, vmax=1, square=True, linewidths=0.5, cbar_kws={"shrink": 0.8}, ax=ax)
    ax.set_title("Correlación de Pearson entre variables")
    fig.tight_layout()
    return fig


def histograms(df: pd.DataFrame, bins: int = 50, log_skew: float = 3.0) -> plt.Figure:
    """Histograma de cada columna; el objetivo en otro color.

    Las columnas con asimetría mayor que `log_skew` usan eje vertical logarítmico:
    con eje lineal su cola (cientos de filas repartidas hasta el máximo) no se ve.
    """
    cols = list(df.columns)
    n_cols = 3
    n_rows = -(-len(cols) // n_cols)
    fig, axes = plt.subplots(n_rows, n_cols, figsize=(13, 3.2 * n_rows))
    for ax, col in zip(axes.flat, cols, strict=False):
        color = "#d1495b" if col == TARGET else "#30638e"
        ax.hist(df[col], bins=bins, color=color, alpha=0.85, edgecolor="white", linewidth=0.3)
        heavy = abs(df[col].skew()) > log_skew
        if heavy:
            ax.set_yscale("log")
        ax.set_title(f"{col} (eje y log.)" if heavy else col)
        ax.set_ylabel("filas")
    for ax in axes.flat[len(cols):]:
        ax.set_visible(False)
    fig.suptitle("Distribución de cada variable", fontweight="bold")
    fig.tight_layout()
    return fig


def geographic_scatter(df: pd.DataFrame, n_points: int | None = None, seed: int = 0) -> plt.Figure:
    """Mapa de los grupos de manzanas: color = valor de la vivienda, tamaño = población.

    `n_points` dibuja una muestra aleatoria (reproducible con `seed`) para aligerar.
    """
    if n_points is not None and n_points < len(df):
        df = df.sample(n=n_points, random_state=seed)
    fig, ax = plt.subplots(figsize=(8, 7))
    sizes = df["Population"] / df["Population"].quantile(0.99) * 40
    points = ax.scatter(df["Longitude"], df["Latitude"], c=df[TARGET], s=sizes.clip(1, 60),
                        cmap="viridis", alpha=0.5, linewidths=0)
    fig.colorbar(points, ax=ax, label="MedHouseVal (cientos de miles de $)")
    ax.set_xlabel("Longitud (grados)")
    ax.set_ylabel("Latitud (grados)")
    ax.set_title("California: valor de la vivienda (color) y población (tamaño)")
    ax.set_aspect(1 / np.cos(np.deg2rad(df["Latitude"].mean())))  # grados ≈ km en ambos ejes
    fig.tight_layout()
    return fig


def activation_spread_plot(df: pd.DataFrame) -> plt.Figure:
    """Desviación de las activaciones por capa para cada inicialización (eje y log.)."""
    fig, ax = plt.subplots(figsize=(8, 4.5))
    for (name, grp), color in zip(df.groupby("inicialización", sort=False), METHOD_COLORS,
                                  strict=False):
        ax.plot(grp["capa"], grp["desviación"], "o-", color=color, label=name, ms=4)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    return _finish(fig, ax, xlabel="capa ReLU", ylabel="desviación típica de las activaciones",
                   title="Cómo se propaga la señal según la inicialización", logy=True)


def learning_curves(histories: dict[str, History], title: str, log: bool = False) -> plt.Figure:
    """Pérdida por época: entrenamiento (discontinua) y validación/prueba (continua)."""
    fig, ax = plt.subplots(figsize=(8.5, 4.5))
    for (name, h), color in zip(histories.items(), METHOD_COLORS, strict=False):
        epochs = np.arange(h.epochs_completed + 1)
        ax.plot(epochs, np.r_[h.initial_train_loss, h.train_loss], "--", color=color,
                label=f"{name}: entrenamiento")
        if h.val_loss is not None:
            ax.plot(epochs, np.r_[h.initial_val_loss, h.val_loss], "-", color=color,
                    label=f"{name}: prueba")
    return _finish(fig, ax, xlabel="época", ylabel="MSE (objetivo estandarizado)", title=title,
                   logy=log)


def predictions_plot(y_true: np.ndarray, y_pred: np.ndarray) -> plt.Figure:
    """Predicción frente a valor real y residuos, en cientos de miles de $."""
    y_true, y_pred = np.ravel(y_true), np.ravel(y_pred)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4.8))
    ax1.scatter(y_true, y_pred, s=4, alpha=0.3, color=METHOD_COLORS[0], linewidths=0)
    lims = [min(y_true.min(), y_pred.min()), max(y_true.max(), y_pred.max())]
    ax1.plot(lims, lims, color="black", lw=1, label="predicción perfecta")
    ax1.axvline(TARGET_CAP, color=METHOD_COLORS[1], ls=":", label="tope del censo (5,00001)")
    ax1.set_xlabel("valor real (cientos de miles de $)")
    ax1.set_ylabel("predicción (cientos de miles de $)")
    ax1.set_title("Predicción frente a valor real (prueba)")
    ax1.legend(fontsize=9)
    residuals = y_pred - y_true
    ax2.scatter(y_pred, residuals, s=4, alpha=0.3, color=METHOD_COLORS[0], linewidths=0)
    ax2.axhline(0, color="black", lw=1)
    ax2.set_xlabel("predicción (cientos de miles de $)")
    ax2.set_ylabel("residuo = predicción − real")
    ax2.set_title("Residuos (prueba)")
    fig.tight_layout()
    return fig


def update_losses(histories: dict[str, History], window: float = 0.02,
                  max_points: int = 4000) -> plt.Figure:
    """Pérdida de cada actualización sobre un eje común: épocas vistas (= muestras / N).

    Izquierda, los valores tal cual (a lo sumo `max_points` por método, tomados a
    intervalos regulares, sin repetir ni estirar nada); derecha, su media móvil sobre
    `window` de época.
    """
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(13, 4.6), sharey=True)
    for (name, h), color in zip(histories.items(), METHOD_COLORS, strict=False):
        x, loss = h.epochs_seen, h.update_loss
        step = max(1, len(loss) // max_points)
        marker = "o" if h.updates_per_epoch == 1 else None
        ax1.plot(x[::step], loss[::step], color=color, lw=0.6, alpha=0.6, marker=marker,
                 ms=4, label=name)
        idx, smooth = moving_average(loss, window_in_updates(h, window))
        xs = x[idx]
        step = max(1, len(smooth) // max_points)
        ax2.plot(xs[::step], smooth[::step], color=color, lw=1.8, marker=marker, ms=4,
                 label=name)
    for ax, title in ((ax1, "Pérdida de cada batch"),
                      (ax2, f"Media móvil ({window:.0%} de época)")):
        ax.set_yscale("log")
        ax.set_xlabel("épocas vistas (muestras procesadas / N)")
        ax.set_title(title)
    ax1.set_ylabel("MSE del batch")
    ax2.legend(fontsize=9)
    fig.tight_layout()
    return fig


def loss_vs_time(histories: dict[str, History], title: str) -> plt.Figure:
    """Pérdida de prueba en cada punto de control frente al tiempo de entrenamiento."""
    fig, ax = plt.subplots(figsize=(8.5, 4.5))
    for (name, h), color in zip(histories.items(), METHOD_COLORS, strict=False):
        ax.plot(h.checkpoint_time, h.checkpoint_loss, "-", color=color, label=name, lw=1.8)
    return _finish(fig, ax, xlabel="segundos de entrenamiento (sin contar evaluaciones)",
                   ylabel="MSE de prueba", title=title, logy=True)


def lr_sweep_plot(summary: pd.DataFrame, title: str) -> plt.Figure:
    """Pérdida de validación (mediana entre semillas) frente a la tasa, por método.

    Una ✕ marca las tasas en las que alguna semilla divergió (en el borde superior si
    divergieron todas).
    """
    fig, ax = plt.subplots(figsize=(8.5, 4.5))
    finite = summary.loc[np.isfinite(summary["mediana"]), "mediana"]
    top = finite.max() * 1.5 if len(finite) else 1.0
    for (name, grp), color in zip(summary.groupby("método", sort=False), METHOD_COLORS,
                                  strict=False):
        # NaN donde divergieron todas: la línea se corta en vez de saltar el hueco
        median = grp["mediana"].where(np.isfinite(grp["mediana"]))
        ax.plot(grp["lr"], median, "o-", color=color, label=name)
        bad = grp[grp["divergidas"] > 0]
        y = np.where(np.isfinite(bad["mediana"]), bad["mediana"], top)
        ax.plot(bad["lr"], y, "x", color=color, ms=11, mew=2.2)
    ax.plot([], [], "x", color="0.3", ms=9, mew=2, label="alguna semilla divergió")
    return _finish(fig, ax, xlabel="tasa de aprendizaje",
                   ylabel="MSE de validación final (mediana)", title=title, logx=True, logy=True)


def parameter_paths(surface: np.ndarray, w: np.ndarray, b: np.ndarray,
                    paths: dict[str, np.ndarray], optimum: tuple[float, float]) -> plt.Figure:
    """Curvas de nivel de la pérdida en (w, b) y la trayectoria de cada método."""
    fig, ax = plt.subplots(figsize=(7.5, 6))
    levels = np.quantile(surface, np.linspace(0.005, 0.9, 14))
    ax.contour(w, b, surface, levels=levels, colors="0.6", linewidths=0.8)
    for (name, path), color in zip(paths.items(), METHOD_COLORS, strict=False):
        ax.plot(path[:, 0], path[:, 1], "-", color=color, lw=1.4, alpha=0.9, label=name)
        ax.plot(path[-1, 0], path[-1, 1], "o", color=color, ms=6)
    ax.plot(*paths[next(iter(paths))][0], "ks", ms=7, label="inicio")
    ax.plot(*optimum, "k*", ms=14, label="mínimo (mínimos cuadrados)")
    return _finish(fig, ax, xlabel="w (pendiente)", ylabel="b (sesgo)",
                   title="Trayectorias en el espacio de parámetros")


# -- notebook 04 --------------------------------------------------------------------
def lr_batch_heatmap(summary: pd.DataFrame, title: str, value: str = "peor") -> plt.Figure:
    """Mapa de calor de la pérdida de validación: tasas (filas) × tamaños de batch.

    Las celdas en las que alguna semilla divergió salen en gris con una ✕; la mejor
    tasa de cada tamaño de batch, recuadrada.
    """
    table = summary.pivot(index="lr", columns="B", values=value).sort_index(ascending=False)
    diverged = summary.pivot(index="lr", columns="B", values="divergidas").loc[table.index] > 0
    shown = table.where(~diverged & np.isfinite(table))
    fig, ax = plt.subplots(figsize=(9, 6))
    vmin, vmax = np.nanmin(shown.to_numpy()), np.nanquantile(shown.to_numpy(), 0.9)
    sns.heatmap(shown, ax=ax, cmap="viridis_r", annot=True, fmt=".3f", annot_kws={"size": 8},
                norm=plt.matplotlib.colors.LogNorm(vmin=vmin, vmax=max(vmax, vmin * 1.01)),
                cbar_kws={"label": "MSE de validación (peor semilla)"}, linewidths=0.5,
                linecolor="white")
    ax.set_facecolor("#d9d9d9")
    for i, j in zip(*np.nonzero(diverged.to_numpy()), strict=True):
        ax.text(j + 0.5, i + 0.5, "✕", ha="center", va="center", color="#b2182b", fontsize=13)
    for j, B in enumerate(shown.columns):
        col = shown[B]
        if col.notna().any():
            i = list(shown.index).index(col.idxmin())
            ax.add_patch(plt.Rectangle((j, i), 1, 1, fill=False, ec="white", lw=2.5))
    ax.set_xlabel("tamaño del batch B")
    ax.set_ylabel("tasa de aprendizaje")
    ax.set_yticklabels([f"{v:g}" for v in shown.index], rotation=0)
    ax.set_title(title)
    fig.tight_layout()
    return fig


def best_lr_plot(best: dict[str, pd.DataFrame], fits: dict[str, dict]) -> plt.Figure:
    """Mejor tasa (refinada) frente a B en log-log, con las rectas ajustadas por tramos.

    `fits[nombre]` = {"tramos": [(B_min, B_max, pendiente, ordenada), ...]}.
    """
    fig, ax = plt.subplots(figsize=(8.5, 4.8))
    for (name, table), color in zip(best.items(), METHOD_COLORS, strict=False):
        ax.plot(table.index, table["lr refinada"], "o", color=color, ms=7, label=name)
        for b0, b1, slope, intercept in fits[name]["tramos"]:
            Bs = np.geomspace(b0, b1, 20)
            ax.plot(Bs, np.exp(intercept) * Bs**slope, "-", color=color, lw=1.5,
                    label=f"{name}: pendiente {slope:.2f} (B de {b0} a {b1})")
    first = next(iter(best.values()))
    B0, lr0 = first.index[0], first["lr refinada"].iloc[0]
    Bs = np.geomspace(first.index[0], first.index[-1], 20)
    ax.plot(Bs, lr0 * Bs / B0, ":", color="0.4", label="escalado lineal (pendiente 1)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_ylim(top=max(t["lr refinada"].max() for t in best.values()) * 10)
    return _finish(fig, ax, xlabel="tamaño del batch B", ylabel="mejor tasa de aprendizaje",
                   title="Mejor tasa de aprendizaje frente al tamaño del batch", legend_size=8)


def curves_grid(histories: dict[tuple[int, float], History], labels: dict) -> plt.Figure:
    """Curvas de validación de una rejilla (B, lr) en pequeños múltiplos, con su diagnóstico."""
    Bs = sorted({B for B, _ in histories}, reverse=True)
    lrs = sorted({lr for _, lr in histories}, reverse=True)
    fig, axes = plt.subplots(len(Bs), len(lrs), figsize=(3.6 * len(lrs), 2.6 * len(Bs)),
                             sharex=True, squeeze=False)
    for i, B in enumerate(Bs):
        for j, lr in enumerate(lrs):
            ax, h = axes[i, j], histories[(B, lr)]
            if h.val_loss is not None and len(h.val_loss):
                ax.plot(np.arange(1, len(h.val_loss) + 1), h.val_loss, "o-", ms=3,
                        color=METHOD_COLORS[0])
            else:
                ax.text(0.5, 0.5, "divergió", transform=ax.transAxes, ha="center",
                        color=METHOD_COLORS[1], fontsize=12)
            ax.set_title(f"B={B}, lr={lr:g}: {labels[(B, lr)]}", fontsize=9)
            if j == 0:
                ax.set_ylabel("MSE validación")
            if i == len(Bs) - 1:
                ax.set_xlabel("época")
    fig.suptitle("El experimento del blog (decaimiento 1e-3)", fontweight="bold")
    fig.tight_layout()
    return fig


def variance_plot(table: pd.DataFrame, slope: float) -> plt.Figure:
    """Varianza del gradiente de mini-batch frente a B (log-log): medida y predicha."""
    fig, ax = plt.subplots(figsize=(7.5, 4.6))
    ax.plot(table["B"], table["varianza medida"], "o", ms=8, color=METHOD_COLORS[0],
            label=f"medida (pendiente {slope:.3f})")
    ax.plot(table["B"], table["predicción tr(Σ)/B"], "-", color=METHOD_COLORS[1],
            label="tr(Σ)/B · (N−B)/(N−1)")
    return _finish(fig, ax, xlabel="tamaño del batch B", ylabel="E‖g_B − G‖²",
                   title="El ruido del gradiente cae como 1/B", logx=True, logy=True)


def steps_plot(table: pd.DataFrame, fit: dict[str, float], b_simple: Sequence[float],
               target: float) -> plt.Figure:
    """Actualizaciones hasta el objetivo frente a B, con escalado perfecto y el ajuste."""
    ok = table[table["alcanza"].astype(bool)]
    fig, ax = plt.subplots(figsize=(8.5, 4.8))
    ax.plot(ok.index, ok["actualizaciones"], "o", ms=8, color=METHOD_COLORS[0],
            label="medido")
    Bs = np.geomspace(table.index.min(), table.index.max(), 50)
    if len(ok):
        ax.plot(Bs, ok["actualizaciones"].iloc[0] * ok.index[0] / Bs, ":", color="0.4",
                label="escalado perfecto (∝ 1/B)")
    if np.isfinite(fit["S_min"]):
        ax.plot(Bs, fit["S_min"] * (1 + fit["B_ruido"] / Bs), "-", color=METHOD_COLORS[1],
                label=f"S_min·(1 + B_ruido/B), B_ruido ≈ {fit['B_ruido']:.0f}")
        ax.axvline(fit["B_ruido"], color=METHOD_COLORS[1], ls="--", lw=1)
    ax.axvspan(min(b_simple), max(b_simple), color=METHOD_COLORS[2], alpha=0.25,
               label="B_simple medido durante el entrenamiento")
    missing = table[~table["alcanza"].astype(bool)]
    for B in missing.index:
        ax.annotate("no llega", (B, ax.get_ylim()[1]), ha="center", va="top", fontsize=8)
    return _finish(fig, ax, xlabel="tamaño del batch B (cada uno con su mejor tasa)",
                   ylabel=f"actualizaciones hasta MSE val ≤ {target:g}",
                   title="Pasos hasta el objetivo: escalado perfecto y rendimientos decrecientes",
                   logx=True, logy=True, legend_size=8)


def cost_plot(timing: pd.DataFrame, memory: pd.DataFrame) -> plt.Figure:
    """Tiempo por actualización, rendimiento y memoria frente a B."""
    fig, axes = plt.subplots(1, 3, figsize=(14, 4.2))
    axes[0].plot(timing["B"], timing["µs / actualización"], "o-", color=METHOD_COLORS[0])
    axes[0].set_ylabel("µs por actualización")
    axes[0].set_title("Coste de una actualización")
    axes[1].plot(timing["B"], timing["muestras / s"], "o-", color=METHOD_COLORS[3])
    axes[1].set_ylabel("muestras por segundo")
    axes[1].set_title("Rendimiento")
    for col, style in (("forward (calculado)", "s--"),
                       ("forward + pico de backward (calculado)", "o-"),
                       ("pico medido (tracemalloc)", "x")):
        axes[2].plot(memory["B"], memory[col] / 2**20, style, label=col, ms=8)
    axes[2].set_ylabel("MiB")
    axes[2].set_title("Memoria de un paso")
    axes[2].legend(fontsize=8)
    for ax in axes:
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("tamaño del batch B")
    fig.tight_layout()
    return fig


def generalization_plot(table: pd.DataFrame) -> plt.Figure:
    """Pérdida final de entrenamiento y de prueba por B (media ± desviación entre semillas)."""
    fig, ax = plt.subplots(figsize=(8, 4.5))
    for col, color in (("entrenamiento", METHOD_COLORS[0]), ("prueba", METHOD_COLORS[1])):
        ax.errorbar(table.index, table[(col, "mean")], yerr=table[(col, "std")], fmt="o-",
                    color=color, capsize=4, label=col)
    return _finish(fig, ax, xlabel="tamaño del batch B (cada uno con su mejor tasa)",
                   ylabel="MSE al final",
                   title="Entrenamiento frente a prueba según el tamaño del batch", logx=True)


def band_plot(bands: dict[str, pd.DataFrame]) -> plt.Figure:
    """Ancho (en décadas) de la banda de tasas buenas frente a B, por optimizador."""
    fig, ax = plt.subplots(figsize=(8, 4.2))
    for (name, table), color in zip(bands.items(), METHOD_COLORS, strict=False):
        ax.plot(table["B"], table["ancho (décadas)"], "o-", color=color, label=name)
    return _finish(fig, ax, xlabel="tamaño del batch B",
                   ylabel="ancho de la banda de tasas buenas (décadas)",
                   title="¿Cuánto margen hay al elegir la tasa?", logx=True)

