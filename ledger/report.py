"""The published report: every output file rendered in memory, then written atomically.

`render` returns each file's bytes and writes nothing; the same entries and as-of date always give
the same bytes (no clock, stable sort orders, "\\n" line endings). `write` builds the new folder beside the
old one and swaps the two, so a failure or a kill leaves the previous report whole.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any, Optional

from ledger import atomic, claimreview, export, page, readme
from ledger.config import Site
from ledger.deadlines import due
from ledger.load import Document
from ledger.model import Entry, Source
from ledger.summary import GROUPINGS, Report

CHARTS = ("scorecard", "timeline", "calibration")
FILES = ("README.md", "calibration.png", "calibration.svg", "claimreview.jsonld", "claims.csv", "index.html",
         "scorecard.png", "scorecard.svg", "scoreboard.json", "timeline.png", "timeline.svg")


def _scoreboard_json(r: Report) -> str:
    data: dict[str, Any] = {"as_of": r.as_of.isoformat(), "overall": r.overall, "predictions": r.predictions,
                            "claims": r.claims}
    data.update({f"by_{by}": r.boards[by] for by, _ in GROUPINGS})
    data["calibration"] = r.calibration
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


# --- Public API --------------------------------------------------------------------------------


def stable_as_of(entries: list[Entry], recorded: Optional[dt.date], today: dt.date) -> dt.date:
    """The as-of date for a report made today: the recorded one while nothing the report says has changed since.

    Only two things move with the date: which predictions are overdue, and dates in the ledger that lie after
    the recorded day (a check or a verdict recorded since). While neither moved, the committed report stays as
    it is, byte for byte.
    """
    if recorded is None or recorded > today:
        return today
    latest = max((d for e in entries for d in _dates(e)), default=recorded)
    candidate = max(recorded, latest)
    if candidate > today:
        return today
    overdue = {d.entry.id for d in due(entries, candidate)[0]}
    return candidate if overdue == {d.entry.id for d in due(entries, today)[0]} else today


def _dates(e: Entry) -> list[dt.date]:
    found = [e.said_on, *(d for d in (e.resolved_on, e.checked_on) if d is not None)]
    found += [ev.published_on for ev in e.evidence if ev.published_on is not None]
    found += [a.on for a in e.amendments]
    return found


def render(entries: list[Entry], sources: dict[str, Source], as_of: dt.date, site: Optional[Site] = None,
           lines: Optional[dict[str, str]] = None) -> dict[str, bytes]:
    """Every report file's bytes by file name; writes nothing, and the same input gives the same bytes.

    `site` says who publishes the report and where (ClaimReview's author and url); `lines` maps an entry's id
    to the address of its line in the ledger, relative to the report's folder, for README.md's links.
    """
    r = Report(entries, sources, as_of)
    reviews = claimreview.reviews(r, site)
    texts = {
        "README.md": readme.render(r, lines or {}),
        "claimreview.jsonld": claimreview.document(reviews) + "\n",
        "claims.csv": export.to_csv(export.rows(r.entries, as_of)),
        "index.html": page.render(r, claimreview.document(reviews, indent=None)),
        "scoreboard.json": _scoreboard_json(r),
    }
    outputs = {name: text.encode("utf-8") for name, text in texts.items()}
    for name in CHARTS:
        outputs.update({f"{name}.png": r.png[name], f"{name}.svg": r.svg[name]})
    return {name: outputs[name] for name in FILES}


def entry_lines(doc: Optional[Document], ledger: str) -> dict[str, str]:
    """Each entry's id to the address of its first line: `ledger` (the ledger's path from the report's folder)
    and #L and the line, which GitHub shows highlighted."""
    entries = doc.data.get("entries") if doc is not None and isinstance(doc.data, dict) else None
    if doc is None or doc.root is None or not isinstance(entries, list):
        return {}
    return {item["id"]: f"{ledger}#L{doc.where(('entries', i))[0]}"
            for i, item in enumerate(entries) if isinstance(item, dict) and isinstance(item.get("id"), str)}


def write(outputs: dict[str, bytes], out_dir: Path) -> None:
    """Replace the report in `out_dir` with `outputs` as a whole: a reader, or a crash, finds the complete old
    report or the complete new one, never a mix (atomic.replace_dir)."""
    for name in outputs:
        if name in ("", ".", "..") or Path(name).name != name or "/" in name or "\\" in name:
            raise ValueError(f"report file name {name!r} must be a plain file name inside the output directory")
    atomic.replace_dir(out_dir, outputs, 0o644)  # a published report is world-readable


def stale(outputs: dict[str, bytes], out_dir: Path) -> list[str]:
    """Names of the files in `outputs` that are missing from `out_dir` or differ from it."""
    changed = []
    for name, data in outputs.items():
        path = out_dir / name
        if not path.is_file() or path.read_bytes() != data:
            changed.append(name)
    return sorted(changed)


def recorded_as_of(out_dir: Path) -> Optional[dt.date]:
    """The as-of date of the report in `out_dir`, from its scoreboard.json; None if there is none."""
    try:
        data = json.loads((out_dir / "scoreboard.json").read_text(encoding="utf-8"))
        return dt.date.fromisoformat(data["as_of"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
