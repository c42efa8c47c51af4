"""Report tests. To update the golden README after an intended change:
LEDGER_UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_report.py, then review the diff."""

import datetime as dt
import json
import os
import sys

import pytest

from ledger import atomic, report, summary, timeline
from ledger.config import Site
from ledger.model import Entry
from ledger.validate import check_file
from conftest import FIXTURES

AS_OF = dt.date(2026, 11, 23)
GOLDEN = FIXTURES / "report" / "README.md"


@pytest.fixture(scope="module")
def checked():
    result = check_file(FIXTURES / "claims.yaml", AS_OF)
    assert not result.problems
    return result


SITE = Site("Fact Desk", "https://facts.example.org/", "https://facts.example.org/ledger/")


@pytest.fixture(scope="module")
def outputs(checked):
    return report.render(checked.entries, checked.sources, AS_OF, SITE, report.entry_lines(checked.ledger, "../claims.yaml"))


def make(ident, **fields):
    data = dict(id=ident, kind="prediction", speaker="Ann", attribution="direct", source="talk-2024",
                said_on="2025-01-01", quote="q", summary="s", topics=["agi"], deadline="2025", status="open")
    data.update(fields)
    return Entry.model_validate(data)


def test_golden_readme(outputs):
    if os.environ.get("LEDGER_UPDATE_GOLDEN"):
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_bytes(outputs["README.md"])
    assert outputs["README.md"] == GOLDEN.read_bytes()


def test_every_file_is_rendered(outputs):
    assert list(outputs) == ["README.md", "calibration.png", "calibration.svg", "claimreview.jsonld", "claims.csv",
                             "index.html", "scorecard.png", "scorecard.svg", "scoreboard.json", "timeline.png",
                             "timeline.svg"]
    assert all(isinstance(data, bytes) and data for data in outputs.values())
    text = [outputs[name] for name in outputs if not name.endswith(".png")]
    assert not any(b"\r" in data for data in text)
    assert b"![timeline](timeline.svg)" in outputs["README.md"]


def test_render_is_deterministic(checked, outputs):
    again = report.render(list(reversed(checked.entries)), checked.sources, AS_OF, SITE,
                          report.entry_lines(checked.ledger, "../claims.yaml"))
    for name in outputs:
        assert again[name] == outputs[name], name


def test_scoreboard_json(outputs):
    data = json.loads(outputs["scoreboard.json"])
    assert list(data) == ["as_of", "overall", "predictions", "claims", "by_speaker", "by_topic", "by_source",
                          "by_kind", "by_year", "calibration"]
    assert data["as_of"] == "2026-11-23"
    overall = data["overall"]
    assert list(overall) == ["entries", "resolved", "correct", "partly_correct", "wrong", "unresolvable",
                             "withdrawn", "open", "overdue", "hit_rate", "hit_rate_low", "hit_rate_high", "brier",
                             "brier_n"]
    # 1 correct, 1 wrong: 0.5 with Wilson bounds 0.0945..0.9055; Brier (0.9 - 1)² = 0.01 from compute-triple.
    assert overall == {"entries": 5, "resolved": 2, "correct": 1, "partly_correct": 0, "wrong": 1,
                       "unresolvable": 0, "withdrawn": 0, "open": 3, "overdue": 2, "hit_rate": 0.5,
                       "hit_rate_low": 0.0945, "hit_rate_high": 0.9055, "brier": 0.01, "brier_n": 1}
    assert list(data["by_kind"]) == ["prediction", "claim"]
    # The fixture's two verdicts are both on predictions; its one claim is open.
    assert list(data["predictions"]) == list(overall)
    assert (data["predictions"]["entries"], data["predictions"]["hit_rate"]) == (4, 0.5)
    assert (data["claims"]["entries"], data["claims"]["resolved"], data["claims"]["hit_rate"]) == (1, 0, None)
    assert data["by_topic"]["agents"]["hit_rate"] is None
    assert [c["count"] for c in data["calibration"]] == [0, 0, 0, 0, 1]


def test_claimreview(outputs):
    data = json.loads(outputs["claimreview.jsonld"])
    reviews = data["@graph"]
    assert [r["identifier"] for r in reviews] == ["compute-triple", "models-q1"]
    wrong = reviews[1]
    assert wrong["reviewRating"]["ratingValue"] == 1 and wrong["reviewRating"]["alternateName"] == "Wrong"
    partly = report.render([make("p", status="partly_correct", resolved_on="2025-12-31", criteria="c", evidence=[
        {"type": "primary", "url": "https://example.org/p", "publisher": "Ex", "published_on": "2025-12-01",
         "note": "n"}])], {}, AS_OF)
    review = json.loads(partly["claimreview.jsonld"])["@graph"][0]
    assert (review["reviewRating"]["alternateName"], review["reviewRating"]["ratingValue"]) == ("Partly correct", 3)
    assert "url" not in review and "author" not in review  # no [tool.ledger] site: nothing to name
    assert wrong["itemReviewed"]["author"] == {"@type": "Person", "name": "Sam Altman"}
    assert wrong["datePublished"] == "2025-12-16"
    # The review's page is the entry's permalink on the published report, by the publishing organisation.
    assert wrong["url"] == "https://facts.example.org/ledger/#e-models-q1"
    assert wrong["author"] == {"@type": "Organization", "name": "Fact Desk", "url": "https://facts.example.org/"}


def test_csv_reuses_export(outputs):
    lines = outputs["claims.csv"].decode().splitlines()
    assert lines[0].startswith("id,kind,speaker")
    assert len(lines) == 6


def test_ledger_text_is_escaped(checked):
    evil = make(
        "evil",
        quote="<script>alert(1)</script> & more | pipes\nand a new line",
        summary="Ann says <b>bold</b> & <script>alert(1)</script>",
        speaker="Ann <img src=x onerror=alert(1)>",
        status="wrong",
        resolved_on="2025-12-31",
        evidence=[{"type": "primary", "url": "javascript:alert(1)", "note": "n"},
                  {"type": "report", "url": "https://example.org/a|b", "note": "<i>x</i> | y"}],
    )
    out = report.render([evil], checked.sources, AS_OF, SITE)
    page = out["index.html"].decode()
    assert "<script>alert(1)" not in page and "<b>bold" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in page
    assert 'href="javascript' not in page
    assert 'href="https://example.org/a|b"' in page
    assert page.count("<script>") == 1  # only the page's own script, beside the JSON-LD
    assert page.count('<script type="application/ld+json">') == 1
    assert "<i>x" not in page and "&lt;i&gt;x&lt;/i&gt; | y" in page
    # In the JSON-LD, markup in ledger text is JSON-escaped: nothing in it can close the script element.
    jsonld = page[page.index('<script type="application/ld+json">'):]
    jsonld = jsonld[jsonld.index(">") + 1:jsonld.index("</script>")]
    assert "<" not in jsonld and json.loads(jsonld)["@graph"][0]["claimReviewed"] == evil.summary
    readme = out["README.md"].decode()
    row = next(line for line in readme.splitlines() if line.startswith("| evil |"))
    assert "Ann says \\<b\\>bold\\</b\\> &amp; \\<script\\>alert(1)\\</script\\> |" in row
    assert row.count(" | ") == 6  # seven cells: no stray pipe splits a cell
    assert "](<javascript" not in readme
    assert "[example.org](<https://example.org/a%7Cb>) |" in row


def test_approximate_dates_and_evidence_passages_are_shown(checked):
    entries = [
        make("dated", said_on="2025-03-01", said_on_approximate=True, deadline="2025-Q2"),
        make("resolved", status="correct", resolved_on="2025-12-31", evidence=[
            {"type": "speaker", "source": "talk-2024", "quote": "first passage", "note": "weak"},
            {"type": "speaker", "source": "talk-2024", "quote": "second passage", "note": "also weak"},
        ]),
    ]
    out = report.render(entries, checked.sources, AS_OF)
    readme, page = out["README.md"].decode(), out["index.html"].decode()
    # The overdue table and the entry table both mark the inferred day.
    assert readme.count("| ≈2025-03-01 |") == 2
    assert page.count('data-v="739311">≈2025-03-01</td>') == 1  # sorted by the date, not the text
    assert '<span title="Day inferred: see the notes">≈2025-03-01</span>' in page
    row = next(line for line in readme.splitlines() if line.startswith("| resolved |"))
    assert row.endswith("| talk-2024 · talk-2024 |")
    # The page tells the two passages of one source apart by their quotes and notes.
    assert "<q>first passage</q>: weak</li>" in page and "<q>second passage</q>: also weak</li>" in page
    # A passage links to its source's description on the page, which links the source itself.
    assert page.count('<a href="#s-talk-2024">talk-2024</a> <span class="badge">speaker</span>') == 2
    assert '<section class="source" id="s-talk-2024">' in page


def test_criteria_checked_on_and_the_awaiting_order_are_shown(checked):
    entries = [
        make("late-checked", deadline="2025-Q1", checked_on="2026-11-01", criteria="Correct if X ships by March."),
        make("late-never", deadline="2025-Q3"),
        make("done", status="wrong", resolved_on="2025-12-31", criteria="Correct if Y ships in 2025.", evidence=[
            {"type": "primary", "url": "https://example.org/y", "publisher": "Ex", "published_on": "2025-12-30",
             "note": "Y shipped in 2026."}]),
    ]
    readme = report.render(entries, checked.sources, AS_OF)["README.md"].decode()
    awaiting = readme[readme.index("## Awaiting resolution"):readme.index("## Timeline")]
    # Never checked comes first although it is less overdue; one of the two has no criteria.
    assert awaiting.index("late-never") < awaiting.index("late-checked")
    assert "1 of them still without criteria" in awaiting and "| 2026-11-01 |" in awaiting and "| never |" in awaiting
    done = next(line for line in readme.splitlines() if line.startswith("| done |"))
    assert "| wrong, 2025-12-31 | [Ex](<https://example.org/y>) |" in done
    assert "open, checked 2026-11-01" in readme
    page = report.render(entries, checked.sources, AS_OF)["index.html"].decode()
    assert "<dt>Criteria</dt><dd>Correct if Y ships in 2025.</dd>" in page
    assert "<dt>Criteria</dt><dd>none written yet</dd>" in page


def test_empty_ledger_renders_valid_files():
    out = report.render([], {}, AS_OF)
    assert b"The ledger is empty" in out["README.md"] and b"The ledger is empty" in out["index.html"]
    assert json.loads(out["scoreboard.json"])["overall"]["entries"] == 0
    assert json.loads(out["claimreview.jsonld"])["@graph"] == []
    assert out["claims.csv"].count(b"\n") == 1
    assert out["timeline.png"].startswith(b"\x89PNG") and b"<svg" in out["timeline.svg"]


def test_write_stale_and_recorded_as_of(tmp_path, outputs):
    out_dir = tmp_path / "reports"
    assert report.recorded_as_of(out_dir) is None
    assert report.stale(outputs, out_dir) == sorted(outputs)
    report.write(outputs, out_dir)
    assert sorted(p.name for p in out_dir.iterdir()) == sorted(outputs)
    assert report.stale(outputs, out_dir) == []
    assert report.recorded_as_of(out_dir) == AS_OF
    (out_dir / "index.html").write_text("edited by hand")
    (out_dir / "claims.csv").unlink()
    assert report.stale(outputs, out_dir) == ["claims.csv", "index.html"]


def test_failed_render_leaves_the_previous_report(tmp_path, checked, outputs, monkeypatch):
    report.write(outputs, tmp_path)

    def broken(*args, **kwargs):
        raise RuntimeError("drawing failed")

    monkeypatch.setattr(timeline, "draw", broken)
    with pytest.raises(RuntimeError):
        report.write(report.render(checked.entries, checked.sources, dt.date(2027, 1, 1)), tmp_path)
    assert report.stale(outputs, tmp_path) == []


def test_failed_write_leaves_the_previous_report(tmp_path, outputs):
    report.write(outputs, tmp_path)
    newer = dict(outputs, **{"README.md": b"new", "timeline.svg": None})  # the second cannot be written
    with pytest.raises(TypeError):
        report.write(newer, tmp_path)
    assert report.stale(outputs, tmp_path) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(outputs)  # no temporary files left


def test_write_refuses_paths_outside_the_directory(tmp_path):
    with pytest.raises(ValueError):
        report.write({"../escape.txt": b"x"}, tmp_path / "reports")
    assert not (tmp_path / "escape.txt").exists()


# --- A kill at any point of writing ---------------------------------------------------------------

WATCHED = {atomic.__file__, report.__file__}


def _write_killed_at(point: int, outputs: dict, out_dir) -> bool:
    """Write the report in a child process killed (no clean-up of any kind) at its `point`-th executed line of
    the writing code; True if it was killed, False if it finished first."""
    pid = os.fork()
    if pid == 0:  # the child
        count = 0

        def local(frame, event, arg):
            nonlocal count
            if event == "line":
                count += 1
                if count == point:
                    os._exit(137)
            return local

        sys.settrace(lambda frame, event, arg: local if frame.f_code.co_filename in WATCHED else None)
        try:
            report.write(outputs, out_dir)
        finally:
            os._exit(0)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status) == 137


def _state(out_dir, old: dict, new: dict) -> str:
    names = sorted(p.name for p in out_dir.iterdir())
    assert names == sorted([*old, "notes.txt"]), names  # no partial or temporary file inside
    assert (out_dir / "notes.txt").read_text() == "kept"  # a file of the user's, carried over
    found = {name: (out_dir / name).read_bytes() for name in old}
    if found == old:
        return "old"
    assert found == new, [n for n in old if found[n] not in (old[n], new[n])] or "a mix of old and new files"
    return "new"


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
@pytest.mark.parametrize("exchange", [True, False], ids=["swap", "two-renames"])
def test_a_kill_at_any_point_leaves_one_whole_report(tmp_path, checked, outputs, monkeypatch, exchange):
    if not exchange:  # a system without renameat2: the old folder is moved aside, then the new one in
        monkeypatch.setattr(atomic, "_exchange", lambda a, b: False)
    newer = report.render(checked.entries, checked.sources, dt.date(2027, 1, 1))
    assert all(newer[name] != outputs[name] for name in ("README.md", "index.html", "timeline.svg"))
    out_dir = tmp_path / "reports"
    point, seen = 0, {"old": 0, "new": 0}
    while True:
        report.write(outputs, out_dir)
        (out_dir / "notes.txt").write_text("kept")
        point += 1
        killed = _write_killed_at(point, newer, out_dir)
        if not killed:
            assert _state(out_dir, outputs, newer) == "new"
            break
        if not exchange and not out_dir.exists():
            # Killed between the two renames, the one instant without the folder: the next run puts it back.
            atomic.recover(out_dir)
            assert _state(out_dir, outputs, newer) == "old"
        seen[_state(out_dir, outputs, newer)] += 1
        report.write(newer, out_dir)  # the next run cleans up after the killed one
        assert _state(out_dir, outputs, newer) == "new"
        assert sorted(p.name for p in tmp_path.iterdir()) == ["reports"], "left behind beside the folder"
    assert point > 50 and seen["old"] > 0 and seen["new"] > 0, (point, seen)
    print(f"{point - 1} kill points: {seen}")


def test_a_large_ledger_lists_the_most_recent_entries_and_points_to_all(checked, monkeypatch):
    monkeypatch.setattr(summary, "TABLE_LIMIT", 2)
    out = report.render(checked.entries, checked.sources, AS_OF)
    newest = sorted(checked.entries, key=lambda e: (e.said_on, e.id))[-2:]
    readme, page = out["README.md"].decode(), out["index.html"].decode()
    table = readme[readme.index("## All entries"):]
    note = f"The ledger holds {len(checked.entries)} entries: this table lists the 2 said most recently"
    assert note in table and note in page
    assert [line.split(" | ")[0].lstrip("| ") for line in table.splitlines() if line.startswith("| ")][2:] == [
        e.id for e in newest]
    assert page.count('<li class="entry" id="e-') == 2
    # The CSV and the scores still hold every entry.
    assert out["claims.csv"].decode().count("\n") > len(checked.entries)
    assert f'"entries": {len(checked.entries)}' in out["scoreboard.json"].decode()
