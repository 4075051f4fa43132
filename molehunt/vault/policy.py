"""The access decision, made by Cedar (cedarpy) so that every decision names the policies that decided.

Read, checkout and list need the subject's clearance to dominate the document's label (no read up) and the
subject to be a member of the document's project (need-to-know). Decoys are the exception on purpose: anyone with
a clearance may read or check out a decoy (the touch is what we want to see), but decoys are listed only to those
who could read a real document with the same label, so they look like ordinary project documents.

Add (write) needs the document's level to be at least the writer's session level (no write down; a session runs
at the subject's clearance level, and compartments are not constrained on write: writing up into compartments the
writer lacks is allowed, reading it back is not) and the writer to be a member of the project.

cedarpy reports deciding policies as ``policy<N>`` in source order; POLICIES keeps (id, text) pairs so each reason
is translated back to a stable name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import cedarpy

from molehunt.vault.errors import VaultError
from molehunt.vault.labels import Label, Levels

ACTIONS = ("read", "checkout", "list", "add")

# The read forbids stay quiet for strangers (no-clearance says it all) and for decoy touches (the tripwire).
_NOT_DECOY_EXEMPT = 'principal.granted && (action == Action::"list" || !resource.decoy)'
_READS = 'action in [Action::"read", Action::"checkout", Action::"list"]'

POLICIES: tuple[tuple[str, str], ...] = (
    (
        "cleared-with-need-to-know",
        f"permit(principal, {_READS}, resource) when {{ principal.level >= resource.level"
        " && principal.compartments.containsAll(resource.compartments)"
        " && principal.projects.contains(resource.project) };",
    ),
    (
        "decoy-tripwire",
        'permit(principal, action in [Action::"read", Action::"checkout"], resource) when { resource.decoy };',
    ),
    (
        "writer-in-project-no-write-down",
        'permit(principal, action == Action::"add", resource) when'
        " { principal.projects.contains(resource.project) && resource.level >= principal.level };",
    ),
    ("no-clearance", "forbid(principal, action, resource) unless { principal.granted };"),
    (
        "no-read-up",
        f"forbid(principal, {_READS}, resource) when {{ principal.level < resource.level && {_NOT_DECOY_EXEMPT} }};",
    ),
    (
        "missing-compartments",
        f"forbid(principal, {_READS}, resource) when"
        f" {{ !principal.compartments.containsAll(resource.compartments) && {_NOT_DECOY_EXEMPT} }};",
    ),
    (
        "need-to-know",
        f"forbid(principal, {_READS}, resource) when"
        f" {{ !principal.projects.contains(resource.project) && {_NOT_DECOY_EXEMPT} }};",
    ),
    (
        "no-write-down",
        'forbid(principal, action == Action::"add", resource)'
        " when { principal.granted && resource.level < principal.level };",
    ),
    (
        "writer-not-in-project",
        'forbid(principal, action == Action::"add", resource)'
        " when { principal.granted && !principal.projects.contains(resource.project) };",
    ),
)

_POLICY_TEXT = "\n".join(text for _, text in POLICIES)
_POLICY_SET = cedarpy.PolicySet.from_str(_POLICY_TEXT) if hasattr(cedarpy, "PolicySet") else _POLICY_TEXT


@dataclass(frozen=True)
class Clearance:
    """What a subject holds: a clearance label and project memberships. ``granted`` is False for strangers."""

    label: Label
    projects: frozenset[str]
    granted: bool = True


@dataclass(frozen=True)
class Resource:
    """What a decision needs to know about a document."""

    label: Label
    project: str
    decoy: bool = False


@dataclass(frozen=True)
class Decision:
    """Cedar's answer: allowed or not, and the ids of the policies that decided (empty: nothing permits)."""

    allowed: bool
    policies: tuple[str, ...]

    @property
    def reason(self) -> str:
        """The deciding policies as one phrase, e.g. ``no-read-up, need-to-know``."""
        return ", ".join(self.policies) if self.policies else "no policy permits this"


def decide(action: str, user: str, clearance: Clearance, doc_id: str, doc: Resource, levels: Levels) -> Decision:
    """Ask Cedar whether ``user`` may ``action`` the document; VaultError for an unknown action or level."""
    if action not in ACTIONS:
        raise VaultError(f"unknown vault action {action!r} (one of: {', '.join(ACTIONS)})")
    entities: list[dict[str, Any]] = [
        {
            "uid": {"type": "User", "id": user},
            "attrs": {
                "level": levels.rank(clearance.label.level) if clearance.granted else -1,
                "compartments": sorted(clearance.label.compartments),
                "projects": sorted(clearance.projects),
                "granted": clearance.granted,
            },
            "parents": [],
        },
        {
            "uid": {"type": "Document", "id": doc_id},
            "attrs": {
                "level": levels.rank(doc.label.level),
                "compartments": sorted(doc.label.compartments),
                "project": doc.project,
                "decoy": doc.decoy,
            },
            "parents": [],
        },
    ]
    request = {
        "principal": {"type": "User", "id": user},
        "action": {"type": "Action", "id": action},
        "resource": {"type": "Document", "id": doc_id},
        "context": {},
    }
    result = cedarpy.is_authorized(request, _POLICY_SET, entities)
    if result.diagnostics.errors:
        raise VaultError(f"policy evaluation failed: {'; '.join(map(str, result.diagnostics.errors))}")
    names = tuple(sorted(_policy_name(reason) for reason in result.diagnostics.reasons))
    return Decision(allowed=bool(result.allowed), policies=names)


def _policy_name(reason: str) -> str:
    index = int(reason.removeprefix("policy"))
    return POLICIES[index][0]
