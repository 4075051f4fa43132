"""The protection policy: documented defaults, HOME/protect.yaml overrides, one-line errors naming the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from molehunt.config import Home
from molehunt.errors import InputError
from molehunt.protect.policy import POLICY_FILE, Policy


def test_defaults_without_a_file_and_overrides_from_the_home(tmp_path: Path) -> None:
    home = Home(tmp_path)
    assert Policy.for_home(home) == Policy()
    assert (Policy().elevated_share, Policy().high_share, Policy().protected_level) == (0.01, 0.001, "SECRET")
    (tmp_path / POLICY_FILE).write_text("high_share: 0.002\npriority_compartments: [CRYPTO]\nburst_reads: 12\n")
    policy = Policy.for_home(home)
    assert (policy.high_share, policy.priority_compartments, policy.burst_reads) == (0.002, ("CRYPTO",), 12)
    assert policy.elevated_share == 0.01  # unset keys keep their defaults
    (tmp_path / POLICY_FILE).write_text("")
    assert Policy.for_home(home) == Policy()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("burst_reads: 20\nelevated_shar: 0.02\n", "protect.yaml:2: key 'elevated_shar': Extra inputs"),
        ("elevated_share: 0.01\nhigh_share: 2\n", "protect.yaml:2: key 'high_share': Input should be less than 1"),
        ("burst_reads: many\n", "protect.yaml:1: key 'burst_reads': Input should be a valid integer"),
        ("elevated_share: 0.001\nhigh_share: 0.01\n", "high_share must not exceed elevated_share"),
        ("[1, 2]\n", "protect.yaml:1: expected a mapping"),
        ("a: [1\n", "protect.yaml:2: not YAML"),
    ],
)
def test_a_bad_file_is_one_line_naming_file_line_and_key(tmp_path: Path, text: str, expected: str) -> None:
    (tmp_path / POLICY_FILE).write_text(text)
    with pytest.raises(InputError) as caught:
        Policy.for_home(Home(tmp_path))
    message = str(caught.value)
    assert expected in message and "\n" not in message and message.startswith(str(tmp_path))


def test_every_policy_key_is_documented_with_its_default() -> None:
    rows = (Path(__file__).resolve().parents[3] / "docs" / "protection.md").read_text(encoding="utf-8").splitlines()
    for key, info in Policy.model_fields.items():
        default = info.default
        shown = "[]" if default == () else str(default)
        assert any(row.startswith(f"| `{key}` | ") and shown in row for row in rows), f"{key} ({shown}) undocumented"
