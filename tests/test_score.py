import datetime as dt
import math

import pytest

from ledger.model import Entry
from ledger.deadlines import is_overdue
from ledger.score import calibration, score, scoreboard, tally, wilson

AS_OF = dt.date(2026, 1, 10)


def make(ident, speaker, status, confidence=None, *, kind="prediction", deadline="2025", topics=("agents",),
         said_on="2024-06-01", source="talk"):
    data = dict(id=ident, kind=kind, speaker=speaker, attribution="direct", source=source, said_on=said_on,
                quote="q", summary=f"summary of {ident}", topics=list(topics), status=status, confidence=confidence)
    if deadline is not None:
        data["deadline"] = deadline
    if status != "open":
        data["resolved_on"] = "2025-12-31"
        data["evidence"] = [{"type": "primary", "url": "https://example.org", "publisher": "Example", "published_on": "2025-12-01", "note": "n"}]
    return Entry.model_validate(data)


# Ann: 1 correct, 1 partly, 1 wrong, 1 unresolvable, 1 withdrawn, 1 open and overdue.
# Bob: 2 correct (one with a confidence), 1 open prediction still running, 1 open claim.
ENTRIES = [
    make("a", "Ann", "correct", 0.9, topics=("agents", "coding")),
    make("b", "Ann", "partly_correct", 0.6),
    make("c", "Ann", "wrong", 0.8, said_on="2025-02-01"),
    make("d", "Ann", "unresolvable"),
    make("e", "Ann", "withdrawn"),
    make("f", "Ann", "open"),  # deadline 2025 ended 2025-12-31 < as-of 2026-01-10: overdue
    make("g", "Bob", "correct", source="other"),
    make("h", "Bob", "correct", 0.3, topics=("coding", "coding")),
    make("i", "Bob", "open", deadline="2026"),  # window ends 2026-12-31: still running
    make("j", "Bob", "open", kind="claim", deadline=None),
]


def test_wilson_by_hand():
    # z = 1.959964, z² = 3.841459.
    # Ann, 1.5 hits of 3: p = 0.5, z²/n = 1.280486, denom = 2.280486, centre = 0.5 (symmetric),
    # half = (1.959964 / 2.280486) * sqrt(0.25/3 + 3.841459/36) = 0.859451 * 0.435936 = 0.374665.
    low, high = wilson(1.5, 3)
    assert low == pytest.approx(0.125335, abs=1e-6)
    assert high == pytest.approx(0.874665, abs=1e-6)
    # 3.5 hits of 5: p = 0.7, denom = 1.768292, centre = (0.7 + 0.384146) / 1.768292 = 0.613104,
    # half = 1.108393 * sqrt(0.21/5 + 0.038415) = 1.108393 * 0.283575 = 0.314313.
    low, high = wilson(3.5, 5)
    # Six-place hand arithmetic carries rounding error in the last place.
    assert low == pytest.approx(0.298791, abs=2e-6)
    assert high == pytest.approx(0.927417, abs=2e-6)


def test_two_of_two_is_not_certainty():
    # p = 1, denom = 1 + 3.841459/2 = 2.920729, centre = (1 + 0.960365) / 2.920729 = 0.671190,
    # half = (1.959964 / 2.920729) * sqrt(0 + 3.841459/16) = 0.671053 * 0.489991 = 0.328810,
    # low = 0.671190 - 0.328810 = 0.342380; high = centre + half = 1, clamped against float noise.
    low, high = wilson(2, 2)
    assert low == pytest.approx(0.342380, abs=1e-6)
    assert high == 1.0
    assert wilson(0, 0) is None


def test_overall_counts_hit_rate_and_brier():
    row = scoreboard(ENTRIES, AS_OF).loc["overall"]
    assert [int(row[c]) for c in ("entries", "resolved", "correct", "partly_correct", "wrong", "unresolvable",
                                  "withdrawn", "open", "overdue")] == [10, 7, 3, 1, 1, 1, 1, 3, 1]
    # (3 + 0.5) / (3 + 1 + 1) = 0.7; unresolvable and withdrawn are not scored.
    assert row["hit_rate"] == pytest.approx(0.7)
    assert row["hit_rate_low"] == pytest.approx(0.298791, abs=1e-6)
    # (0.9-1)² + (0.6-0.5)² + (0.8-0)² + (0.3-1)² = 0.01 + 0.01 + 0.64 + 0.49 = 1.15; / 4 = 0.2875.
    # g is correct but states no confidence, so it is not in the Brier score.
    assert row["brier"] == pytest.approx(0.2875)
    assert row["brier_n"] == 4


def test_by_speaker():
    board = scoreboard(ENTRIES, AS_OF, "speaker")
    assert list(board.index) == ["Ann", "Bob"]  # 6 entries before 4
    ann, bob = board.loc["Ann"], board.loc["Bob"]
    assert ann["hit_rate"] == pytest.approx(0.5)
    assert (ann["hit_rate_low"], ann["hit_rate_high"]) == pytest.approx((0.125335, 0.874665), abs=1e-6)
    assert ann["brier"] == pytest.approx((0.01 + 0.01 + 0.64) / 3)
    assert ann["overdue"] == 1 and bob["overdue"] == 0
    assert bob["hit_rate"] == 1.0 and bob["hit_rate_low"] == pytest.approx(0.342380, abs=1e-6)
    assert bob["brier"] == pytest.approx(0.49) and bob["brier_n"] == 1


def test_topic_counts_each_entry_once_per_topic():
    board = scoreboard(ENTRIES, AS_OF, "topic")
    # 'a' is under agents and coding; 'h' lists coding twice but counts once.
    assert board.loc["agents", "entries"] == 9
    assert board.loc["coding", "entries"] == 2
    assert list(board.index) == ["agents", "coding"]


def test_other_groupings_and_sort_order():
    boards = score(ENTRIES, AS_OF)
    assert list(boards["source"].index) == ["talk", "other"]
    assert list(boards["kind"].index) == ["prediction", "claim"]
    assert list(boards["year"].index) == ["2024", "2025"]
    assert boards["year"].loc["2025", "entries"] == 1
    assert list(boards["overall"].columns) == [
        "entries", "resolved", "correct", "partly_correct", "wrong", "unresolvable", "withdrawn", "open",
        "overdue", "hit_rate", "hit_rate_low", "hit_rate_high", "brier", "brier_n",
    ]


def test_ties_sort_by_name():
    entries = [make("x", "Zed", "open"), make("y", "Amy", "open")]
    assert list(scoreboard(entries, AS_OF, "speaker").index) == ["Amy", "Zed"]


def test_nothing_scored_gives_missing_values():
    row = tally([make("d", "Ann", "unresolvable"), make("o", "Ann", "open", deadline="2030")], AS_OF)
    assert row["hit_rate"] is None and row["hit_rate_low"] is None and row["brier"] is None
    assert row["brier_n"] == 0 and row["resolved"] == 1
    board = scoreboard([], AS_OF)
    assert board.loc["overall", "entries"] == 0 and math.isnan(board.loc["overall", "hit_rate"])
    assert scoreboard([], AS_OF, "speaker").empty


def test_overdue_only_open_predictions_past_the_window():
    assert is_overdue(ENTRIES[5], AS_OF)
    assert not is_overdue(ENTRIES[5], dt.date(2025, 12, 31))  # the last day of the window is not late
    assert not is_overdue(ENTRIES[8], AS_OF)
    assert not is_overdue(ENTRIES[9], AS_OF)  # a claim without a deadline
    assert not is_overdue(ENTRIES[2], AS_OF)  # resolved


def test_calibration_bins():
    table = calibration(ENTRIES)
    assert list(table["bin"]) == ["[0.0, 0.2)", "[0.2, 0.4)", "[0.4, 0.6)", "[0.6, 0.8)", "[0.8, 1.0]"]
    assert list(table["count"]) == [0, 1, 0, 1, 2]  # 0.6 falls in [0.6, 0.8), not [0.4, 0.6)
    top = table.iloc[4]
    assert top["mean_confidence"] == pytest.approx(0.85)  # 0.8 and 0.9
    assert top["mean_outcome"] == pytest.approx(0.5)  # wrong (0) and correct (1)
    assert math.isnan(table.iloc[0]["mean_confidence"])
    edge = calibration([make("z", "Ann", "wrong", 1.0), make("y", "Ann", "correct", 0.0)])
    assert list(edge["count"]) == [1, 0, 0, 0, 1]


def test_predictions_and_claims_are_scored_apart():
    # The case that made a mixed headline meaningless: one true claim and one partly correct prediction.
    entries = [make("p", "Ann", "partly_correct", 0.7), make("c", "Ann", "correct", 0.9, kind="claim", deadline=None),
               make("q", "Ann", "open", kind="claim", deadline=None)]
    boards = score(entries, AS_OF)
    assert boards["overall"].loc["overall", "hit_rate"] == pytest.approx(0.75)
    predictions, claims = boards["predictions"].loc["predictions"], boards["claims"].loc["claims"]
    assert predictions["hit_rate"] == pytest.approx(0.5) and predictions["entries"] == 1
    assert predictions["brier"] == pytest.approx(0.04)  # (0.7 - 0.5)²; the claim's confidence is not in it
    assert (claims["entries"], claims["resolved"], claims["correct"], claims["open"]) == (3 - 1, 1, 1, 1)
    assert list(boards["calibration"]["count"]) == [0, 0, 0, 1, 0]  # predictions only
