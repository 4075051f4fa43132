"""Dominance is a partial order, and Cedar's decision agrees with dominates() + need-to-know."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from molehunt.vault import DEFAULT_LEVELS, Label, Levels, VaultError, dominates
from molehunt.vault.policy import POLICIES, Clearance, Resource, decide

labels = st.builds(
    Label,
    st.sampled_from(DEFAULT_LEVELS.names),
    st.frozensets(st.sampled_from(["CRYPTO", "NUC", "SIGINT", "HUMINT"]), max_size=4),
)
project_sets = st.frozensets(st.sampled_from(["apollo", "gemini", "mercury"]), max_size=3)


@given(labels)
def test_dominance_is_reflexive(a: Label) -> None:
    assert dominates(a, a)


@given(labels, labels)
def test_dominance_is_antisymmetric(a: Label, b: Label) -> None:
    if dominates(a, b) and dominates(b, a):
        assert a == b


@given(labels, labels, labels)
def test_dominance_is_transitive(a: Label, b: Label, c: Label) -> None:
    if dominates(a, b) and dominates(b, c):
        assert dominates(a, c)


@given(
    labels,
    project_sets,
    labels,
    st.sampled_from(["apollo", "gemini", "mercury"]),
    st.sampled_from(["read", "checkout", "list"]),
)
def test_cedar_agrees_with_dominates_and_need_to_know(
    clearance: Label, projects: frozenset[str], label: Label, project: str, action: str
) -> None:
    decision = decide(action, "u", Clearance(clearance, projects), "d", Resource(label, project), DEFAULT_LEVELS)
    assert decision.allowed == (dominates(clearance, label) and project in projects)
    if decision.allowed:
        assert decision.policies == ("cleared-with-need-to-know",)
    else:
        assert decision.policies  # a named forbid decided, never a silent default


@given(labels, project_sets, labels, st.sampled_from(["apollo", "gemini"]))
def test_cedar_write_needs_no_write_down_and_membership(
    clearance: Label, projects: frozenset[str], label: Label, project: str
) -> None:
    decision = decide("add", "u", Clearance(clearance, projects), "d", Resource(label, project), DEFAULT_LEVELS)
    no_write_down = DEFAULT_LEVELS.rank(label.level) >= DEFAULT_LEVELS.rank(clearance.level)
    assert decision.allowed == (no_write_down and project in projects)


def test_decisions_name_the_deciding_policies() -> None:
    secret = Clearance(Label("SECRET", frozenset({"CRYPTO"})), frozenset({"apollo"}))
    top = Resource(Label("TOP SECRET", frozenset({"NUC"})), "gemini")
    denied = decide("read", "u", secret, "d", top, DEFAULT_LEVELS)
    assert denied.policies == ("missing-compartments", "need-to-know", "no-read-up")
    stranger = Clearance(Label("UNCLASSIFIED"), frozenset(), granted=False)
    assert decide("read", "x", stranger, "d", Resource(Label("UNCLASSIFIED"), "p"), DEFAULT_LEVELS).policies == (
        "no-clearance",
    )
    decoy = Resource(top.label, top.project, decoy=True)
    assert decide("read", "u", secret, "d", decoy, DEFAULT_LEVELS).policies == ("decoy-tripwire",)
    assert not decide("list", "u", secret, "d", decoy, DEFAULT_LEVELS).allowed
    assert len({name for name, _ in POLICIES}) == len(POLICIES)


def test_labels_parse_and_print() -> None:
    label = Label.parse("top   secret:NUC, CRYPTO")
    assert label == Label("TOP SECRET", frozenset({"NUC", "CRYPTO"}))
    assert str(label) == "TOP SECRET:CRYPTO,NUC"
    with pytest.raises(VaultError, match="unknown classification level 'COSMIC'"):
        Label.parse("COSMIC")
    with pytest.raises(VaultError, match="compartment"):
        Label.parse("SECRET:a b")


def test_levels_are_configurable() -> None:
    levels = Levels(("PUBLIC", "INTERNAL", "RESTRICTED"))
    assert dominates(Label("RESTRICTED"), Label("INTERNAL"), levels)
    assert not dominates(Label("PUBLIC"), Label("INTERNAL"), levels)
    with pytest.raises(VaultError, match="repeat"):
        Levels(("A", "a"))
