"""Export: flat records with the deadline window and the due flag, as JSON and CSV."""

import csv
import datetime as dt
import io
import json

import pytest

from ledger import export
from ledger.validate import check_file
from conftest import FIXTURES

AS_OF = dt.date(2026, 11, 23)


@pytest.fixture(scope="module")
def records():
    checked = check_file(FIXTURES / "claims.yaml", AS_OF)
    assert not checked.problems
    return {r["id"]: r for r in export.rows(checked.entries, AS_OF)}


def test_windows_and_due(records):
    assert list(records) == ["agents-2025", "compute-triple", "models-q1", "science-two-years", "users-800m"]
    agents, models, science, users = (records[k] for k in ("agents-2025", "models-q1", "science-two-years",
                                                            "users-800m"))
    assert (agents["deadline_start"], agents["deadline_end"], agents["due"]) == ("2025-01-01", "2025-12-31", True)
    # A relative deadline counts from the day said (2024-11-01).
    assert (science["deadline_start"], science["deadline_end"], science["due"]) == ("2024-11-01", "2026-11-01", True)
    assert models["due"] is False  # past its window, but resolved
    assert (users["deadline"], users["deadline_start"], users["deadline_end"], users["due"]) == (None, None, None,
                                                                                                 False)
    assert records["compute-triple"]["evidence"][0] == {"type": "speaker", "source": "later-2025", "quote": "We did "
                                                         "triple our compute this year, as we said we would.",
                                                         "note": "The speaker's own word, which is weak evidence."}
    assert records["compute-triple"]["evidence"][1]["published_on"] == "2025-12-10"
    assert records["models-q1"]["criteria"].startswith("Correct if a new model is released")


def test_json_is_every_record_unescaped(records):
    text = export.to_json(list(records.values()))
    assert json.loads(text) == list(records.values())
    assert "明年第一季度" in text and text.endswith("\n")


def test_csv_has_one_row_per_entry_and_fixed_columns(records):
    parsed = list(csv.DictReader(io.StringIO(export.to_csv(list(records.values())))))
    assert [r["id"] for r in parsed] == list(records)
    assert tuple(parsed[0]) == export.COLUMNS
    agents = parsed[0]
    assert agents["due"] == "true" and agents["said_on_approximate"] == "false" and agents["confidence"] == "0.7"
    assert agents["topics"] == "; ".join(records["agents-2025"]["topics"]) and agents["evidence"] == ""
    assert json.loads(parsed[1]["evidence"]) == records["compute-triple"]["evidence"]


HOSTILE = ["Agents year\r=1+1", "two\nlines", "crlf\r\nend", "comma, and \"quotes\"", "trailing\r", "\rleading", "plain"]


def test_csv_quotes_every_field_holding_a_line_break(records):
    hostile = [dict(records["agents-2025"], id=f"h{i}", summary=text, notes=text) for i, text in enumerate(HOSTILE)]
    text = export.to_csv(hostile)
    parsed = list(csv.reader(io.StringIO(text, newline="")))
    assert len(parsed) == 1 + len(HOSTILE)
    column = export.COLUMNS.index("summary")
    expected = [("'" if t.startswith("\r") else "") + t for t in HOSTILE]  # a leading CR is a formula lead
    assert [row[column] for row in parsed[1:]] == expected
    # A spreadsheet-style reader (pandas' own parser) finds the same records.
    import pandas as pd

    frame = pd.read_csv(io.StringIO(text, newline=""), dtype=str, keep_default_na=False)
    assert list(frame["summary"]) == expected and list(frame["notes"]) == expected
    assert text.count("\n") - 2 * sum(t.count("\n") for t in HOSTILE) == 1 + len(HOSTILE)  # rows end in LF
