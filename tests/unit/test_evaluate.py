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


FILLERS = [(f"F{i:02d}", day, 0.0) for i in range(16) for day in (D1, D2, D3)]  # 20 active users a day


def test_metrics_by_hand() -> None:
    result = evaluate(SCORES + FILLERS, TRUTH)
    # User maxima: MAL 9, AAA 8, CCC 7, BBB 0.5, 16 fillers 0 -> the insider ranks first: AUC 1.0, top k=1 holds him.
    assert result.user_auc == pytest.approx(1.0)
    assert result.insiders_in_top_k == 1
    # User-days: positives 9 and 5; 58 negatives: 8, 7, 3, 2, 1, 0.5, 0.4, 0.3, 0.2, 0.1 and 48 zeros.
    # 9 beats all 58, 5 beats 56 of them: AUC = 114 / 116.
    assert result.user_day_auc == pytest.approx(114 / 116)
    # Top 1% of 60 user-days = ceil(0.6) = 1 user-day: MAL/D2 (9.0), one of two malicious days -> 0.5.
    assert result.recall_top1 == pytest.approx(0.5)
    # Top 5% = ceil(3.0) = 3 user-days: 9 (MAL), 8 (AAA), 7 (CCC) -> still one of two.
    assert result.recall_top5 == pytest.approx(0.5)
    # D2 has 20 active users; MAL tops it on his first malicious day: delay 0, before his last day D3.
    (delay,) = result.delays
    assert (delay.first_malicious, delay.first_in_top5, delay.days, delay.before_leaving) == (D2, D2, 0, True)
    assert (result.users, result.insiders, result.user_days, result.malicious_user_days) == (20, 1, 60, 2)


def test_recall_counts_malicious_days_missing_from_the_scores() -> None:
    without_d3 = [row for row in SCORES + FILLERS if row[:2] != ("MAL", D3)]
    assert evaluate(without_d3, TRUTH).recall_top1 == pytest.approx(0.5)  # one of two, not one of one


def test_sparse_days_do_not_count_as_top5() -> None:
    result = evaluate(SCORES, TRUTH)  # only 4 users active a day: no day qualifies for the top-5 measure
    (delay,) = result.delays
    assert delay.first_in_top5 is None and not delay.before_leaving


def test_a_missed_leaver_has_no_delay() -> None:
    many = [(f"U{i:02d}", D2, 50.0 + i) for i in range(6)]  # six louder users fill D2's and D3's top 5
    many += [(f"U{i:02d}", D3, 50.0 + i) for i in range(6)]
    result = evaluate([*SCORES, *FILLERS, *many], TRUTH)
    (delay,) = result.delays
    assert delay.first_in_top5 is None and delay.days is None and not delay.before_leaving


def test_a_theft_on_the_last_day_only_is_not_catchable_before_it() -> None:
    last_only = Truth(frozenset({"MAL"}), frozenset({("MAL", D3)}), frozenset({"MAL"}))
    result = evaluate(SCORES + FILLERS, last_only)
    (delay,) = result.delays
    # On D3 MAL (5.0) is second to AAA (8.0), inside the top 5, but D3 is his last day and his only malicious one
    assert (delay.first_in_top5, delay.catchable, delay.before_leaving) == (D3, False, False)
    (caught,) = evaluate(SCORES + FILLERS, TRUTH).delays
    assert caught.catchable


def test_read_scores_errors_name_the_line(tmp_path: Path) -> None:
    path = tmp_path / "scores.csv"
    path.write_text("user,day,score,reasons\nMAL,2010-01-04,1.5,x\nMAL,2010-13-01,2,y\n")
    with pytest.raises(InputError, match=r"scores\.csv:3: bad row"):
        read_scores(path)
    path.write_text("who,when\n")
    with pytest.raises(InputError, match="expected a header"):
        read_scores(path)
