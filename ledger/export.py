"""Entries as flat, normalised records for JSON and CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from typing import Any, Sequence

from ledger import escape
from ledger.deadlines import window
from ledger.model import Entry

COLUMNS = (
    "id", "kind", "speaker", "attribution", "source", "said_on", "said_on_approximate", "quote", "summary", "topics",
    "deadline", "deadline_text", "deadline_start", "deadline_end", "due", "criteria", "confidence", "status",
    "resolved_on", "evidence", "checked_on", "related", "notes",
)


def rows(entries: list[Entry], as_of: dt.date) -> list[dict[str, Any]]:
    """One JSON-ready record per entry, with the deadline window and a `due` flag."""
    out = []
    for e in entries:
        record = e.model_dump(mode="json", exclude={"amendments"})
        w = window(e.deadline, e.said_on) if e.deadline is not None else None
        record["deadline_start"] = w.start.isoformat() if w else None
        record["deadline_end"] = w.end.isoformat() if w else None
        record["due"] = bool(w and e.status == "open" and as_of > w.end)
        record["evidence"] = [{k: v for k, v in ev.items() if v is not None} for ev in record["evidence"]]
        record["amendments"] = e.model_dump(mode="json")["amendments"]
        out.append({key: record[key] for key in (*COLUMNS, "amendments")})
    return out


def to_json(records: list[dict[str, Any]]) -> str:
    """Records as indented JSON, non-ASCII text kept readable."""
    return json.dumps(records, ensure_ascii=False, indent=2) + "\n"


def to_csv(records: list[dict[str, Any]]) -> str:
    """Records as CSV: lists joined with '; ', evidence as JSON text, rows ending in LF, and no cell that a
    spreadsheet would run as a formula (see escape.csv_cell)."""
    buffer = io.StringIO()
    # The csv module quotes a field for the characters of its line terminator only: with "\r\n" a field
    # holding a lone CR or LF is quoted either way, and each row's own terminator then becomes "\n".
    writer = csv.writer(buffer, lineterminator="\r\n")
    lines: list[str] = []

    def write(cells: Sequence[Any]) -> None:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(cells)
        lines.append(buffer.getvalue()[:-2] + "\n")

    write(COLUMNS)
    for r in records:
        cells = []
        for key in COLUMNS:
            value = r[key]
            if key == "evidence":
                value = json.dumps(value, ensure_ascii=False) if value else ""
            elif isinstance(value, list):
                value = "; ".join(value)
            elif isinstance(value, bool):
                value = "true" if value else "false"
            cells.append("" if value is None else escape.csv_cell(str(value)))
        write(cells)
    return "".join(lines)
