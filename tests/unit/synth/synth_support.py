"""The generated-dataset handle shared by the synth tests."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from molehunt.synth import SynthConfig, SynthResult

SMALL = {"users": 40, "days": 45, "seed": 11}


@dataclass(frozen=True)
class Dataset:
    cfg: SynthConfig
    result: SynthResult
    root: Path

    def lines(self, rel: str) -> list[str]:
        return (self.root / rel).read_text().split("\n")[:-1]

    def rows(self, rel: str) -> list[dict[str, str]]:
        with (self.root / rel).open(newline="") as fh:
            return list(csv.DictReader(fh))

    def ldap(self) -> dict[str, list[dict[str, str]]]:
        return {p.stem: self.rows(f"LDAP/{p.name}") for p in sorted((self.root / "LDAP").glob("*.csv"))}
