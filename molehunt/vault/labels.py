"""Security labels: an ordered list of levels plus a set of compartments, and the dominance relation.

Label (L, C) dominates (L', C') iff L >= L' in the level order and C is a superset of C'. Dominance is a partial
order (reflexive, antisymmetric, transitive); the property tests in tests/unit/vault keep it so.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from molehunt.vault.errors import VaultError

_COMPARTMENT_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.")


@dataclass(frozen=True)
class Levels:
    """Classification levels, lowest first. Names are matched case-insensitively and kept as given here."""

    names: tuple[str, ...]

    def __post_init__(self) -> None:
        if not self.names:
            raise VaultError("at least one classification level is needed")
        if len({name.upper() for name in self.names}) != len(self.names):
            raise VaultError(f"classification levels repeat: {', '.join(self.names)}")

    def canonical(self, name: str) -> str:
        """The configured spelling of ``name``; VaultError naming the known levels when it is not one."""
        wanted = " ".join(name.split()).upper()
        for known in self.names:
            if known.upper() == wanted:
                return known
        raise VaultError(f"unknown classification level {name!r} (one of: {', '.join(self.names)})")

    def rank(self, name: str) -> int:
        """0 for the lowest level, len-1 for the highest."""
        return self.names.index(self.canonical(name))


DEFAULT_LEVELS = Levels(("UNCLASSIFIED", "CONFIDENTIAL", "SECRET", "TOP SECRET"))


@dataclass(frozen=True)
class Label:
    """A level name (canonical, see Levels.canonical) and compartments."""

    level: str
    compartments: frozenset[str] = frozenset()

    @classmethod
    def parse(cls, text: str, levels: Levels = DEFAULT_LEVELS) -> Label:
        """Parse ``LEVEL[:C1,C2]``, e.g. ``"TOP SECRET:CRYPTO,NUC"``; VaultError for an unknown level or bad name.

        >>> Label.parse("secret:b,a")
        Label(level='SECRET', compartments=frozenset({'a', 'b'}))
        """
        level, _, rest = text.partition(":")
        return cls(levels.canonical(level), parse_compartments(rest.split(",")))

    def __str__(self) -> str:
        return ":".join([self.level, ",".join(sorted(self.compartments))]) if self.compartments else self.level


def parse_compartments(names: Iterable[str]) -> frozenset[str]:
    """Strip and check compartment names (letters, digits, - _ .); empty names are skipped."""
    found = frozenset(name.strip() for name in names if name.strip())
    for name in found:
        if not set(name) <= _COMPARTMENT_CHARS:
            raise VaultError(f"compartment {name!r} may hold only letters, digits, '-', '_' and '.'")
    return found


def dominates(upper: Label, lower: Label, levels: Levels = DEFAULT_LEVELS) -> bool:
    """True when ``upper`` dominates ``lower``: level at least as high and compartments a superset."""
    return levels.rank(upper.level) >= levels.rank(lower.level) and upper.compartments >= lower.compartments
