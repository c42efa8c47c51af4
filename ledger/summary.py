"""What every view of the report shows: the numbers, computed once, and the sentences and cells they share.

`Report` holds the entries, scores, overdue list and charts; `readme` (Markdown) and `page` (HTML) lay them out.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any, Callable, Optional

from ledger import chart, score, timeline
from ledger.chart import plural
from ledger.deadlines import due, window
from ledger.escape import web_url
from ledger.model import Entry, Source
from ledger.vocabulary import SCORED_STATUSES

GROUPINGS = (("speaker", "Speaker"), ("topic", "Topic"), ("source", "Source"), ("kind", "Kind"),
             ("year", "Year said"))
DEFINITIONS = (
    "**Predictions** are forward-looking statements (plans, expectations, bets); **claims** are statements of "
    "checkable fact (figures, dates, launches). The headline hit rate and Brier score are over predictions only; "
    "claims are counted on their own line as true, partly true or false.",
    "**Hit rate** = (correct + ½ × partly correct) / (correct + partly correct + wrong), with a 95% Wilson "
    "score interval on the same counts, so 2 right out of 2 is not certainty.",
    "**Unresolvable** and **withdrawn** entries are counted and shown but not scored.",
    "**Brier score** = mean of (confidence − outcome)² over scored predictions that state a confidence, with "
    "outcome 1 for correct, ½ for partly correct, 0 for wrong; lower is better and always saying 50% scores 0.25.",
    "**Criteria**: what would count as correct, partly correct and wrong, written from the words as said before "
    "the outcome was looked up. **Checked**: the last day someone searched for evidence of an open entry.",
    "**Evidence** is typed: **primary** (the organisation's own announcement, filing, product page or data), "
    "**report** (independent reporting by a news organisation or research body) or **speaker** (the speaker's "
    "own later account). A verdict needs one primary item or reports from two publishers; the speaker's own "
    "word never carries a verdict alone.",
    "**Overdue** = open predictions whose deadline window ended before the as-of date; **overdue since** is the "
    "first day after the window. **Resolution rate** = resolved entries / all entries.",
    "**As of**: the last day on which anything this report says changed (a prediction fell overdue, an entry was "
    "checked or resolved); regenerating it later with nothing new leaves it as it is.",
    "**≈** before a date said: the source does not give the day, so the date is the best-supported one, by default "
    "the latest the documents allow (the entry's notes give the range and the records it rests on).",
)
TABLE_LIMIT = 1_000  # entries listed one by one; a larger ledger lists the most recently said, claims.csv has all
AWAITING_ORDER = "never checked first, then least recently checked, then most overdue"
# A fixed sentence, whatever the git history: `ledger report --check` must not depend on it (`make report` runs
# `ledger history`, which writes history.md beside the report).
HISTORY_LINK = "How the record changed, commit by commit (every verdict given, changed or withdrawn, and when):"



# --- Formatting ------------------------------------------------------------------------------


def num(value: Any) -> Any:
    """A JSON-ready scalar: numpy types unwrapped, NaN as null, floats to 4 places."""
    if value is None:
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float):
        return None if math.isnan(value) else round(value, 4)
    return value


def pct(value: Any) -> str:
    value = num(value)
    return "–" if value is None else f"{value * 100:.0f}%"


def hit(row: dict[str, Any]) -> str:
    if row["hit_rate"] is None:
        return "–"
    return f"{pct(row['hit_rate'])} ({pct(row['hit_rate_low'])}–{pct(row['hit_rate_high'])})"


def brier(row: dict[str, Any]) -> str:
    return "–" if row["brier"] is None else f"{row['brier']:.3f} (n={row['brier_n']})"


def rate(row: dict[str, Any]) -> str:
    return pct(row["resolved"] / row["entries"]) if row["entries"] else "–"


def status_label(status: str) -> str:
    return status.replace("_", " ")


# --- The data behind every view ----------------------------------------------------------------


class Report:
    """Everything the views need, computed once."""

    def __init__(self, entries: list[Entry], sources: dict[str, Source], as_of: dt.date) -> None:
        self.as_of = as_of
        self.sources = sources
        self.entries = sorted(entries, key=lambda e: (e.said_on, e.id))
        self.listed = self.entries[-TABLE_LIMIT:]
        self.listed_ids = {e.id for e in self.listed}
        self.rows = timeline.timeline_rows(self.entries, as_of)
        self.not_drawn = timeline.undrawn(self.entries)
        # The timeline is half the drawing: a second core draws it while this one does everything else.
        timeline_files = chart.in_child(lambda: timeline.files(self.rows, as_of, self.not_drawn))
        boards = score.boards(self.entries, as_of)
        self.overall = self._records(boards["overall"])["overall"]
        self.predictions = self._records(boards["predictions"])["predictions"]
        self.claims = self._records(boards["claims"])["claims"]
        self.scored = sum(self.predictions[s] for s in SCORED_STATUSES)  # the headline hit rate's n
        self.boards = {by: self._records(boards[by]) for by, _ in GROUPINGS}
        self.calibration = [{k: num(v) for k, v in r.items()}
                            for r in score.calibration_rows([e for e in self.entries if e.kind == "prediction"])]
        self.overdue = due(self.entries, as_of)[0]
        self.overdue_without_criteria = sum(d.entry.criteria is None for d in self.overdue)
        self.calibrated = sum(b["count"] for b in self.calibration)
        figures = {"scorecard": chart.scorecard(self.entries, as_of),
                   "calibration": chart.calibration(self.entries, as_of)}
        self._svg = {name: chart.to_svg(fig) for name, fig in figures.items()}
        self._png = {name: chart.to_png(fig) for name, fig in figures.items()}
        # Waited for only when a chart's bytes are asked for: the views without the timeline are written meanwhile.
        self._timeline: Optional[Callable[[], dict[str, bytes]]] = timeline_files

    def _drawn(self) -> None:
        if self._timeline is not None:
            drawn, self._timeline = self._timeline(), None
            self._svg["timeline"], self._png["timeline"] = drawn["svg"], drawn["png"]

    @property
    def svg(self) -> dict[str, bytes]:
        """Each chart's SVG bytes by name."""
        self._drawn()
        return self._svg

    @property
    def png(self) -> dict[str, bytes]:
        """Each chart's PNG bytes by name."""
        self._drawn()
        return self._png

    @staticmethod
    def _records(rows: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        return {str(name): {k: num(v) for k, v in row.items()} for name, row in rows.items()}

    def group_label(self, by: str, name: str) -> str:
        if by == "source" and name in self.sources:
            s = self.sources[name]
            return f"{s.title_en or s.title} ({name})"
        if by == "kind":
            return {"prediction": "predictions", "claim": "claims"}.get(name, name)
        return name

    def deadline(self, e: Entry) -> str:
        if e.deadline is None:
            return "claim" if e.kind == "claim" else "no deadline"
        w = window(e.deadline, e.said_on)
        # A relative deadline's end depends on the day said, so spell it out.
        return f"{w.text} (ends {w.end.isoformat()})" if w.text.startswith("within") else w.text

    def status(self, e: Entry) -> str:
        label = status_label(e.status)
        if e.resolved_on:
            return f"{label}, {e.resolved_on.isoformat()}"
        return f"{label}, checked {e.checked_on.isoformat()}" if e.checked_on else label

    def evidence(self, e: Entry) -> list[dict[str, Any]]:
        """Each piece of evidence: label, url (a web page or None), source (the id of an archived source it
        quotes, or None), type, date, quote and note."""
        out = []
        for ev in e.evidence:
            url: Optional[str]
            if ev.url:
                host = re.sub(r"^https?://(www\.)?", "", ev.url).split("/")[0] or ev.url
                label, url = ev.publisher or host, ev.url
            else:
                # The source id, not its title: titles run to a sentence and would bury the passage.
                s = self.sources.get(ev.source or "")
                label, url = ev.source or "", s.url if s else None
            out.append({"label": label, "url": web_url(url), "source": None if ev.url else ev.source,
                        "type": ev.type, "date": ev.published_on.isoformat() if ev.published_on else "",
                        "quote": ev.quote or "", "note": ev.note})
        return out

    def headline(self) -> list[str]:
        """The headline sentences, in Markdown; every score sits beside the resolution rate and overdue count."""
        o, p, c = self.overall, self.predictions, self.claims
        kinds = self.boards["kind"]
        mix = ", ".join(plural(kinds[k]["entries"], k) for k in ("prediction", "claim") if k in kinds)
        context = f"predictions' resolution rate {rate(p)}, {p['overdue']:,} overdue"
        lines = [
            f"**{plural(o['entries'], 'entry', 'entries')}**" + (f" ({mix})" if mix else "")
            + f" · **{o['resolved']:,} resolved** (resolution rate {rate(o)})"
            + f" · **{plural(o['overdue'], 'open prediction')} past the deadline**",
        ]
        if p["hit_rate"] is None:
            lines.append(f"**Predictions' hit rate: none yet**, no prediction is resolved correct, partly correct "
                         f"or wrong ({context})")
        else:
            lines.append(
                f"**Predictions' hit rate {pct(p['hit_rate'])}** (95% interval {pct(p['hit_rate_low'])}–"
                f"{pct(p['hit_rate_high'])}, from {plural(self.scored, 'scored prediction')}; {context})"
            )
        if p["brier"] is None:
            lines.append(f"**Predictions' Brier score: none yet**, no scored prediction states a confidence ({context})")
        else:
            lines.append(
                f"**Predictions' Brier score {p['brier']:.3f}** (from {plural(p['brier_n'], 'prediction')} with a "
                f"stated confidence; lower is better; {context})"
            )
        lines.append(
            f"**Claims: {c['resolved']:,} of {c['entries']:,} checked**: {c['correct']:,} true, "
            f"{c['partly_correct']:,} partly true, {c['wrong']:,} false, {c['unresolvable']:,} unresolvable "
            f"(not part of the hit rate)"
        )
        return lines


# --- Shared by the views -------------------------------------------------------------------------

BOARD_HEADERS = ("Entries", "Resolved", "Resolution rate", "Overdue", "Correct", "Partly", "Wrong",
                  "Unresolvable", "Withdrawn", "Open", "Hit rate (95% interval)", "Brier (n)")


def board_cells(row: dict[str, Any]) -> list[str]:
    return [f"{row['entries']:,}", f"{row['resolved']:,}", rate(row), f"{row['overdue']:,}", f"{row['correct']:,}",
            f"{row['partly_correct']:,}", f"{row['wrong']:,}", f"{row['unresolvable']:,}",
            f"{row['withdrawn']:,}", f"{row['open']:,}", hit(row), brier(row)]


def partial_note(r: Report, csv: str) -> str:
    # Megabytes of table help no reader: past TABLE_LIMIT the page stays light and the full list is a file.
    return (f"The ledger holds {len(r.entries):,} entries: this table lists the {len(r.listed):,} said most recently "
            f"(from {r.listed[0].said_on.isoformat()}). Every entry is in {csv}, and in the database that "
            "`ledger export --format sqlite` writes (`make serve` opens it in Datasette, with search and facets).")


def timeline_caption(r: Report) -> str:
    return (f"One row per prediction with a deadline or a verdict ({len(r.rows):,}); "
            f"{plural(r.not_drawn, 'open prediction')} without a deadline "
            f"{'is' if r.not_drawn == 1 else 'are'} not drawn and listed in the tables.")


def since(d: Any) -> str:
    # A date, not a count of days: the report must not change only because a day went by.
    return (d.window.end + dt.timedelta(days=1)).isoformat()
