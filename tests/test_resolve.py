"""ledger.resolve: one entry resolved in place, every other byte kept, the file replaced only when valid."""

import datetime as dt
import difflib
import os
import shutil
from pathlib import Path

import pytest
import yaml

from conftest import FIXTURES
from ledger import load
from ledger.resolve import Change, EvidenceItem, ResolveError, edit, edit_file, resolve
from ledger.validate import check_file

STYLED = FIXTURES / "resolve" / "styled.yaml"
ON = dt.date(2026, 1, 5)


def ev(evidence, note="The outcome.", quote=None, type="primary", publisher=None, published_on=None):
    if publisher is None and evidence.startswith("http"):
        publisher, published_on = "Example", dt.date(2026, 1, 2)
    return EvidenceItem(type, evidence, note, publisher, published_on, quote)


def resolve_file(path: Path, entry_id: str, status: str, on: dt.date, item: EvidenceItem, as_of: dt.date) -> list:
    return edit_file(path, entry_id, Change(status, on, (item,)), as_of=as_of)


def ledger_copy(tmp_path: Path, source: Path = FIXTURES / "claims.yaml") -> Path:
    shutil.copytree(FIXTURES / "seeds", tmp_path / "seeds")
    path = tmp_path / "claims.yaml"
    path.write_bytes(source.read_bytes())
    return path


def changed_lines(old: str, new: str) -> tuple[list[str], list[str]]:
    """The lines taken out and the lines put in, by a line diff."""
    diff = list(difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=0))[2:]
    return (
        [line[1:] for line in diff if line.startswith("-")],
        [line[1:] for line in diff if line.startswith("+")],
    )


def entry(text: str, entry_id: str) -> dict:
    doc, problems = load.parse(text.encode("utf-8"), "claims.yaml")
    assert problems == []
    return next(e for e in doc.data["entries"] if e["id"] == entry_id)


def test_styled_fixture_has_what_it_is_meant_to_test():
    # Guard against the round-trip test passing on a file that has lost its awkward parts.
    text = STYLED.read_text(encoding="utf-8")
    for part in ("# ", "\n\n\n", '"Sam Altman"', "'direct'", ">-\n", "|\n", "[agents, business]", "0.70", "  # "):
        assert part in text


def test_resolve_with_url_touches_only_the_status_line_and_adds_keys():
    old = (FIXTURES / "claims.yaml").read_text(encoding="utf-8")
    new = resolve(old, "agents-2025", "correct", ON, ev("https://example.org/agents", "Agents shipped: many."))
    assert changed_lines(old, new) == (
        ["    status: open"],
        [
            "    status: correct",
            "    resolved_on: 2026-01-05",
            "    evidence:",
            "      - type: primary",
            "        url: https://example.org/agents",
            "        publisher: Example",
            "        published_on: 2026-01-02",
            "        note: 'Agents shipped: many.'",
        ],
    )
    e = entry(new, "agents-2025")
    assert list(e)[-3:] == ["status", "resolved_on", "evidence"]
    assert e["evidence"] == [{"type": "primary", "url": "https://example.org/agents", "publisher": "Example",
                              "published_on": dt.date(2026, 1, 2), "note": "Agents shipped: many."}]
    # The blank line between this entry and the next is still there, after the new keys.
    assert "        note: 'Agents shipped: many.'\n\n  - id: compute-triple\n" in new


def test_resolve_last_entry_with_source_and_quote():
    old = (FIXTURES / "claims.yaml").read_text(encoding="utf-8")
    new = resolve(old, "users-800m", "wrong", ON, ev("later-2025", quote="新模型已经在一月发布了。", type="speaker"))
    assert changed_lines(old, new) == (
        ["    status: open"],
        [
            "    status: wrong",
            "    resolved_on: 2026-01-05",
            "    evidence:",
            "      - type: speaker",
            "        source: later-2025",
            "        quote: 新模型已经在一月发布了。",
            "        note: The outcome.",
        ],
    )


def test_changing_a_verdict_needs_a_reason_recorded_as_an_amendment():
    old = (FIXTURES / "claims.yaml").read_text(encoding="utf-8")
    with pytest.raises(ResolveError, match="already has the verdict 'correct': to change it, give --change"):
        resolve(old, "compute-triple", "partly_correct", ON, ev("https://example.org/compute"))
    new = resolve(old, "compute-triple", "partly_correct", ON, ev("https://example.org/compute"),
                  reason="Only doubled.", amended_on=dt.date(2026, 1, 6))
    assert changed_lines(old, new) == (
        ["    status: correct", "    resolved_on: 2025-12-16"],
        ["    status: partly_correct", "    resolved_on: 2026-01-05", "      - type: primary",
         "        url: https://example.org/compute", "        publisher: Example", "        published_on: 2026-01-02",
         "        note: The outcome.", "    amendments:", "      - on: 2026-01-06", "        fields: [status, resolved_on]",
         "        reason: Only doubled."],
    )
    evidence = entry(new, "compute-triple")["evidence"]
    assert [x.get("source") or x.get("url") for x in evidence] == [
        "later-2025", "https://example.org/compute-2025", "https://example.org/compute"]
    with pytest.raises(ResolveError, match="has no verdict to change"):
        resolve(old, "agents-2025", "correct", ON, ev("https://example.org/a"), reason="Why not.")


def test_reopen_withdraws_the_verdict_and_records_why():
    old = STYLED.read_text(encoding="utf-8")
    new = edit(old, "compute-triple", Change(reopen=True, reason="The source was misread.", amended_on=dt.date(2026, 1, 7)))
    assert changed_lines(old, new) == (
        ["    status: correct", "    resolved_on: 2025-12-16"],
        ["    status: open", "    amendments:", "      - on: 2026-01-07", "        fields: [status, resolved_on]",
         "        reason: The source was misread."],
    )
    # The evidence stays: it is the record of what the withdrawn verdict rested on.
    assert len(entry(new, "compute-triple")["evidence"]) == 2
    for change, message in ((Change(reopen=True, reason=" "), "the reason is empty"),
                            (Change(reopen=True), "needs --reason")):
        with pytest.raises(ResolveError, match=message):
            edit(old, "compute-triple", change)
    with pytest.raises(ResolveError, match="nothing to re-open"):
        edit(old, "agents-2025", Change(reopen=True, reason="No."))


def test_add_evidence_leaves_the_status_alone():
    old = STYLED.read_text(encoding="utf-8")
    items = (ev("https://example.org/a", "First."), ev("https://example.org/b", "Second."))
    new = edit(old, "agents-2025", Change(evidence=items))
    assert changed_lines(old, new)[0] == []
    e = entry(new, "agents-2025")
    assert e["status"] == "open" and [x["note"] for x in e["evidence"]] == ["First.", "Second."]
    again = edit(new, "agents-2025", Change(evidence=(ev("https://example.org/c", "Third."),)))
    assert [x["note"] for x in entry(again, "agents-2025")["evidence"]] == ["First.", "Second.", "Third."]
    with pytest.raises(ResolveError, match="no evidence given"):
        edit(old, "agents-2025", Change())


def test_several_evidence_items_in_one_resolution():
    old = (FIXTURES / "claims.yaml").read_text(encoding="utf-8")
    items = [ev("https://example.org/a", "One."), ev("https://example.org/b", "Two.", type="report")]
    new = resolve(old, "agents-2025", "correct", ON, items)
    assert [x["note"] for x in entry(new, "agents-2025")["evidence"]] == ["One.", "Two."]


def test_resolve_keeps_comments_quoting_and_blocks():
    old = STYLED.read_text(encoding="utf-8")
    new = resolve(old, "agents-2025", "partly_correct", ON, ev("https://example.org/agents", publisher="Ex"))
    assert changed_lines(old, new) == (
        ["    status: open  # check in January"],
        [
            "    status: partly_correct  # check in January",
            "    resolved_on: 2026-01-05",
            "    evidence:",
            "      - type: primary",
            "        url: https://example.org/agents",
            "        publisher: Ex",
            "        note: The outcome.",
        ],
    )
    assert list(entry(new, "agents-2025"))[-4:] == ["status", "resolved_on", "evidence", "notes"]


def test_resolve_appends_evidence_above_a_comment():
    old = STYLED.read_text(encoding="utf-8")
    new = resolve(old, "compute-triple", "wrong", ON, ev("https://example.org/compute", "Still doubling.", publisher="Ex"),
                  reason="Misread.")
    assert ("weak evidence.\n      - type: primary\n        url: https://example.org/compute\n        publisher: Ex\n"
            "        note: Still doubling.\n    # a comment") in new
    assert changed_lines(old, new)[0] == ["    status: correct", "    resolved_on: 2025-12-16"]


def test_resolve_follows_the_file_indentation():
    old = (
        "entries:\n"
        "- id: a\n"
        "  status: open\n"
        "  notes: |\n"
        "    two spaces under the key\n"
        "- id: b\n"
        "  status: open\n"
    )
    new = resolve(old, "a", "withdrawn", ON, ev("https://example.org/a", publisher="Ex"))
    assert changed_lines(old, new) == (
        ["  status: open"],
        ["  status: withdrawn", "  resolved_on: 2026-01-05", "  evidence:", "  - type: primary",
         "    url: https://example.org/a", "    publisher: Ex", "    note: The outcome."],
    )


def test_resolve_leaves_other_entries_as_they_are_written():
    # Spaces inside `[ users ]`, which a YAML round trip would drop, are in another entry: they stay.
    old = (FIXTURES / "claims.yaml").read_text(encoding="utf-8").replace("topics: [users]", "topics: [ users ]")
    new = resolve(old, "agents-2025", "correct", ON, ev("https://example.org/agents"))
    assert "topics: [ users ]" in new
    assert changed_lines(old, new)[0] == ["    status: open"]


def wrapped(width: int) -> str:
    """The fixture ledger as another YAML tool writes it: long values folded onto several lines."""
    doc, _ = load.parse((FIXTURES / "claims.yaml").read_bytes(), "claims.yaml")
    return yaml.safe_dump(doc.data, allow_unicode=True, sort_keys=False, width=width)


def test_resolve_in_a_ledger_whose_long_lines_are_wrapped(tmp_path, as_of):
    old = wrapped(40)
    path = ledger_copy(tmp_path)
    path.write_text(old, encoding="utf-8")
    assert check_file(path, as_of).problems == []
    lines = old.splitlines()
    start = lines.index("- id: agents-2025")
    end = next(i for i in range(start + 1, len(lines)) if lines[i].startswith("- id:"))
    # The entry being resolved has folded values of its own, which must come through unchanged.
    assert any(not line.startswith(("- ", "  ")) or line.startswith("    ") for line in lines[start:end])
    item = ev("https://example.org/agents", "Agents shipped.")
    assert resolve_file(path, "agents-2025", "correct", ON, item, as_of=as_of) == []
    new = path.read_text(encoding="utf-8")
    removed, added = changed_lines(old, new)
    assert removed == ["  status: open"]
    assert added == ["  status: correct", "  resolved_on: 2026-01-05", "  evidence:", "  - type: primary",
                     "    url: https://example.org/agents", "    publisher: Example", "    published_on: 2026-01-02",
                     "    note: Agents shipped."]
    assert check_file(path, as_of).problems == []
    assert entry(new, "agents-2025")["quote"] == entry(old, "agents-2025")["quote"]


def test_resolve_the_last_entry_of_a_file_without_a_final_line_break():
    old = "entries:\n  - id: a\n    status: open\n  - id: b\n    status: open"
    new = resolve(old, "b", "withdrawn", ON, ev("https://example.org/b", publisher="Ex"))
    assert new == (old[: old.rindex("open")] + "withdrawn\n    resolved_on: 2026-01-05\n    evidence:\n"
                   "      - type: primary\n        url: https://example.org/b\n        publisher: Ex\n"
                   "        note: The outcome.")


def test_resolve_refuses_a_layout_that_would_change_a_value():
    # A kept block scalar (`|+`) owns the blank lines after it: keys put after its text would take them away.
    old = (
        "entries:\n"
        "  - id: a\n"
        "    status: correct\n"
        "    resolved_on: 2025-01-01\n"
        "    evidence:\n"
        "      - type: primary\n"
        "        url: https://example.org/a\n"
        "        note: |+\n"
        "          kept\n"
        "\n"
        "\n"
    )
    with pytest.raises(ResolveError, match="cannot take the new keys without changing other values"):
        edit(old, "a", Change(evidence=(ev("https://example.org/b"),)))


@pytest.mark.parametrize(
    "entry_id, status, evidence, quote, message",
    [
        ("no-such-entry", "correct", "https://example.org", None, "no entry with id 'no-such-entry'$"),
        ("agents-205", "correct", "https://example.org", None, r"no entry with id 'agents-205' \(did you mean 'agents-2025'\?\)"),
        ("agents-2025", "open", "https://example.org", None, "'open' is not a resolved status"),
        ("agents-2025", "done", "https://example.org", None, "'done' is not a resolved status"),
        ("agents-2025", "correct", "  ", None, "evidence is empty"),
        ("compute-triple", "correct", "https://example.org", None, "already resolved as 'correct'"),
        ("agents-2025", "correct", "later-2025", None, "needs the passage"),
        ("agents-2025", "correct", "https://example.org", "words", "not with a URL"),
        ("agents-2025", "correct", "see the news", None, "neither a URL nor a source id"),
    ],
)
def test_resolve_refuses(entry_id, status, evidence, quote, message):
    text = (FIXTURES / "claims.yaml").read_text(encoding="utf-8")
    with pytest.raises(ResolveError, match=message):
        resolve(text, entry_id, status, ON, ev(evidence, quote=quote))


def test_resolve_refuses_an_empty_note():
    text = (FIXTURES / "claims.yaml").read_text(encoding="utf-8")
    with pytest.raises(ResolveError, match="own words"):
        resolve(text, "agents-2025", "correct", ON, ev("https://example.org", note="  "))


def test_resolve_file_writes_a_valid_ledger(tmp_path, as_of):
    path = ledger_copy(tmp_path, STYLED)
    path.chmod(0o644)
    old = path.read_text(encoding="utf-8")
    item = ev("https://example.org/users", "Fewer users.")
    problems = resolve_file(path, "users-800m", "wrong", ON, item, as_of=as_of)
    assert problems == []
    assert path.read_text(encoding="utf-8") == resolve(old, "users-800m", "wrong", ON, item)
    assert check_file(path, as_of).problems == []
    assert path.stat().st_mode & 0o777 == 0o644
    assert sorted(p.name for p in tmp_path.iterdir()) == ["claims.yaml", "seeds"]


@pytest.mark.parametrize(
    "on, item, code",
    [
        (dt.date(2027, 1, 1), ev("https://example.org"), "resolved-in-future"),
        (ON, ev("https://example.org", published_on=dt.date(2026, 2, 1), publisher="Ex"), "evidence-after-resolution"),
        (ON, ev("https://example.org", publisher="Ex"), "evidence-incomplete"),
        (ON, ev("later-2025", type="speaker", quote="We did triple our compute this year, as we said we would."),
         "verdict-unsupported"),
        (ON, ev("no-such-source", quote="words"), "unknown-source"),
        (ON, ev("later-2025", quote="words that are not there"), "quote-not-found"),
    ],
)
def test_resolve_file_leaves_the_file_alone_when_the_result_is_invalid(tmp_path, as_of, on, item, code):
    path = ledger_copy(tmp_path)
    before = path.read_bytes()
    problems = resolve_file(path, "agents-2025", "correct", on, item, as_of=as_of)
    assert [p.code for p in problems] == [code]
    assert problems[0].path == str(path)
    assert path.read_bytes() == before


def test_resolve_file_reports_a_broken_file(tmp_path, as_of):
    path = ledger_copy(tmp_path)
    path.write_bytes(path.read_bytes().replace(b"status: open\n", b"status: [open\n", 1))
    before = path.read_bytes()
    problems = resolve_file(path, "agents-2025", "correct", ON, ev("https://example.org"), as_of=as_of)
    assert [p.code for p in problems] == ["yaml-syntax"]
    assert path.read_bytes() == before


@pytest.mark.parametrize("step", ["replace", "fsync", "write"])
def test_interrupted_write_keeps_the_original(tmp_path, as_of, monkeypatch, step):
    path = ledger_copy(tmp_path)
    before = path.read_bytes()

    def boom(*args, **kwargs):
        raise OSError("disk full")

    if step == "write":
        real_fdopen = os.fdopen

        def fdopen(*args, **kwargs):
            f = real_fdopen(*args, **kwargs)
            f.write = boom
            return f

        monkeypatch.setattr(os, "fdopen", fdopen)
    else:
        monkeypatch.setattr(os, step, boom)
    with pytest.raises(OSError, match="disk full"):
        resolve_file(path, "agents-2025", "correct", ON, ev("https://example.org"), as_of=as_of)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["claims.yaml", "seeds"]


@pytest.mark.parametrize("bom, newline", [(b"", b"\r\n"), (b"\xef\xbb\xbf", b"\n"), (b"\xef\xbb\xbf", b"\r\n")],
                         ids=["crlf", "bom", "bom-crlf"])
def test_resolve_file_keeps_crlf_and_bom(tmp_path, as_of, bom, newline):
    path = ledger_copy(tmp_path, STYLED)
    lf = path.read_bytes()
    path.write_bytes(bom + lf.replace(b"\n", newline))
    item = ev("https://example.org/users", "Fewer users.")
    assert resolve_file(path, "users-800m", "wrong", ON, item, as_of=as_of) == []
    expected = resolve(lf.decode("utf-8"), "users-800m", "wrong", ON, item).encode("utf-8")
    assert path.read_bytes() == bom + expected.replace(b"\n", newline)


def test_resolve_file_refuses_mixed_line_ends(tmp_path, as_of):
    path = ledger_copy(tmp_path)
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n", 3))
    with pytest.raises(ResolveError, match="mixes CRLF and LF"):
        resolve_file(path, "agents-2025", "correct", ON, ev("https://example.org"), as_of=as_of)


def test_resolve_file_refuses_what_is_not_a_file(tmp_path, as_of):
    for path, code in ((tmp_path, "not-a-file"), (tmp_path / "nope.yaml", "missing-file")):
        [problem] = resolve_file(path, "agents-2025", "correct", ON, ev("https://example.org"), as_of=as_of)
        assert problem.code == code
