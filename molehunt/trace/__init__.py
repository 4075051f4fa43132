"""Leak tracing: per-recipient fingerprint codes and accusation (carriers live in :mod:`molehunt.trace.carriers`)."""

from molehunt.trace.code import (
    DEFAULT_CUTOFF,
    Accusation,
    CodeError,
    FingerprintCode,
    accuse,
    conditional_tail_bound,
    conditional_threshold,
    innocent_tail_bound,
    kappa,
    reference_lengths,
    required_length,
    threshold,
)

__all__ = [
    "DEFAULT_CUTOFF",
    "Accusation",
    "CodeError",
    "FingerprintCode",
    "accuse",
    "conditional_tail_bound",
    "conditional_threshold",
    "innocent_tail_bound",
    "kappa",
    "reference_lengths",
    "required_length",
    "threshold",
]
