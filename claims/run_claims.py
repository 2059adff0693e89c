"""`make claims`: ¿se sostienen las conclusiones del curso con otras semillas base?

Re-ejecuta con papermill cada notebook que tenga el parámetro ``claims_path`` con varias
semillas base (``seed``: cada una fija otras divisiones, inicializaciones y barajados), con los
presupuestos por defecto; cada ejecución escribe sus conclusiones en JSON
(``claims/ejecuciones/<notebook>__seed<S>.json``) y este script las reúne en
``claims/README.md``: conclusión × semilla con su veredicto, el diseño que la sostiene
(divisiones × inicializaciones × barajados) y una columna de **contradicciones**: una conclusión
que se cumple (✅) con una semilla y no se cumple (❌) con otra se contradice a sí misma.

    python claims/run_claims.py --seeds 42 1 7 11 23 --jobs 2
    python claims/run_claims.py --solo-informe     # rehace el informe con los JSON guardados
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
RUNS = ROOT / "claims" / "ejecuciones"
REPORT = ROOT / "claims" / "README.md"
SYMBOL = {"se cumple": "✅", "no se cumple": "❌", "no concluyente": "🟡", "sin veredicto": "⚪"}


def notebooks_with_claims() -> list[Path]:
    """Los notebooks cuyo bloque de parámetros declara ``claims_path``."""
    import papermill

    found = []
    for nb in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        if "claims_path" in papermill.inspect_notebook(str(nb)):
            found.append(nb)
    return found


def run_one(nb: Path, seed: int) -> tuple[str, int, float, str]:
    """Ejecuta `nb` con la semilla de división `seed`; devuelve (notebook, semilla, s, error)."""
    out = RUNS / f"{nb.stem}__seed{seed}.json"
    out.unlink(missing_ok=True)
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [
            sys.executable,
            "-m",
            "papermill",
            str(nb),
            str(Path(tmp) / nb.name),
            "--cwd",
            str(nb.parent),
            "-k",
            "python3",
            "--no-progress-bar",
            "--log-level",
            "ERROR",
            "-p",
            "seed",
            str(seed),
            "-p",
            "claims_path",
            str(out),
        ]
        done = subprocess.run(
            cmd, capture_output=True, text=True, env={**os.environ, "TQDM_DISABLE": "1"}
        )
    error = "" if done.returncode == 0 else (done.stderr.strip().splitlines() or ["?"])[-1]
    return nb.stem, seed, time.perf_counter() - start, error


def load_runs() -> pd.DataFrame:
    """Todas las conclusiones guardadas: una fila por (notebook, semilla, conclusión)."""
    rows = []
    for path in sorted(RUNS.glob("*__seed*.json")):
        notebook, seed = path.stem.split("__seed")
        for record in json.loads(path.read_text(encoding="utf-8")):
            rows.append({"notebook": notebook, "seed": int(seed), **record})
    return pd.DataFrame(rows)


def _design(rows: pd.DataFrame) -> str:
    """«3 × 3 × 2» (divisiones × inicializaciones × barajados), el mínimo entre semillas."""
    cols = ["n_divisiones", "n_inicializaciones", "n_barajados"]
    if not set(cols) <= set(rows.columns) or rows[cols].isna().any().any():
        return "—"
    return " × ".join(str(int(rows[c].min())) for c in cols)


def contradiction(verdicts: pd.Series) -> str:
    """«sí» si la conclusión se cumple con una semilla y no se cumple con otra; si no, si salta
    entre un veredicto y «no concluyente»/«sin veredicto», lo dice; «no» si es estable."""
    seen = set(verdicts)
    if {"se cumple", "no se cumple"} <= seen:
        return "**sí**"
    if len(seen) > 1:
        return "no (cambia a " + "/".join(SYMBOL[v] for v in sorted(seen) if v in SYMBOL) + ")"
    return "no"


def report(runs: pd.DataFrame) -> str:
    """El informe en Markdown: conclusión × semilla, diseño, cumplimiento y contradicciones."""
    lines = [
        "# Conclusiones frente a otras semillas base",
        "",
        "Generado por `make claims` (`claims/run_claims.py`): cada notebook se re-ejecuta con "
        "varias semillas base (`seed`), que cambian las divisiones entrenamiento/prueba, las "
        "inicializaciones y los barajados, con sus parámetros por defecto. Cada celda es el "
        "veredicto de la conclusión con esa semilla: ✅ se cumple, ❌ no se cumple, 🟡 no "
        "concluyente (el intervalo contiene el umbral de la regla), ⚪ sin veredicto (la "
        "búsqueda se quedó en su borde, o no hay potencia o datos). «diseño» es divisiones × "
        "inicializaciones × barajados de cada ejecución. Una conclusión se **contradice** si es "
        "✅ con una semilla y ❌ con otra: no debe haber ninguna.",
        "",
    ]
    if runs.empty:
        return "\n".join([*lines, "Todavía no hay ejecuciones guardadas.", ""])
    for notebook, group in runs.groupby("notebook", sort=True):
        seeds = sorted(group["seed"].unique())
        lines += [
            f"## {notebook}",
            "",
            "| conclusión | "
            + " | ".join(f"seed {s}" for s in seeds)
            + " | diseño | se cumple en | se contradice |",
            "|---|" + "---|" * len(seeds) + "---|---|---|",
        ]
        for claim_id, rows in group.groupby("id", sort=False):
            by_seed = rows.set_index("seed")
            cells = [
                SYMBOL.get(by_seed.loc[s, "veredicto"], "—") if s in by_seed.index else "—"
                for s in seeds
            ]
            held = int((rows["veredicto"] == "se cumple").sum())
            statement = rows["enunciado"].iloc[0].replace("|", "\\|")
            lines.append(
                f"| `{claim_id}`: {statement} | "
                + " | ".join(cells)
                + f" | {_design(rows)} | {held} de {len(rows)} | "
                + contradiction(rows["veredicto"])
                + " |"
            )
        lines.append("")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[42, 1, 7, 11, 23])
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument(
        "--notebooks",
        nargs="*",
        default=None,
        help="prefijos de notebook (p. ej. 03); por defecto, todos",
    )
    parser.add_argument(
        "--solo-informe",
        action="store_true",
        help="no ejecuta nada: rehace claims/README.md con los JSON guardados",
    )
    args = parser.parse_args()
    RUNS.mkdir(parents=True, exist_ok=True)
    if not args.solo_informe:
        books = [
            nb
            for nb in notebooks_with_claims()
            if not args.notebooks or any(nb.name.startswith(p) for p in args.notebooks)
        ]
        jobs = [(nb, s) for nb in books for s in args.seeds]
        print(
            f"{len(jobs)} ejecuciones ({len(books)} notebooks × {len(args.seeds)} semillas), "
            f"{args.jobs} a la vez"
        )
        with ThreadPoolExecutor(max_workers=args.jobs) as pool:
            for name, seed, seconds, error in pool.map(lambda a: run_one(*a), jobs):
                status = f"ERROR: {error}" if error else "bien"
                print(f"  {name} seed={seed}: {seconds:.0f} s, {status}", flush=True)
    REPORT.write_text(report(load_runs()), encoding="utf-8")
    print(f"Informe: {REPORT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
