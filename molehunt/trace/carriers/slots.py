"""A robust slot: one place in a text where a copy writes one of several equivalent forms."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["word", "part", "number", "percent", "dash", "serial", "comma"]


@dataclass(frozen=True)
class Slot:
    kind: Kind
    token: int  # word/part/number: the token; percent: the percent token; dash/serial/comma: the token before the gap
    forms: tuple[str, ...]
    part: int = -1
    at: int = 0  # offset in the original, for document order
    group: str = ""  # scheme 2: slots of one document-level class share a position ("" = a position of its own)
