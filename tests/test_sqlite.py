"""The SQLite export: tables, keys, typed columns, Chinese and English search, atomic rebuilds, and Datasette
serving it with datasette/metadata.yaml."""

import datetime as dt
import json
import re
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import urllib.request

import pytest
import sqlite_utils

from conftest import FIXTURES, ROOT
from ledger import export, sqlite
from ledger.cli import main
from ledger.validate import check_file

# The real ledger records checks up to the day they were made, so it is read as of today, as CI validates it.
TODAY = dt.date.today()
SEARCHED = ("quote", "summary", "criteria", "notes")


@pytest.fixture(scope="module")
def ledger():
    checked = check_file(ROOT / "claims.yaml", TODAY)
    assert not checked.problems
    return checked, export.rows(checked.entries, TODAY)


@pytest.fixture(scope="module")
def db_path(ledger, tmp_path_factory):
    checked, records = ledger
    path = tmp_path_factory.mktemp("db") / "ledger.db"
    sqlite.to_sqlite(records, checked.sources, TODAY, path)
    return path


@pytest.fixture
def db(db_path):
    database = sqlite_utils.Database(db_path)
    yield database
    database.close()


def search(db, query):
    """Entry ids found as Datasette's search box finds them: each word a quoted phrase."""
    phrase = " ".join(f'"{word}"' for word in query.split())
    return {row[0] for row in db.execute(f"SELECT id FROM entries WHERE rowid IN (SELECT rowid FROM "
                                         f"{sqlite.SEARCH_TABLE} WHERE {sqlite.SEARCH_TABLE} MATCH ?)", [phrase])}


def containing(records, pattern):
    return {r["id"] for r in records if any(re.search(pattern, r[k] or "", re.IGNORECASE) for k in SEARCHED)}


def test_tables_keys_and_types(db):
    assert set(db.table_names()) >= {"about", "entries", "sources", "source_speakers", "evidence", "topics",
                                     "entry_topics", "speakers", "amendments", sqlite.SEARCH_TABLE}
    pks = {name: db[name].pks for name in ("entries", "sources", "evidence", "entry_topics", "speakers", "topics",
                                           "amendments", "source_speakers")}
    assert pks == {"entries": ["id"], "sources": ["id"], "evidence": ["entry_id", "position"],
                   "entry_topics": ["entry_id", "topic"], "speakers": ["name"], "topics": ["name"],
                   "amendments": ["entry_id", "position"], "source_speakers": ["source_id", "speaker"]}
    fks = {(fk.table, fk.column, fk.other_table, fk.other_column) for name in pks for fk in db[name].foreign_keys}
    assert fks == {("entries", "speaker", "speakers", "name"), ("entries", "source", "sources", "id"),
                   ("evidence", "entry_id", "entries", "id"), ("evidence", "source", "sources", "id"),
                   ("entry_topics", "entry_id", "entries", "id"), ("entry_topics", "topic", "topics", "name"),
                   ("amendments", "entry_id", "entries", "id"), ("source_speakers", "source_id", "sources", "id"),
                   ("source_speakers", "speaker", "speakers", "name")}
    columns = db["entries"].columns_dict
    assert (columns["said_on"], columns["confidence"], columns["due"], columns["overdue"]) == (str, float, int, int)
    # What is stored, not only what is declared: ISO dates as text, confidence a number, flags integers.
    types = db.execute("SELECT DISTINCT typeof(said_on), typeof(confidence), typeof(due), typeof(overdue), "
                       "typeof(said_on_approximate) FROM entries").fetchall()
    assert {t[0] for t in types} == {"text"} and {t[1] for t in types} == {"real", "null"}
    assert {t[2] for t in types} == {t[4] for t in types} == {"integer"}
    assert {t[3] for t in types} <= {"integer", "null"}
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", d) for (d,) in db.execute(
        "SELECT said_on FROM entries UNION SELECT published_on FROM evidence WHERE published_on IS NOT NULL"))


def test_rows_match_the_ledger(db, ledger):
    checked, records = ledger
    counts = {name: db[name].count for name in ("entries", "evidence", "amendments", "entry_topics", "sources",
                                                 "speakers", "topics", sqlite.SEARCH_TABLE)}
    speakers = {r["speaker"] for r in records} | {n for s in checked.sources.values() for n in s.speakers}
    assert counts == {"entries": len(records), "evidence": sum(len(r["evidence"]) for r in records),
                      "amendments": sum(len(r["amendments"]) for r in records),
                      "entry_topics": sum(len(r["topics"]) for r in records), "sources": len(checked.sources),
                      "speakers": len(speakers), "topics": 20, sqlite.SEARCH_TABLE: len(records)}
    assert counts["evidence"] > 0 and counts["amendments"] > 0
    assert list(db["about"].rows) == [{"as_of": TODAY.isoformat(), "entries": len(records)}]
    for r, row in zip(records, db["entries"].rows_where(order_by="rowid")):
        assert row["id"] == r["id"] and row["quote"] == r["quote"] and row["said_on"] == r["said_on"]
        assert row["confidence"] == r["confidence"] and row["due"] == int(r["due"])
        assert json.loads(row["topics"]) == r["topics"] and row["deadline_end"] == r["deadline_end"]
        expected = (TODAY - dt.date.fromisoformat(r["deadline_end"])).days if r["due"] else None
        assert row["overdue"] == expected
    first = next(r for r in records if r["evidence"])
    items = list(db["evidence"].rows_where("entry_id = ?", [first["id"]], order_by="position"))
    assert [{k: v for k, v in item.items() if v is not None and k not in ("entry_id", "position")}
            for item in items] == first["evidence"]


def test_foreign_keys_hold(db):
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    # And the check has something to check: every entry's speaker and source is a row it points to.
    assert db.execute("SELECT count(*) FROM entries JOIN speakers ON speakers.name = entries.speaker "
                      "JOIN sources ON sources.id = entries.source").fetchone()[0] == db["entries"].count


@pytest.mark.parametrize("word", ["代理", "算力", "孙正义"])
def test_search_finds_a_chinese_word_wherever_it_occurs(db, ledger, word):
    expected = containing(ledger[1], re.escape(word))
    assert expected and search(db, word) == expected


def test_search_finds_an_english_word_and_its_forms(db, ledger):
    expected = containing(ledger[1], r"\bagent(s|ic)?\b")  # the porter stemmer folds these forms together
    assert expected and search(db, "agent") == expected == search(db, "AGENTS")
    both = containing(ledger[1], "代理") & expected
    assert both and search(db, "代理 agents") == both


def test_search_text_writes_out_cjk_runs():
    text = sqlite.search_text("今年是‘代理(agent)’的原年。2025年 ＡＩ")
    words = text.split()
    assert {"代理", "今年是", "原年", "年", "2025", "2025年", "AI"} <= set(words) and "20" not in words
    assert "(agent)’" in text and sqlite.search_text(None) is None
    run = "我认为二零二五年是代理真正开始为人们工作的一年"
    terms = sqlite.search_text(run).split()
    assert run[:sqlite.LONGEST_TERM] in terms and run[:sqlite.LONGEST_TERM + 1] not in terms
    assert sqlite.search_text("plain English, untouched") == "plain English, untouched"


def test_search_on_a_fixture_ledger(tmp_path):
    checked = check_file(FIXTURES / "claims.yaml", dt.date(2026, 11, 23))
    path = tmp_path / "f.db"
    records = export.rows(checked.entries, dt.date(2026, 11, 23))
    sqlite.to_sqlite(records, checked.sources, dt.date(2026, 11, 23), path)
    database = sqlite_utils.Database(path)
    assert search(database, "第一季度") == containing(records, "第一季度") != set()
    database.close()


def test_rebuild_gives_the_same_bytes(ledger, db_path, tmp_path):
    checked, records = ledger
    again = tmp_path / "again.db"
    sqlite.to_sqlite(records, checked.sources, TODAY, again)
    first, second = sqlite3.connect(db_path), sqlite3.connect(again)
    assert list(first.iterdump()) == list(second.iterdump())
    first.close()
    second.close()
    assert again.read_bytes() == db_path.read_bytes()


def test_rebuild_replaces_an_existing_database_from_scratch(ledger, tmp_path):
    checked, records = ledger
    path = tmp_path / "ledger.db"
    sqlite.to_sqlite(records[:3], checked.sources, TODAY, path)
    sqlite.to_sqlite(records, checked.sources, TODAY, path)
    database = sqlite_utils.Database(path)
    assert database["entries"].count == len(records)
    database.close()
    assert [p.name for p in tmp_path.iterdir()] == ["ledger.db"]


def test_a_failed_build_leaves_the_old_database(ledger, tmp_path, monkeypatch):
    checked, records = ledger
    path = tmp_path / "ledger.db"
    path.write_bytes(b"the old database")

    def broken(db, data):
        db["half"].insert({"written": 1})
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(sqlite, "TABLES", (*sqlite.TABLES[:3], broken, *sqlite.TABLES[3:]))
    with pytest.raises(RuntimeError):
        sqlite.to_sqlite(records, checked.sources, TODAY, path)
    assert path.read_bytes() == b"the old database"
    assert [p.name for p in tmp_path.iterdir()] == ["ledger.db"]  # the temporary file is gone


def _code(args):
    try:
        return main(args)
    except SystemExit as exit:
        return int(exit.code or 0)


def test_cli_writes_the_database(tmp_path, capsys):
    out = tmp_path / "ledger.db"
    args = ["export", "--ledger", str(FIXTURES / "claims.yaml"), "--as-of", "2026-11-23"]
    assert _code([*args, "--format", "sqlite", "--out", str(out)]) == 0
    assert f"wrote {out} as of 2026-11-23 (5 entries)" in capsys.readouterr().err
    assert sqlite_utils.Database(out)["entries"].count == 5
    assert _code([*args, "--format", "sqlite"]) == 2
    assert "--format sqlite needs --out FILE" in capsys.readouterr().err
    assert _code([*args, "--format", "json", "--out", str(out)]) == 2
    assert _code([*args, "--format", "sqlite", "--out", str(tmp_path)]) == 2
    assert "is a folder" in capsys.readouterr().err
    assert _code([*args, "--format", "sqlite", "--out", str(tmp_path / "no" / "such" / "x.db")]) == 1
    assert "cannot write" in capsys.readouterr().err


def test_cli_without_sqlite_utils_says_how_to_install_it(tmp_path):
    code = ("import sys\nsys.modules['sqlite_utils'] = None\nfrom ledger.cli import main\n"
            f"sys.exit(main(['export', '--format', 'sqlite', '--out', {str(tmp_path / 'x.db')!r}]))\n")
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 1, run.stderr
    assert "pip install 'ledger[serve]'" in run.stderr and "Traceback" not in run.stderr
    assert not (tmp_path / "x.db").exists()


# Datasette, as `make serve` runs it, answering through its JSON API.

def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(base, path, **params):
    url = f"{base}{path}?{urllib.parse.urlencode(params)}" if params else f"{base}{path}"
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.loads(response.read())


@pytest.fixture(scope="module")
def datasette(db_path):
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "datasette", "serve", "--immutable", str(db_path), "--metadata",
                               str(ROOT / "datasette" / "metadata.yaml"), "--host", "127.0.0.1", "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                _get(base, "/-/versions.json")
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    server.kill()
                    pytest.fail(f"datasette did not start: {server.communicate()[1].decode()[-2000:]}")
                time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        if server.stderr:
            server.stderr.close()


def test_datasette_serves_the_metadata_and_default_facets(datasette, db):
    page = _get(datasette, "/ledger/entries.json", _size="0")
    facets = page["facet_results"]
    assert set(facets) == {"speaker", "status", "kind", "topics", "source"}
    assert {f["value"]: f["count"] for f in facets["status"]["results"]} == dict(
        db.execute("SELECT status, count(*) FROM entries GROUP BY status").fetchall())
    assert {f["value"]: f["count"] for f in facets["topics"]["results"]} == dict(
        db.execute("SELECT topic, count(*) FROM entry_topics GROUP BY topic").fetchall())
    assert page["filtered_table_rows_count"] == db["entries"].count
    meta = _get(datasette, "/-/metadata.json")
    assert meta["title"].startswith("AI leaders") and set(meta["databases"]["ledger"]["queries"]) == {
        "overdue_predictions", "verdicts_by_speaker", "speaker_word_only", "statements_by_deadline_year"}


@pytest.mark.parametrize("word, pattern", [("代理", "代理"), ("孙正义", "孙正义"), ("agent", r"\bagent(s|ic)?\b")])
def test_datasette_search_box_finds_chinese_and_english(datasette, ledger, word, pattern):
    rows = _get(datasette, "/ledger/entries.json", _search=word, _shape="array", _col="id", _size="max")
    expected = containing(ledger[1], pattern)
    assert expected and {r["id"] for r in rows} == expected


def test_datasette_canned_queries_answer(datasette, ledger):
    from ledger.deadlines import due

    entries = ledger[0].entries
    overdue, _ = due(entries, TODAY)
    rows = _get(datasette, "/ledger/overdue_predictions.json", _shape="array")
    assert [r["id"] for r in rows] == [d.entry.id for d in overdue]
    assert [r["days_overdue"] for r in rows] == [d.days for d in overdue]
    only_speaker = {e.id for e in entries if e.evidence and all(ev.type == "speaker" for ev in e.evidence)}
    rows = _get(datasette, "/ledger/speaker_word_only.json", _shape="array")
    assert only_speaker and {r["id"] for r in rows} == only_speaker
    rows = _get(datasette, "/ledger/verdicts_by_speaker.json", _shape="array")
    assert sum(r["entries"] for r in rows) == len(entries)
    assert sum(r["correct"] for r in rows) == sum(e.status == "correct" for e in entries)


def test_history_tables_hold_the_replayed_record(ledger, tmp_path):
    from ledger.history import COUNTS, CommitRow, History, StatusChange

    checked, records = ledger
    row = CommitRow("c1", "2026-01-05T10:00:00+00:00", dt.date(2026, 1, 5), "Ann", dict.fromkeys(COUNTS, 1),
                    {"scored": 2, "hit_rate": 0.75, "hit_rate_low": 0.3, "hit_rate_high": 0.95, "brier": None,
                     "brier_n": 0})
    change = StatusChange("gone-entry", "correct", "open", "c1", row.time, row.date, "Ann", True, None)
    path = tmp_path / "ledger.db"
    sqlite.to_sqlite(records, checked.sources, TODAY, path, History("claims.yaml", [row], [change]))
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT commit_, hit_rate, brier, entries FROM (SELECT [commit] AS commit_, * FROM history)"
                            ).fetchall() == [("c1", 0.75, None, 1)]
        # A change of an entry since removed stays in the log: no key ties it to the entries of today.
        assert conn.execute("SELECT entry_id, from_status, to_status, needs_note, explained_by FROM verdicts"
                            ).fetchall() == [("gone-entry", "correct", "open", 1, None)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    sqlite.to_sqlite(records, checked.sources, TODAY, path)
    with sqlite3.connect(path) as conn:
        assert not conn.execute("SELECT name FROM sqlite_master WHERE name IN ('history', 'verdicts')").fetchall()
