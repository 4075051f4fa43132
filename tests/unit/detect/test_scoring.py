"""Risk combination and the words of the reasons."""

from __future__ import annotations

from datetime import date

import numpy as np

from molehunt.detect.rules import Level, RuleMatch
from molehunt.detect.scoring import (
    ScoreWeights,
    combine,
    departure_reason,
    feature_reason,
    prior_alerts,
    say_context_once,
)


def test_combine_adds_rules_and_applies_boosters() -> None:
    weights = ScoreWeights(anomaly_weight=40, max_rule_points=150, departure_boost=1.5, prior_alert_boost=1.25)
    risk = combine(
        anomaly=np.array([0.5, 0.5, 0.5, 1.0]),
        rule_points=np.array([0.0, 50.0, 500.0, 0.0]),
        days_to_departure=np.array([np.nan, 10.0, 40.0, 0.0]),
        prior_alert=np.array([False, False, True, False]),
        weights=weights,
    )
    # 20; (20 + 50) x 1.5 leaving; (20 + 150 cap) x 1.25 prior alert, 40 days out is no boost; 40 x 1.5 last day
    assert risk.tolist() == [20.0, 105.0, 212.5, 60.0]


def test_prior_alerts_look_back_without_today() -> None:
    hit = RuleMatch("A", date(2010, 1, 10), "r", Level.HIGH, 50.0, 1.0, "x")
    days = [date(2010, 1, 10), date(2010, 1, 11), date(2010, 2, 9), date(2010, 2, 10), date(2010, 1, 11)]
    flags = prior_alerts(["A", "A", "A", "A", "B"], days, [hit], window_days=30)
    assert flags.tolist() == [False, True, True, False, False]
    context = RuleMatch("A", date(2010, 1, 10), "job", Level.LOW, 10.0, 1.0, "x")  # low level: context only
    assert not prior_alerts(["A"], [date(2010, 1, 11)], [context], window_days=30).any()


def test_reasons_say_magnitudes_against_the_right_baseline() -> None:
    assert feature_reason("files_to_removable", "own", 412, 11, 3, 40) == (
        "412 files written or copied to removable media, 37x their 60-day median of 11"
    )
    assert feature_reason("files_to_removable", "own", 19, 13, 3, 40).endswith("1.5x their 60-day median of 13")
    assert (
        feature_reason("usb_connects", "own", 3, 0, 0, 40)
        == "3 removable-media connects, where their 60-day median is 0.0"
    )
    assert "no history yet" in feature_reason("usb_connects", "own", 3, 0, 0, 0)
    assert feature_reason("usb_connects", "peer", 3, 0, np.nan, 40).endswith(
        "(too few peers active that day to compare)"
    )
    assert feature_reason("emails_sent", "peer", 60, 0, 5, 40).endswith("12x the median of their peers (5)")
    assert departure_reason(9, 30) == "9 days before their last day"
    assert departure_reason(0, 30) == "on their last day"
    assert departure_reason(31, 30) is None and departure_reason(np.nan, 30) is None


def test_the_departure_is_said_once_per_day() -> None:
    said = say_context_once(
        [
            "40 files to removable media (10.0x their median), 12 days before their last day",
            "3 visits to job sites, 12 days before their last day",
            "an upload to a leak site",
        ]
    )
    assert said == [
        "40 files to removable media (10.0x their median), 12 days before their last day",
        "3 visits to job sites",
        "an upload to a leak site",
    ]
    assert say_context_once(["x, on their last day", "y, on their last day"]) == ["x, on their last day", "y"]


def test_the_same_measurements_under_two_contexts_are_said_once() -> None:
    volumes = "48 files to removable media (48.0x their median), 0 cloud uploads, 0 attachments to personal mail"
    said = say_context_once(
        [
            f"{volumes}, 16 days before their last day",
            "3 visits to job sites, 16 days before their last day",
            f"{volumes}, 23 days after an adverse HR event",
            "12 files to removable media (6.0x their median), 0 cloud uploads, 0 attachments to personal mail, "
            "23 days after an adverse HR event",  # other measurements: kept whole
        ]
    )
    assert said == [
        f"{volumes}, 16 days before their last day and 23 days after an adverse HR event",
        "3 visits to job sites",
        "12 files to removable media (6.0x their median), 0 cloud uploads, 0 attachments to personal mail, "
        "23 days after an adverse HR event",
    ]
