"""The protection policy: when detection puts a person at elevated or high, and what the vault does then.

Read from HOME/protect.yaml when present, else the documented defaults (docs/protection.md). Every key is optional;
an unknown key, a wrong type or a value out of range is a one-line InputError naming the file, line and key.

>>> Policy().elevated_share
0.01
"""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from molehunt.config import Home
from molehunt.errors import InputError

POLICY_FILE = "protect.yaml"


class Policy(BaseModel):
    """Thresholds and effects of protection levels (frozen; see docs/protection.md for each key)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # From the nightly scores: the riskiest shares of active people (by peak risk over `window_days` scored days).
    elevated_share: float = Field(default=0.01, gt=0, lt=1)
    high_share: float = Field(default=0.001, gt=0, lt=1)
    window_days: int = Field(default=30, ge=1)
    # Below this peak risk nobody is raised, whatever the share: a quiet organization has no one to worry about.
    min_risk: float = Field(default=1.0, ge=0)
    # Holders of these compartments need only `priority_factor` times the others' risk cut-off.
    priority_compartments: tuple[str, ...] = ()
    priority_factor: float = Field(default=0.5, gt=0, le=1)
    # What the levels do in the vault: documents at or above `protected_level` are affected.
    protected_level: str = Field(default="SECRET", min_length=1)
    elevated_daily_cap: int = Field(default=10, ge=0)
    # As it happens, from the vault's own events.
    burst_window_seconds: int = Field(default=60, ge=1)
    burst_reads: int = Field(default=20, ge=1)
    burst_factor: float = Field(default=5.0, ge=1)
    # A known departure (HR notice, days_to_departure) divides the burst bar by this.
    departure_burst_divisor: float = Field(default=2.0, ge=1)
    outside_project_denials: int = Field(default=5, ge=1)
    outside_project_denials_high: int = Field(default=10, ge=1)

    @model_validator(mode="after")
    def _ordered(self) -> Policy:
        if self.high_share > self.elevated_share:
            raise ValueError("high_share must not exceed elevated_share")
        if self.outside_project_denials_high < self.outside_project_denials:
            raise ValueError("outside_project_denials_high must not be below outside_project_denials")
        return self

    @classmethod
    def from_file(cls, path: Path) -> Policy:
        """The policy in `path`; InputError (one line: file, line, key) when it cannot be used."""
        try:
            text = path.read_text(encoding="utf-8")
            node = yaml.compose(text)
            data = yaml.safe_load(text)
        except OSError as exc:
            raise InputError(f"cannot read the protection policy: {exc.strerror}", path=str(path)) from None
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = mark.line + 1 if mark is not None else None
            raise InputError(f"not YAML: {getattr(exc, 'problem', exc)}", path=str(path), line=line) from None
        if data is None:
            return cls()
        if not isinstance(data, dict):
            raise InputError("expected a mapping of policy keys to values", path=str(path), line=1)
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            error = exc.errors()[0]
            key = str(error["loc"][0]) if error["loc"] else ""
            message = error["msg"].removeprefix("Value error, ")
            line = _line_of(node, key)
            what = f"key {key!r}: {message}" if key else message
            raise InputError(what, path=str(path), line=line) from None

    @classmethod
    def for_home(cls, home: Home) -> Policy:
        """HOME/protect.yaml when present, else the defaults."""
        path = home.root / POLICY_FILE
        return cls.from_file(path) if path.exists() else cls()


def _line_of(node: yaml.Node | None, key: str) -> int | None:
    if isinstance(node, yaml.MappingNode):
        for name, _value in node.value:
            if getattr(name, "value", None) == key:
                return int(name.start_mark.line) + 1
    return None
