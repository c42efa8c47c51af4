"""The report's index.html: one self-contained page for readers, from Jinja templates with autoescaping.

This module gathers what the page shows into plain values; `templates/index.html` lays them out, and
`static/report.css` and `static/report.js` are inlined, so the page needs no network. Every ledger string
reaches the page through the template's autoescaping, after `escape.terminal_lines` has made its control
characters visible; only markup built here from escaped parts, and the charts, are marked safe.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache
from importlib import resources
from typing import Any

import jinja2
from markupsafe import Markup

from ledger import escape
from ledger.deadlines import window
from ledger.model import Entry
from ledger.summary import (AWAITING_ORDER, BOARD_HEADERS, DEFINITIONS, GROUPINGS, HISTORY_LINK, Report, board_cells,
                            num, partial_note, pct, plural, rate, since, status_label, timeline_caption)
from ledger.vocabulary import KINDS, STATUSES

ATTRIBUTION_LABELS = {"direct": "direct quote", "reported": "reported by another", "secondary": "secondary source"}
ATTRIBUTION_TITLES = {
    "direct": "The speaker's own words, in a transcript or its translation",
    "reported": "Someone else relays what the speaker said",
    "secondary": "Only a secondary source attributes these words; the primary transcript does not contain them",
}
SORTS = (("said-desc", "Date said, newest first"), ("said-asc", "Date said, oldest first"),
         ("deadline-asc", "Deadline, soonest first"), ("deadline-desc", "Deadline, latest first"))
# Where the timeline goes: ledger text cannot put a NUL on the page (it is shown as \x00), nor can our own files.
_TIMELINE = "\x00timeline\x00"
_BOARD_KEYS = ("entries", "resolved", None, "overdue", "correct", "partly_correct", "wrong", "unresolvable",
               "withdrawn", "open", "hit_rate", "brier")


def _finalize(value: Any) -> Any:
    # Runs before autoescaping: controls and invisible characters in ledger text become visible escapes.
    return escape.terminal_lines(value) if isinstance(value, str) and not isinstance(value, Markup) else value


@lru_cache(maxsize=1)
def _env() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.PackageLoader("ledger", "templates"), autoescape=True,
                             undefined=jinja2.StrictUndefined, finalize=_finalize, trim_blocks=True,
                             lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["md"] = _inline_markdown
    return env


def _static(name: str) -> Markup:
    # Our own files, inlined so that the page stands alone; nothing from the ledger is in them.
    return Markup(resources.files("ledger").joinpath("static", name).read_text(encoding="utf-8"))


def _inline_markdown(text: str) -> Markup:
    """The shared sentences' **bold** and `code` as HTML; everything else in them escaped."""
    escaped = escape.html(text)
    return Markup(re.sub(r"`(.+?)`", r"<code>\1</code>", re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", escaped)))


def _cell(text: Any, sort: Any = None, cls: str = "") -> dict[str, Any]:
    """A table cell: its text and, where sorting should not go by the text, the value it sorts by."""
    value = num(sort)
    return {"text": text, "sort": None if sort is None else ("" if value is None else value), "cls": cls}


def _source(r: Report, ident: str) -> dict[str, Any]:
    s = r.sources.get(ident)
    if s is None:
        return {"id": ident, "title": ident, "title_en": "", "outlet": "", "url": None, "video_url": None,
                "language": "", "known": False}
    return {"id": ident, "title": s.title, "title_en": s.title_en or "", "outlet": s.outlet or "",
            "url": escape.web_url(s.url), "video_url": escape.web_url(s.video_url), "language": s.language,
            "known": True, "author": s.author or "", "published_on": s.published_on.isoformat() if s.published_on else "",
            "event": s.event or "", "event_date": (("≈" if s.event_date_approximate else "") + s.event_date.isoformat()
                                                   if s.event_date else ""),
            "file": s.file, "sha256": s.sha256, "speakers": ", ".join(s.speakers), "notes": s.notes or ""}


def _entry(r: Report, e: Entry, overdue: dict[str, str]) -> dict[str, Any]:
    deadline_end = window(e.deadline, e.said_on).end.isoformat() if e.deadline is not None else ""
    # The README's status cell, and on the page "never checked" where the README leaves it unsaid.
    verdict = r.status(e) + ("" if e.resolved_on or e.checked_on else ", never checked")
    return {
        "id": e.id, "kind": e.kind, "status": e.status, "status_label": status_label(e.status),
        "overdue_since": overdue.get(e.id, ""), "attribution": e.attribution,
        "attribution_label": ATTRIBUTION_LABELS[e.attribution], "attribution_title": ATTRIBUTION_TITLES[e.attribution],
        "speaker": e.speaker, "said": e.said_text, "said_iso": e.said_on.isoformat(),
        "approximate": e.said_on_approximate, "summary": e.summary, "quote": e.quote,
        "source": _source(r, e.source), "deadline": r.deadline(e), "deadline_text": e.deadline_text or "",
        "deadline_end": deadline_end, "criteria": e.criteria or "",
        "confidence": "" if e.confidence is None else pct(e.confidence), "topics": e.topics, "verdict": verdict,
        "evidence": r.evidence(e), "notes": e.notes or "",
        "amendments": [{"on": a.on.isoformat(), "fields": ", ".join(a.fields), "reason": a.reason}
                       for a in e.amendments],
        "related": [(ident, ident in r.listed_ids) for ident in e.related],
    }


def _facets(r: Report, entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each filter with its options and how many listed entries each matches, before any other filter."""
    speakers = Counter(e["speaker"] for e in entries)
    statuses = Counter(e["status"] for e in entries)
    statuses["overdue"] = sum(bool(e["overdue_since"]) for e in entries)
    kinds = Counter(e["kind"] for e in entries)
    topics = Counter(t for e in entries for t in e["topics"])
    sources = Counter(e["source"]["id"] for e in entries)

    def options(counts: Counter[str], order: list[str], label: Any = str) -> list[dict[str, Any]]:
        return [{"value": v, "label": label(v), "count": counts[v]} for v in order if counts[v]]

    status_order = ["open", "overdue", *STATUSES[1:]]
    return [
        {"name": "speaker", "title": "Speaker", "all": "All speakers",
         "options": options(speakers, sorted(speakers, key=lambda s: (-speakers[s], s)))},
        {"name": "status", "title": "Status", "all": "All statuses",
         "options": options(statuses, status_order, lambda s: "open, past the deadline" if s == "overdue"
                            else status_label(s))},
        {"name": "kind", "title": "Kind", "all": "Predictions and claims",
         "options": options(kinds, list(KINDS), lambda k: k + "s")},
        {"name": "topic", "title": "Topic", "all": "All topics",
         "options": options(topics, sorted(topics, key=lambda t: (-topics[t], t)))},
        {"name": "source", "title": "Source", "all": "All sources",
         "options": options(sources, sorted(sources, key=lambda s: (-sources[s], s)),
                            lambda s: r.group_label("source", s))},
    ]


def render(r: Report, jsonld: str) -> str:
    """index.html's text; `jsonld` is the ClaimReview document embedded for search engines."""
    o, p, c = r.overall, r.predictions, r.claims
    cards = [
        ("", f"{o['entries']:,}", "entries"),
        ("", f"{o['resolved']:,}", f"resolved · resolution rate {rate(o)}"),
        ("warn" if o["overdue"] else "", f"{o['overdue']:,}", "open predictions past the deadline"),
        ("", pct(p["hit_rate"]), f"predictions' hit rate · 95% interval {pct(p['hit_rate_low'])}–"
         f"{pct(p['hit_rate_high'])} · n={r.scored:,}" if p["hit_rate"] is not None
         else "predictions' hit rate · nothing scored yet"),
        ("", "–" if p["brier"] is None else f"{p['brier']:.3f}",
         f"predictions' Brier score · n={p['brier_n']:,} · lower is better"),
        ("", f"{c['resolved']:,} of {c['entries']:,}",
         f"claims checked · {c['correct']:,} true, {c['partly_correct']:,} partly, {c['wrong']:,} false"),
    ]
    overdue = {d.entry.id: since(d) for d in r.overdue}
    awaiting = [[
        _cell(since(d), -d.days, "late nowrap"), _cell(d.window.text, d.window.end.toordinal(), "nowrap"),
        _cell(d.entry.said_text, d.entry.said_on.toordinal(), "nowrap"), _cell(d.entry.checked_text, cls="nowrap"),
        _cell(d.entry.speaker, cls="nowrap"), _cell(d.entry.summary, cls="s"), _cell(d.entry.id, cls="id"),
    ] for d in r.overdue]
    boards = []
    for by, title in GROUPINGS:
        rows = [[_cell(r.group_label(by, name)), *(
            _cell(text, row[k] if k else (row["resolved"] / row["entries"] if row["entries"] else None), "n")
            for text, k in zip(board_cells(row), _BOARD_KEYS))] for name, row in r.boards[by].items()]
        boards.append({"title": title, "headers": [title, *BOARD_HEADERS], "rows": rows})
    calibration = [[_cell(b["bin"]), _cell(f"{b['count']:,}", b["count"], "n"),
                    _cell(pct(b["mean_confidence"]), b["mean_confidence"], "n"),
                    _cell(pct(b["mean_outcome"]), b["mean_outcome"], "n")] for b in r.calibration]
    # Newest first: a reader comes for what was said lately; the sort menu offers the other orders.
    listed = sorted(r.listed, key=lambda e: (-e.said_on.toordinal(), e.id))
    entries = [_entry(r, e, overdue) for e in listed]
    text = _env().get_template("index.html").render(
        as_of=r.as_of.isoformat(), cards=cards, empty=not r.entries, rate=rate(o), overdue_count=o["overdue"],
        definitions=DEFINITIONS, awaiting=awaiting, awaiting_note=(
            f"{plural(len(r.overdue), 'open prediction')} past the deadline, {AWAITING_ORDER}; "
            f"{r.overdue_without_criteria:,} of them still without criteria."),
        timeline_caption=timeline_caption(r), timeline_label=(
            f"Timeline of {plural(len(r.rows), 'prediction')} with a deadline or a verdict, as of {r.as_of}"),
        timeline_svg=Markup(_TIMELINE), history_link=HISTORY_LINK, boards=boards,
        calibrated=plural(r.calibrated, "resolved prediction"), calibration=calibration,
        partial=partial_note(r, "claims.csv") if len(r.listed) < len(r.entries) else "",
        entries=entries, total=len(entries), facets=_facets(r, entries), sorts=SORTS,
        sources=[_source(r, ident) for ident in sorted(r.sources)],
        jsonld=Markup(escape.json_script(jsonld)),
        css=_static("report.css"), js=_static("report.js"),
    )
    # The timeline is drawn in a child process: the page is laid out while it draws, and the drawing put in last.
    svg = r.svg["timeline"].decode("utf-8")
    return text.replace(_TIMELINE, svg[svg.index("<svg"):], 1)

