"""Deadlines: the canonical grammar, its date windows, and which open predictions are due."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, Union

_WITHIN = re.compile(r"within ([1-9][0-9]*) (year|month|week)s?")
_CANONICAL = re.compile(r"(\d{4})(?:-(?:(\d{2})(?:-(\d{2}))?|Q([1-4])|H([12])))?")


@dataclass(frozen=True)
class Window:
    """The span a deadline allows: a prediction is due once the as-of date is past `end`."""

    text: str
    start: dt.date
    end: dt.date


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, clamped to the end of a shorter month."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def _month_window(year: int, first: int, last: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, first, 1), dt.date(year, last, calendar.monthrange(year, last)[1])


def canonical(value: Union[str, int, dt.date]) -> str:
    """The deadline as canonical text (YAML reads `2026` as an integer and `2026-03-31` as a date)."""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def window(value: Union[str, int, dt.date], said_on: dt.date) -> Window:
    """The date window of a canonical deadline; raises ValueError with a readable reason."""
    text = canonical(value)
    m = _WITHIN.fullmatch(text)
    if m:
        n, unit = int(m.group(1)), m.group(2)
        try:
            if unit == "week":
                end = said_on + dt.timedelta(weeks=n)
            else:
                end = add_months(said_on, n * 12 if unit == "year" else n)
        except (OverflowError, ValueError):
            raise ValueError(f"'{text}' runs past the end of the calendar (9999-12-31)") from None
        return Window(text, said_on, end)
    m = _CANONICAL.fullmatch(text)
    if not m:
        raise ValueError(
            f"'{text}' is not a deadline: write YYYY-MM-DD, YYYY-MM, YYYY-Qn, YYYY-Hn, YYYY "
            "or 'within N years|months|weeks' (`ledger deadline PHRASE --said-on DATE` converts words as said)"
        )
    year = int(m.group(1))
    month, day, quarter, half = m.group(2), m.group(3), m.group(4), m.group(5)
    if day:
        try:
            d = dt.date(year, int(month), int(day))
        except ValueError:
            raise ValueError(f"'{text}' is not a real calendar date") from None
        return Window(text, d, d)
    if month:
        if not 1 <= int(month) <= 12:
            raise ValueError(f"'{text}' has no month {month}")
        return Window(text, *_month_window(year, int(month), int(month)))
    if quarter:
        q = int(quarter)
        return Window(text, *_month_window(year, 3 * q - 2, 3 * q))
    if half:
        h = int(half)
        return Window(text, *_month_window(year, 6 * h - 5, 6 * h))
    return Window(text, dt.date(year, 1, 1), dt.date(year, 12, 31))


# Phrases as said (明年第一季度, within two years) are read into this grammar by ledger/phrases.py.


@dataclass(frozen=True)
class Due:
    """An open prediction and where it stands against its deadline on the as-of date."""

    entry: Any
    window: Window
    days: int  # days past the end of the window; negative while still running


def _pending(entry: Any) -> bool:
    # Only an open prediction with a deadline can fall due.
    return bool(entry.kind == "prediction" and entry.status == "open" and entry.deadline is not None)


def is_overdue(entry: Any, as_of: dt.date) -> bool:
    """Whether an open prediction's deadline window ended before `as_of`."""
    return _pending(entry) and window(entry.deadline, entry.said_on).end < as_of


def due(entries: list[Any], as_of: dt.date) -> tuple[list[Due], list[Due]]:
    """Open predictions past their deadline, and those still running (soonest first).

    The overdue come least recently checked first (never checked at the top), then most overdue first:
    the order in which they need someone to look for evidence.
    """
    rows = [Due(e, w, (as_of - w.end).days) for e in entries if _pending(e) for w in [window(e.deadline, e.said_on)]]
    overdue = sorted((r for r in rows if r.days > 0),
                     key=lambda r: (r.entry.checked_on or dt.date.min, -r.days, r.entry.id))
    upcoming = sorted((r for r in rows if r.days <= 0), key=lambda r: (-r.days, r.entry.id))
    return overdue, upcoming
