"""Notebook 04: las curvas del experimento del blog (tasas que decaen) y su diagnóstico.

Lee las curvas de :mod:`batchlab.experiments.schedules`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import numpy as np

from .alt_text import describe
from .style import METHOD_COLORS, legend

if TYPE_CHECKING:
    pass


__all__ = [
    "DIAGNOSIS",
    "blog_curves",
]


#: Diagnóstico de una curva (clave de :func:`batchlab.schedules.classify_curve`) → español.
DIAGNOSIS = {
    "diverges": "diverge",
    "spikes": "tiene picos",
    "oscillates": "oscila",
    "crawls": "se arrastra",
    "converges": "converge",
}


def blog_curves(curves: dict, diagnoses: dict, modes: dict) -> plt.Figure:
    """Curvas de validación del experimento del blog: una fila por modo de decaimiento,
    una columna por B, una línea por tasa (mediana de las semillas), con el diagnóstico."""
    keys = sorted({(B, lr) for (_, B, lr) in curves})
    Bs = sorted({B for B, _ in keys}, reverse=True)
    lrs = sorted({lr for _, lr in keys}, reverse=True)
    fig, axes = plt.subplots(
        len(modes), len(Bs), figsize=(4 * len(Bs), 3.2 * len(modes)), squeeze=False, sharey=True
    )
    for i, (mode, mode_label) in enumerate(modes.items()):
        for j, B in enumerate(Bs):
            ax = axes[i, j]
            for lr, color in zip(lrs, METHOD_COLORS, strict=False):
                c = curves.get((mode, B, lr))
                if c is None:
                    continue
                finite = np.where(np.isfinite(c), c, np.nan)
                ax.plot(
                    range(len(c)),
                    finite,
                    "o-",
                    ms=3,
                    color=color,
                    label=f"lr={lr:g}: {DIAGNOSIS[diagnoses[(mode, B, lr)]]}",
                )
            ax.set_yscale("log")
            ax.set_title(f"{mode_label}, B={B}", fontsize=9)
            ax.set_xlabel("época")
            legend(ax)
        axes[i, 0].set_ylabel("MSE de validación")
    fig.tight_layout()
    return describe(
        fig,
        "Curvas de validación del experimento del blog por tamaño de batch y modo de "
        "decaimiento de la tasa, una línea por tasa con su diagnóstico en la leyenda.",
    )
