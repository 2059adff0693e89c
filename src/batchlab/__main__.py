"""`python -m batchlab data`: rellena la caché del dataset (réplica sin conexión o descarga).
`python -m batchlab motor`: compila el motor de entrenamiento (una vez por máquina)."""

import argparse

from .data import main as prepare_data


def main() -> None:
    """Punto de entrada de la línea de órdenes."""
    parser = argparse.ArgumentParser(prog="python -m batchlab", description=__doc__)
    parser.add_argument(
        "orden", choices=["data", "motor"],
        help="data: prepara el dataset en data/; motor: compila el motor de entrenamiento",
    )  # fmt: skip
    if parser.parse_args().orden == "data":
        prepare_data()
    else:  # compila el motor de Numba (o lo carga de la caché) y dice cuánto tardó
        from .training._engine_stack import compile_engine

        print(f"Motor de entrenamiento listo en {compile_engine():.1f} s (la primera vez "
              "compila; después lo carga de la caché)")  # fmt: skip


if __name__ == "__main__":
    main()
