"""Adaptive protection: each person's protection level (none, elevated, high), derived from detection without
labels, raised by the vault's own events as they happen, set or lifted by an analyst, and enforced by the vault.

Levels live in the operational store (HOME/workbench.sqlite): the scoring run, vault operations in any process and
the dashboard all write them. Every change, automatic or manual, is an audit entry written by the caller first.
"""

from molehunt.protect.levels import Level, Protection, level_of, list_levels, schema, set_level

__all__ = ["Level", "Protection", "level_of", "list_levels", "schema", "set_level"]
