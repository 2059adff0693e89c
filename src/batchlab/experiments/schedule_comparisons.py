"""Notebook 04, secciones 8–9: programas de tasa y de batch comparados con muchas ejecuciones.

* **Smith et al.**: subir B por fases frente a bajar la tasa (:func:`smith_programs`,
  :func:`run_programs`, :func:`program_table`, :func:`paired_delta`, :func:`updates_note`);
* el **experimento del blog** con decaimiento por actualización o por época
  (:func:`blog_runs`, :func:`diagnose`, :func:`blog_table`, :func:`winners_report`) y su
  consejo barajado a barajado (:func:`rule_count`).

Claves de máquina: ``programa``, ``seed``, ``val``, ``updates``, ``samples``; ``modo``, ``B``,
``lr``, ``curva``, ``diverged``, ``final``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from . import schedules


def smith_programs(validos: pd.DataFrame, n: int, epochs: int) -> tuple:
    """``(B₀, η₀, programas)``: tres fases (50/30/20 % de `epochs`) desde el B válido más
    cercano a 32; ``programas`` es None si no hay B válido o 25·B₀ > `n`.
    """
    b_s = min(validos.index, key=lambda b: abs(b - 32)) if len(validos) else None
    if b_s is None or b_s * 25 > n:
        return b_s, None, None
    lr_s = float(validos.loc[b_s, "opt"])
    fases = [max(1, round(epochs * f)) for f in (0.5, 0.3, 0.2)]
    programas = {
        "constante": [(fases[0], b_s, lr_s), (fases[1], b_s, lr_s), (fases[2], b_s, lr_s)],
        "bajar la tasa": [
            (fases[0], b_s, lr_s),
            (fases[1], b_s, lr_s / 5),
            (fases[2], b_s, lr_s / 25),
        ],
        "subir B": [(fases[0], b_s, lr_s), (fases[1], 5 * b_s, lr_s), (fases[2], 25 * b_s, lr_s)],
    }
    return b_s, lr_s, programas


def run_programs(model, X_fit, y_fit, X_val, y_val, programas: Mapping, seeds: Sequence[int]):
    """Una fila por programa y barajado: MSE de validación final, actualizaciones y muestras."""
    filas_s = []
    for nombre, fs in programas.items():
        for s in seeds:
            r = schedules.phase_run(model.copy(), X_fit, y_fit, X_val, y_val, fs, seed=s)
            filas_s.append(
                {
                    "programa": nombre,
                    "seed": s,
                    "val": r["curve"][-1],
                    "updates": r["updates"],
                    "samples": r["samples"],
                }
            )
    return pd.DataFrame(filas_s)


def program_table(smith: pd.DataFrame) -> pd.DataFrame:
    """Mediana, mínimo y máximo del MSE de validación y el coste de cada programa."""
    return (
        smith.groupby("programa", sort=False)
        .agg(
            mediana=("val", "median"),
            mínimo=("val", "min"),
            máximo=("val", "max"),
            actualizaciones=("updates", "median"),
            muestras=("samples", "median"),
        )
        .round(4)
    )


def paired_delta(smith: pd.DataFrame) -> np.ndarray:
    """MSE(subir B) − MSE(bajar la tasa), emparejado por barajado."""
    a = smith[smith.programa == "subir B"].set_index("seed")["val"]
    b = smith[smith.programa == "bajar la tasa"].set_index("seed")["val"]
    return (a - b).to_numpy()


def updates_note(smith: pd.DataFrame, b_s: int, lr_s: float) -> str:
    """B₀, η₀ y el cociente de actualizaciones entre subir B y bajar la tasa."""
    upd = smith.groupby("programa")["updates"].median()
    return (
        f"B₀ = {b_s}, η₀ = {lr_s:g}. Actualizaciones: subir B / bajar la tasa = "
        f"{upd['subir B'] / upd['bajar la tasa']:.2f}."
    )


def _median_curve(res: Sequence[dict]) -> np.ndarray:
    largo = max(len(r["curve"]) for r in res)
    pad = np.array([np.r_[r["curve"], [np.inf] * (largo - len(r["curve"]))] for r in res])
    return np.median(pad, axis=0)


def blog_runs(
    data: tuple, batch_sizes: Sequence[int], rates: Sequence[float], modes: Sequence[str], **kw
) -> tuple:
    """Entrena cada modo × B × lr con cada barajado; ``(tabla de ejecuciones, curvas)``.

    `data` es ``(modelo, X_ajuste, y_ajuste, X_val, y_val)``; `kw` da ``epochs``, ``seeds`` y
    ``per_epoch_decay`` (el modo ``"blog"`` decae 1e-3 por actualización, ``"epoca"`` por
    época). ``curvas[(modo, B, lr)]`` es la curva mediana (∞ tras divergir).
    """
    model, X_fit, y_fit, X_val, y_val = data
    seeds, d_epoca = kw["seeds"], kw["per_epoch_decay"]
    curvas, blog_filas = {}, []
    for modo in modes:
        for B, lr in [(B, lr) for B in batch_sizes for lr in rates]:
            res = [
                schedules.epoch_schedule_run(
                    model.copy(),
                    X_fit,
                    y_fit,
                    X_val,
                    y_val,
                    batch_size=min(B, len(X_fit)),
                    learning_rate=lr,
                    epochs=kw["epochs"],
                    seed=s,
                    per_update_decay=1e-3 if modo == "blog" else 0.0,
                    per_epoch_decay=d_epoca if modo == "epoca" else 0.0,
                )
                for s in seeds
            ]
            curvas[(modo, B, lr)] = _median_curve(res)
            for s, r in zip(seeds, res, strict=True):
                blog_filas.append(
                    {"modo": modo, "B": B, "lr": lr, "seed": s, "curva": r["curve"]}
                    | {"diverged": r["diverged"], "final": r["curve"][-1]}
                )
    return pd.DataFrame(blog_filas), curvas


def diagnose(blog: pd.DataFrame, curvas: Mapping, modes: Sequence[str]) -> dict:
    """El diagnóstico de la curva mediana de cada configuración, frente a la mejor del modo."""
    diagnostico = {}
    for modo in modes:
        mejor = blog.loc[blog.modo == modo, "final"].replace(np.inf, np.nan).min()
        for B, lr in blog[blog.modo == modo].groupby(["B", "lr"]).groups:
            med = curvas[(modo, B, lr)]
            diagnostico[(modo, B, lr)] = schedules.classify_curve(
                med, not np.isfinite(med[-1]), mejor
            )
    return diagnostico


def blog_table(blog, diagnostico, modos: Mapping, originales, names: Mapping) -> pd.DataFrame:
    """Una fila por configuración: diagnóstico (con `names`), MSE final mediano y divergidas.

    Las tasas que no entrenó el blog (fuera de `originales`) llevan « +».
    """

    def fila_blog(m, B, lr):
        d = blog[(blog.modo == m) & (blog.B == B) & (blog.lr == lr)]
        return {
            "modo": modos[m],
            "B": B,
            "lr": f"{lr:g}" + ("" if (B, lr) in originales else " +"),
            "diagnóstico (mediana)": names[diagnostico[(m, B, lr)]],
            "MSE validación final (mediana)": float(np.median(d["final"])),
            "divergidas": f"{int(d['diverged'].sum())} de {len(d)}",
        }

    return pd.DataFrame([fila_blog(*k) for k in diagnostico]).set_index(["modo", "B", "lr"])


def winners_report(blog: pd.DataFrame, modos: Mapping) -> str:
    """La configuración ganadora (mediana del MSE final) de cada modo de decaimiento."""
    lines = []
    for m in modos:
        d = blog[blog.modo == m].groupby(["B", "lr"])["final"].median()
        ganadora = d.idxmin()
        lines.append(
            f"Decaimiento {modos[m]}: gana B={ganadora[0]}, lr={ganadora[1]:g} "
            f"(mediana {d.min():.4f})."
        )
    return "\n".join(lines)


def rule_count(blog: pd.DataFrame, seeds: Sequence[int]) -> int:
    """Barajados (decaimiento por época) en que la mejor tasa de B=32 es menor que la de 2048."""
    por_epoca = blog[blog.modo == "epoca"]
    k_regla = 0
    for s in seeds:
        mejor_lr = {
            B: por_epoca[(por_epoca.B == B) & (por_epoca.seed == s)]
            .set_index("lr")["final"]
            .idxmin()
            for B in (32, 2048)
        }
        k_regla += int(mejor_lr[32] < mejor_lr[2048])
    return k_regla
