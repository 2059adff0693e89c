"""`python -m batchlab data`: rellena la caché del dataset (réplica sin conexión o descarga).
`python -m batchlab motor`: compila el motor de entrenamiento (una vez por máquina)."""

import argparse

from .data import main as prepare_data


def compile_engine() -> None:
    """Compila (o carga de la caché) el motor de Numba e imprime cuánto tardó."""
    from .training._engine_stack import compile_engine as compile_kernels

    seconds = compile_kernels()
    print(f"Motor de entrenamiento listo en {seconds:.1f} s (la primera vez compila; "
          "después lo carga de la caché)")  # fmt: skip


def main() -> None:
    """Punto de entrada de la línea de órdenes."""
    parser = argparse.ArgumentParser(prog="python -m batchlab", description=__doc__)
    parser.add_argument(
        "orden", choices=["data", "motor"],
        help="data: prepara el dataset en data/; motor: compila el motor de entrenamiento",
    )  # fmt: skip
    if parser.parse_args().orden == "data":
        prepare_data()
    else:
        compile_engine()


if __name__ == "__main__":
    main()
