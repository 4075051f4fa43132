"""A robust slot: one place in a text where a copy writes one of several equivalent forms."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["word", "part", "number", "percent", "dash", "serial", "comma", "paren", "case", "marker"]


@dataclass(frozen=True)
class Slot:
    kind: Kind
    token: int  # the word (percent: the % token; dash/serial/comma/paren/marker: the word before the gap)
    forms: tuple[str, ...]
    part: int = -1  # part: the letter run; paren: the last token inside the parentheses
    at: int = 0  # offset in the original, for document order
    group: str = ""  # scheme 2: slots of one document-level class share a position ("" = a position of its own)
