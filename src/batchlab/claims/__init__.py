"""Las conclusiones del curso como datos medidos (motor en :mod:`batchlab.claims.engine`)."""

from .engine import (
    VERDICTS,
    Claim,
    Rule,
    fit_claim,
    median_claim,
    rate_claim,
    sentences,
    table,
    write_json,
)

__all__ = [
    "VERDICTS",
    "Claim",
    "Rule",
    "fit_claim",
    "median_claim",
    "rate_claim",
    "sentences",
    "table",
    "write_json",
]
