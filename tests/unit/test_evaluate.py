"""The metrics on a tiny labelled example whose values are worked out by hand in the comments."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from molehunt.errors import InputError
from molehunt.evaluate import Truth, evaluate, read_scores

D1, D2, D3 = date(2010, 1, 4), date(2010, 1, 5), date(2010, 1, 6)

# 4 users x 3 days = 12 user-days. MAL is an insider (malicious on D2 and D3, leaves after D3); the others are not.
SCORES = [
    ("MAL", D1, 1.0), ("MAL", D2, 9.0), ("MAL", D3, 5.0),
    ("AAA", D1, 2.0), ("AAA", D2, 3.0), ("AAA", D3, 8.0),
    ("BBB", D1, 0.5), ("BBB", D2, 0.4), ("BBB", D3, 0.3),
    ("CCC", D1, 7.0), ("CCC", D2, 0.2), ("CCC", D3, 0.1),
]  # fmt: skip
TRUTH = Truth(frozenset({"MAL"}), frozenset({("MAL", D2), ("MAL", D3)}), frozenset({"MAL"}))


def test_metrics_by_hand() -> None:
    result = evaluate(SCORES, TRUTH)
    # User maxima: MAL 9, AAA 8, CCC 7, BBB 0.5 -> the insider ranks first: AUC 1.0, and 1 of 1 in the top k=1.
    assert result.user_auc == pytest.approx(1.0)
    assert result.insiders_in_top_k == 1
    # User-days: positives 9 and 5; negatives 8, 7, 3, 2, 1, 0.5, 0.4, 0.3, 0.2, 0.1 (10 of them).
    # 9 beats all 10, 5 beats 8 of them: AUC = 18 / 20 = 0.9.
    assert result.user_day_auc == pytest.approx(0.9)
    # Top 1% of 12 user-days = ceil(0.12) = 1 user-day: MAL/D2 (9.0), one of two malicious days -> 0.5.
    assert result.recall_top1 == pytest.approx(0.5)
    # Top 5% = ceil(0.6) = 1 user-day as well.
    assert result.recall_top5 == pytest.approx(0.5)
    # Daily top 5 holds all 4 users, so MAL is there on D2, his first malicious day: delay 0, before leaving.
    (delay,) = result.delays
    assert (delay.first_malicious, delay.first_in_top5, delay.days, delay.before_leaving) == (D2, D2, 0, True)
    assert (result.users, result.insiders, result.user_days, result.malicious_user_days) == (4, 1, 12, 2)


def test_a_missed_leaver_has_no_delay() -> None:
    many = [(f"U{i:02d}", D2, 50.0 + i) for i in range(6)]  # six louder users fill D2's and D3's top 5
    many += [(f"U{i:02d}", D3, 50.0 + i) for i in range(6)]
    result = evaluate([*SCORES, *many], TRUTH)
    (delay,) = result.delays
    assert delay.first_in_top5 is None and delay.days is None and not delay.before_leaving


def test_read_scores_errors_name_the_line(tmp_path: Path) -> None:
    path = tmp_path / "scores.csv"
    path.write_text("user,day,score,reasons\nMAL,2010-01-04,1.5,x\nMAL,2010-13-01,2,y\n")
    with pytest.raises(InputError, match=r"scores\.csv:3: bad row"):
        read_scores(path)
    path.write_text("who,when\n")
    with pytest.raises(InputError, match="expected a header"):
        read_scores(path)
