"""Believable decoy documents: titles and Markdown bodies from a small vocabulary of project paperwork.

Decoys have no beacon (they would not phone home from an air-gapped network anyway): the vault itself records
every touch. Given a seed the same decoys come out, which keeps tests and demos reproducible.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

_KINDS = (
    "Supplier Pricing Review",
    "Design Review Minutes",
    "Test Campaign Results",
    "Budget Reforecast",
    "Risk Register",
    "Key Personnel Plan",
    "Interface Control Document",
    "Export Licence Assessment",
    "Source Selection Notes",
    "Vulnerability Assessment",
)
_QUARTERS = ("Q1", "Q2", "Q3", "Q4")
_TOPICS = (
    "the second-source supplier for the guidance module",
    "schedule slip on the integration milestone",
    "unit cost of the sensor assembly",
    "the retest of the thermal vacuum failures",
    "staffing of the field support team",
    "the customer's revised acceptance criteria",
    "margin against the encryption throughput requirement",
    "contract options for the follow-on lot",
)
_ACTIONS = (
    "Programme office to confirm figures before the next board.",
    "Engineering to circulate the corrected drawings.",
    "Finance to hold the reserve until the review closes.",
    "Security to re-check distribution of annex B.",
    "Lead engineer to brief the customer informally only.",
)


@dataclass(frozen=True)
class DecoyText:
    """A decoy's title and Markdown body."""

    title: str
    body: str


def make_decoys(project: str, count: int, seed: int | None = None) -> list[DecoyText]:
    """``count`` distinct-looking decoys for ``project``; ValueError when count is not positive."""
    if count < 1:
        raise ValueError("count must be at least 1")
    rng = random.Random(seed)  # noqa: S311 (believability, not secrecy)
    year = rng.randint(2019, 2026)
    made = []
    for _ in range(count):
        kind = rng.choice(_KINDS)
        title = f"{project.upper()} {kind} {rng.choice(_QUARTERS)} {year} v{rng.randint(1, 4)}.{rng.randint(0, 9)}"
        topics = rng.sample(_TOPICS, 3)
        lines = [
            f"# {title}",
            "",
            f"Distribution: {project} programme team only. Do not forward.",
            "",
            "## Summary",
            "",
            f"This note records the discussion of {topics[0]} and of {topics[1]}.",
            f"Figures are provisional (ref. {project[:3].upper()}-{rng.randint(1000, 9999)}).",
            "",
            "## Points",
            "",
            *(
                f"{i}. On {topic}: {rng.choice(('agreed', 'open', 'escalated', 'deferred'))}."
                for i, topic in enumerate(topics, 1)
            ),
            "",
            "## Actions",
            "",
            *(f"- {action}" for action in rng.sample(_ACTIONS, 2)),
            "",
        ]
        made.append(DecoyText(title=title, body="\n".join(lines)))
    return made
