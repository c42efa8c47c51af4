import datetime as dt

import pytest

from ledger.deadlines import due, window
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


def test_due_orders_most_overdue_first():
    checked = check_file(FIXTURES / "claims.yaml", dt.date(2026, 11, 23))
    assert checked.problems == []
    overdue, upcoming = due(checked.entries, dt.date(2026, 11, 23))
    assert [(d.entry.id, d.days) for d in overdue] == [("agents-2025", 327), ("science-two-years", 22)]
    assert upcoming == []
    overdue, upcoming = due(checked.entries, dt.date(2025, 6, 1))
    assert overdue == []
    assert [d.entry.id for d in upcoming] == ["agents-2025", "science-two-years"]


def test_window_past_the_calendar_is_a_value_error():
    with pytest.raises(ValueError, match="past the end of the calendar"):
        window("within 99999999999 weeks", dt.date(2025, 1, 1))
    with pytest.raises(ValueError, match="past the end of the calendar"):
        window("within 2 years", dt.date(9999, 12, 31))
