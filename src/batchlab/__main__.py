"""`python -m batchlab data`: rellena la caché del dataset (réplica sin conexión o descarga)."""

import argparse

from .data import main as prepare_data


def main() -> None:
    """Punto de entrada de la línea de órdenes."""
    parser = argparse.ArgumentParser(prog="python -m batchlab", description=__doc__)
    parser.add_argument("orden", choices=["data"], help="data: prepara el dataset en data/")
    parser.parse_args()
    prepare_data()


if __name__ == "__main__":
    main()
