import datetime as dt

import pytest

from ledger.deadlines import due, from_phrase, window
from ledger.validate import check_file
from conftest import FIXTURES

SAID = dt.date(2025, 12, 16)


@pytest.mark.parametrize(
    "text, start, end",
    [
        ("2026-03-31", "2026-03-31", "2026-03-31"),
        ("2026-02", "2026-02-01", "2026-02-28"),
        ("2024-02", "2024-02-01", "2024-02-29"),
        ("2026-Q1", "2026-01-01", "2026-03-31"),
        ("2026-Q4", "2026-10-01", "2026-12-31"),
        ("2026-H2", "2026-07-01", "2026-12-31"),
        ("2026", "2026-01-01", "2026-12-31"),
        ("within 2 years", "2025-12-16", "2027-12-16"),
        ("within 3 months", "2025-12-16", "2026-03-16"),
        ("within 1 week", "2025-12-16", "2025-12-23"),
    ],
)
def test_window(text, start, end):
    w = window(text, SAID)
    assert (w.start.isoformat(), w.end.isoformat()) == (start, end)


def test_window_accepts_yaml_types():
    assert window(2026, SAID).text == "2026"
    assert window(dt.date(2026, 3, 31), SAID).end == dt.date(2026, 3, 31)


def test_within_months_clamps_to_month_end():
    assert window("within 1 month", dt.date(2025, 1, 31)).end == dt.date(2025, 2, 28)


@pytest.mark.parametrize("text", ["2026-Q5", "2026-13", "2026-02-30", "next year", "within two years", "2026-H3"])
def test_window_rejects(text):
    with pytest.raises(ValueError):
        window(text, SAID)


@pytest.mark.parametrize(
    "phrase, expected",
    [
        ("今年", "2025"),
        ("明年", "2026"),
        ("后年", "2027"),
        ("明年第一季度", "2026-Q1"),  # dateparser returns nothing for this
        ("明年Q1", "2026-Q1"),
        ("两年内", "within 2 years"),  # and for this
        ("五年内", "within 5 years"),
        ("18个月内", "within 18 months"),
        ("2026年", "2026"),  # dateparser reads this as the year 4051
        ("2026年3月", "2026-03"),
        ("到2030年", "2030"),
        ("next year", "2026"),
        ("Q1 next year", "2026-Q1"),
        ("the first quarter of next year", "2026-Q1"),
        ("within two years", "within 2 years"),
        ("in the next 18 months", "within 18 months"),
        ("by 2030", "2030"),
        ("end of 2026", "2026"),
        ("first half of 2026", "2026-H1"),
        ("March 2026", "2026-03"),
        ("30 June 2026", "2026-06-30"),
        ("2026-Q2", "2026-Q2"),
    ],
)
def test_from_phrase(phrase, expected):
    assert from_phrase(phrase, SAID).deadline == expected


@pytest.mark.parametrize("phrase", ["未来几年", "in the next few years", "很快", "soon", "eventually"])
def test_vague_phrases_get_no_deadline(phrase):
    result = from_phrase(phrase, SAID)
    assert result.deadline is None and "vague" in result.reason


def test_nonsense_gets_no_deadline():
    result = from_phrase("when pigs fly", SAID)
    assert result.deadline is None and "canonical grammar" in result.reason


def test_due_orders_most_overdue_first():
    checked = check_file(FIXTURES / "claims.yaml", dt.date(2026, 11, 23))
    assert checked.problems == []
    overdue, upcoming = due(checked.entries, dt.date(2026, 11, 23))
    assert [(d.entry.id, d.days) for d in overdue] == [("agents-2025", 327), ("science-two-years", 22)]
    assert upcoming == []
    overdue, upcoming = due(checked.entries, dt.date(2025, 6, 1))
    assert overdue == []
    assert [d.entry.id for d in upcoming] == ["agents-2025", "science-two-years"]


@pytest.mark.parametrize("phrase, said", [("within 9999 years", "2025-01-01"), ("明年", "9999-12-31"),
                                          ("within 99999999999 weeks", "2025-01-01"), ("next year", "9999-12-31")])
def test_phrases_past_the_calendar_get_a_reason(phrase, said):
    found = from_phrase(phrase, dt.date.fromisoformat(said))
    assert found.deadline is None and "past the end of the calendar (9999-12-31)" in found.reason


def test_window_past_the_calendar_is_a_value_error():
    with pytest.raises(ValueError, match="past the end of the calendar"):
        window("within 99999999999 weeks", dt.date(2025, 1, 1))
    with pytest.raises(ValueError, match="past the end of the calendar"):
        window("within 2 years", dt.date(9999, 12, 31))
