"""Scores: how often the ledger's speakers were right, and how well their stated confidence fits.

Definitions (the README quotes these):

- An entry is *resolved* once its status is anything but ``open``.
  resolution rate = resolved / entries.
- *Scored* statuses are ``correct``, ``partly_correct`` and ``wrong``; ``unresolvable`` and
  ``withdrawn`` are counted and shown but never scored.
- The headline scores are over predictions only (``predictions``); claims are checked facts, not
  forecasts, and get their own row (``claims``). ``overall`` counts both, as every grouping does.
- hit rate = (correct + 0.5 × partly_correct) / (correct + partly_correct + wrong).
  Its 95% Wilson score interval (z = 1.959964) is computed on the same effective successes over
  n = correct + partly_correct + wrong, so 2 right out of 2 gives a wide interval, not certainty.
  With n = 0 the hit rate and its interval are null.
- Brier score = mean of (confidence − outcome)² over the scored entries that state a
  ``confidence``, with outcome 1 for correct, 0.5 for partly_correct and 0 for wrong; brier_n counts
  them. Lower is better; always saying 0.5 scores 0.25. Null when brier_n = 0.
- Calibration bins confidence into [0, 0.2), [0.2, 0.4), [0.4, 0.6), [0.6, 0.8), [0.8, 1.0] and gives
  each bin's count, mean confidence and mean outcome.
- *Overdue* = open predictions whose deadline window ended before the as-of date.
- Scoreboards group by speaker, topic (an entry counts once under each of its topics), source, kind
  and year said, sorted by entries (most first) then name; years in calendar order. Missing numbers
  are NaN in the DataFrames and null in JSON.

`boards` gives the same numbers as `score` in plain dicts: the report needs no DataFrame, and pandas costs
a third of a second to import.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from typing import TYPE_CHECKING, Callable, Iterable, Optional

from ledger.deadlines import is_overdue
from ledger.model import Entry
from ledger.vocabulary import OUTCOME, SCORED_STATUSES, STATUSES

Z = 1.959964
COUNTS = ("entries", "resolved", "correct", "partly_correct", "wrong", "unresolvable", "withdrawn", "open", "overdue")
COLUMNS = (*COUNTS, "hit_rate", "hit_rate_low", "hit_rate_high", "brier", "brier_n")
BINS = ((0.0, 0.2), (0.2, 0.4), (0.4, 0.6), (0.6, 0.8), (0.8, 1.0))
GROUPS: dict[str, Callable[[Entry], Iterable[str]]] = {
    "speaker": lambda e: [e.speaker],
    "topic": lambda e: dict.fromkeys(e.topics),  # once per topic, even if listed twice
    "source": lambda e: [e.source],
    "kind": lambda e: [e.kind],
    "year": lambda e: [str(e.said_on.year)],
}
Row = dict[str, float | int | None]  # one scoreboard row: counts, rates, the Brier score

if TYPE_CHECKING:
    import pandas as pd


def wilson(successes: float, n: int, z: float = Z) -> Optional[tuple[float, float]]:
    """The Wilson score interval for `successes` out of `n` (successes may be fractional); None when n = 0."""
    if n <= 0:
        return None
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z / denom * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    # Clamp away float noise such as 1.0000000000000002.
    return max(0.0, centre - half), min(1.0, centre + half)


def tally(entries: list[Entry], as_of: dt.date) -> dict[str, float | int | None]:
    """One scoreboard row for `entries`: counts, hit rate with its interval, Brier score."""
    row: dict[str, float | int | None] = dict.fromkeys(COUNTS, 0)
    # One pass, not one per status: `ledger history` tallies every version of a long history.
    by_status = Counter(e.status for e in entries)
    for status in STATUSES:
        row[status] = by_status[status]
    row["entries"] = len(entries)
    row["resolved"] = len(entries) - int(row["open"] or 0)
    row["overdue"] = sum(is_overdue(e, as_of) for e in entries)
    scored = [e for e in entries if e.status in SCORED_STATUSES]
    n = len(scored)
    hits = sum((OUTCOME[e.status] for e in scored), 0.0)
    interval = wilson(hits, n)
    row["hit_rate"] = hits / n if n else None
    row["hit_rate_low"], row["hit_rate_high"] = interval if interval else (None, None)
    errors = [(c - o) ** 2 for c, o in _judged(entries)]
    row["brier"] = sum(errors) / len(errors) if errors else None
    row["brier_n"] = len(errors)
    return row


def _frame(rows: dict[str, Row], name: str) -> pd.DataFrame:
    import pandas as pd

    frame = pd.DataFrame.from_dict(rows, orient="index", columns=list(COLUMNS))
    frame = frame.astype({c: "int64" for c in (*COUNTS, "brier_n")})
    frame = frame.astype({c: "float64" for c in ("hit_rate", "hit_rate_low", "hit_rate_high", "brier")})
    frame.index.name = name
    return frame


def scoreboard_rows(entries: list[Entry], as_of: dt.date, by: Optional[str] = None,
                    name: str = "overall") -> dict[str, Row]:
    """Scoreboard rows by group name, grouped `by` speaker, topic, source, kind or year (None: one row, `name`)."""
    if by is None:
        return {name: tally(entries, as_of)}
    key = GROUPS[by]
    groups: dict[str, list[Entry]] = {}
    for e in entries:
        for name in key(e):
            groups.setdefault(name, []).append(e)
    # A year is read along the calendar, the other groups by their size.
    order = sorted(groups) if by == "year" else sorted(groups, key=lambda name: (-len(groups[name]), name))
    return {name: tally(groups[name], as_of) for name in order}


def scoreboard(entries: list[Entry], as_of: dt.date, by: Optional[str] = None, name: str = "overall") -> pd.DataFrame:
    """Scoreboard rows grouped `by` speaker, topic, source, kind or year (None: one row called `name`)."""
    return _frame(scoreboard_rows(entries, as_of, by, name), "group" if by is None else by)


def _judged(entries: list[Entry]) -> list[tuple[float, float]]:
    """(confidence, outcome) of each scored entry that states a confidence."""
    return [(e.confidence, OUTCOME[e.status]) for e in entries
            if e.status in SCORED_STATUSES and e.confidence is not None]


def binned(entries: list[Entry]) -> list[tuple[float, float, list[tuple[float, float]]]]:
    """Per confidence bin of BINS (the last one closed): its edges and the (confidence, outcome) of the scored
    entries with a confidence that fall in it."""
    judged = _judged(entries)
    out = []
    for i, (low, high) in enumerate(BINS):
        last = i == len(BINS) - 1
        # Compare with the edges rather than divide: 0.6 / 0.2 is 2.9999999999999996.
        out.append((low, high, [(c, o) for c, o in judged if low <= c < high or (last and c == high)]))
    return out


def calibration_rows(entries: list[Entry]) -> list[dict[str, float | int | str]]:
    """Per confidence bin: its label and edges, count, mean confidence and mean outcome (NaN when empty)."""
    rows: list[dict[str, float | int | str]] = []
    for low, high, inside in binned(entries):
        last = high == BINS[-1][1]
        rows.append(
            {
                "bin": f"[{low:.1f}, {high:.1f}{']' if last else ')'}",
                "low": low,
                "high": high,
                "count": len(inside),
                "mean_confidence": sum(c for c, _ in inside) / len(inside) if inside else math.nan,
                "mean_outcome": sum(o for _, o in inside) / len(inside) if inside else math.nan,
            }
        )
    return rows


def calibration(entries: list[Entry]) -> pd.DataFrame:
    """Per confidence bin: count, mean confidence and mean outcome of the scored entries with a confidence."""
    import pandas as pd

    return pd.DataFrame(calibration_rows(entries))


def boards(entries: list[Entry], as_of: dt.date) -> dict[str, dict[str, Row]]:
    """Every scoreboard of `score` ('calibration' aside) as rows by group name, without pandas."""
    out = {"overall": scoreboard_rows(entries, as_of)}
    for kind, name in (("prediction", "predictions"), ("claim", "claims")):
        out[name] = scoreboard_rows([e for e in entries if e.kind == kind], as_of, name=name)
    out.update({by: scoreboard_rows(entries, as_of, by) for by in GROUPS})
    return out


def score(entries: list[Entry], as_of: dt.date) -> dict[str, pd.DataFrame]:
    """Every scoreboard: 'overall', 'predictions', 'claims', one per grouping in GROUPS, and 'calibration'."""
    frames = {name: _frame(rows, name if name in GROUPS else "group") for name, rows in boards(entries, as_of).items()}
    frames["calibration"] = calibration([e for e in entries if e.kind == "prediction"])
    return frames
