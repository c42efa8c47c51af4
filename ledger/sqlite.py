"""The ledger as a SQLite database for Datasette: one table per kind of thing, keys between them, and search.

Built with sqlite-utils from the same records as the JSON and CSV export (`export.rows`). Each table has its
own function, called in order by `build`, so a new table is one more function. The database keeps the exact
text of the ledger, as the JSON export does; Datasette escapes it for the page.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Optional

import sqlite_utils

from ledger.history import COUNTS, SCORES, History
from ledger.model import Source
from ledger.vocabulary import TOPICS

SEARCHED = ("quote", "summary", "criteria", "notes")
SEARCH_TABLE = "entries_fts"
# porter: an English word finds its other forms (agent, agents). unicode61 folds case and diacritics.
TOKENIZE = "porter unicode61 remove_diacritics 2"
# The longest run of Chinese (or Japanese, Korean) characters found as one search term: see search_text.
LONGEST_TERM = 12
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af\U00020000-\U0003134f"
_ALL_CJK = re.compile(rf"[{_CJK}]+")
_NOT_CJK = re.compile(rf"[^{_CJK}]+")
# A run of letters and digits, as SQLite's unicode61 tokenizer cuts them, holding at least one CJK character;
# it starts only where a run starts, so an English word is scanned once and not from each of its letters.
_CJK_RUN = re.compile(rf"(?<![^\W_])[^\W_{_CJK}]*[{_CJK}][^\W_]*")


def search_text(text: Optional[str]) -> Optional[str]:
    """Text as the search index sees it: every CJK run written out as all its substrings of up to
    LONGEST_TERM characters, each a word of its own.

    SQLite's tokenizers do not cut Chinese into words: unicode61 makes a whole clause (今年是代理的原年) one
    token, so 代理 finds nothing; trigram finds a substring of three characters or more but never a
    two-character word. A query is cut by the same tokenizer, so a Chinese search term of up to LONGEST_TERM
    characters is one token, and it finds every entry in which it occurs, as a substring would; English
    words are left as they are.
    """
    if text is None:
        return None
    text = unicodedata.normalize("NFKC", text)  # full-width ＡＩ and ２０２５ are found as AI and 2025
    return _CJK_RUN.sub(lambda m: " " + " ".join(_substrings(m.group())) + " ", text)


@dataclass(frozen=True)
class Data:
    """What the tables are built from: export records (`export.rows`), the sources list, and the as-of date."""

    records: list[dict[str, Any]]
    sources: dict[str, Source]
    as_of: dt.date
    history: Optional[History] = None  # the record replayed from git, for the history and verdicts tables


def _substrings(run: str) -> list[str]:
    """The terms a CJK run is found by: its substrings of up to LONGEST_TERM characters that hold a CJK
    character, and its other letters and digits as whole words (2025 in 2025年, but not 20)."""
    if _ALL_CJK.fullmatch(run):
        n = len(run)
        return [run[i:j] for i in range(n) for j in range(i + 1, min(n, i + LONGEST_TERM) + 1)]
    n = len(run)
    terms: list[str] = []
    next_cjk = [n] * (n + 1)
    for i in range(n - 1, -1, -1):
        next_cjk[i] = i if _ALL_CJK.fullmatch(run[i]) else next_cjk[i + 1]
    for i in range(n):
        terms.extend(run[i:j] for j in range(next_cjk[i] + 1, min(n, i + LONGEST_TERM) + 1))
    return terms + _NOT_CJK.findall(run)


def _fill(db: sqlite_utils.Database, name: str, columns: Mapping[str, type], rows: Iterable[dict[str, Any]],
          **keys: Any) -> None:
    """Create table `name` with typed columns and its keys (pk, foreign_keys, not_null), then insert `rows`."""
    table = db.table(name)
    table.create(dict(columns), **keys)
    table.insert_all(rows)


def _about(db: sqlite_utils.Database, data: Data) -> None:
    row = {"as_of": data.as_of.isoformat(), "entries": len(data.records)}
    _fill(db, "about", {"as_of": str, "entries": int}, [row], pk="as_of")


def _topics(db: sqlite_utils.Database, data: Data) -> None:
    _fill(db, "topics", {"name": str}, ({"name": t} for t in TOPICS), pk="name")


def _speakers(db: sqlite_utils.Database, data: Data) -> None:
    names = {r["speaker"] for r in data.records} | {name for s in data.sources.values() for name in s.speakers}
    _fill(db, "speakers", {"name": str}, ({"name": name} for name in sorted(names)), pk="name")


_SOURCE_COLUMNS = {"id": str, "title": str, "title_en": str, "outlet": str, "author": str, "url": str,
                   "video_url": str, "published_on": str, "event": str, "event_date": str, "language": str,
                   "file": str, "sha256": str, "notes": str}


def _sources(db: sqlite_utils.Database, data: Data) -> None:
    sources = data.sources.values()
    _fill(db, "sources", _SOURCE_COLUMNS,
          ({k: v for k, v in s.model_dump(mode="json").items() if k in _SOURCE_COLUMNS} for s in sources),
          pk="id", not_null={"title", "language", "file", "sha256"})
    _fill(db, "source_speakers", {"source_id": str, "speaker": str},
          ({"source_id": s.id, "speaker": name} for s in sources for name in dict.fromkeys(s.speakers)),
          pk=("source_id", "speaker"), foreign_keys=[("source_id", "sources", "id"), ("speaker", "speakers", "name")])


_ENTRY_COLUMNS = {
    "id": str, "kind": str, "speaker": str, "attribution": str, "source": str, "said_on": str,
    "said_on_approximate": int, "quote": str, "summary": str, "topics": str, "deadline": str,
    "deadline_text": str, "deadline_start": str, "deadline_end": str, "due": int, "overdue": int,
    "criteria": str, "confidence": float, "status": str, "resolved_on": str, "checked_on": str, "related": str,
    "notes": str,
}


def _entry_row(r: dict[str, Any], as_of: dt.date) -> dict[str, Any]:
    row = {key: r.get(key) for key in _ENTRY_COLUMNS}
    row["said_on_approximate"] = int(r["said_on_approximate"])
    row["due"] = int(r["due"])
    # Days past the end of the deadline window, for the open entries that are due; the count is as of `about`.
    row["overdue"] = (as_of - dt.date.fromisoformat(r["deadline_end"])).days if r["due"] else None
    # Lists are stored as JSON text. topics is kept beside entry_topics because Datasette facets a JSON list.
    return row


def _entries(db: sqlite_utils.Database, data: Data) -> None:
    _fill(db, "entries", _ENTRY_COLUMNS, (_entry_row(r, data.as_of) for r in data.records), pk="id",
          foreign_keys=[("speaker", "speakers", "name"), ("source", "sources", "id")],
          not_null={"kind", "speaker", "attribution", "source", "said_on", "said_on_approximate", "quote", "summary",
                    "topics", "due", "status", "related"})


def _entry_topics(db: sqlite_utils.Database, data: Data) -> None:
    _fill(db, "entry_topics", {"entry_id": str, "topic": str},
          ({"entry_id": r["id"], "topic": t} for r in data.records for t in dict.fromkeys(r["topics"])),
          pk=("entry_id", "topic"), foreign_keys=[("entry_id", "entries", "id"), ("topic", "topics", "name")])


_EVIDENCE_COLUMNS = {"entry_id": str, "position": int, "type": str, "publisher": str, "published_on": str,
                     "url": str, "source": str, "quote": str, "note": str}


def _evidence(db: sqlite_utils.Database, data: Data) -> None:
    _fill(db, "evidence", _EVIDENCE_COLUMNS,
          ({**{k: ev.get(k) for k in _EVIDENCE_COLUMNS}, "entry_id": r["id"], "position": i}
           for r in data.records for i, ev in enumerate(r["evidence"], 1)),
          pk=("entry_id", "position"), foreign_keys=[("entry_id", "entries", "id"), ("source", "sources", "id")],
          not_null={"type", "note"})


def _amendments(db: sqlite_utils.Database, data: Data) -> None:
    # `on` is an SQL keyword: the column is amended_on, so that a query needs no quoting.
    _fill(db, "amendments", {"entry_id": str, "position": int, "amended_on": str, "fields": str, "reason": str},
          ({"entry_id": r["id"], "position": i, "amended_on": a["on"], "fields": a["fields"], "reason": a["reason"]}
           for r in data.records for i, a in enumerate(r["amendments"], 1)),
          pk=("entry_id", "position"), foreign_keys=[("entry_id", "entries", "id")],
          not_null={"amended_on", "fields", "reason"})


def _search(db: sqlite_utils.Database, data: Data) -> None:
    # Contentless: the index holds the substrings of search_text, and a match gives the entry's rowid, which is
    # all Datasette's search asks of it (`rowid in (select rowid from entries_fts where entries_fts match …)`).
    columns = ", ".join(SEARCHED)
    db.execute(f"CREATE VIRTUAL TABLE [{SEARCH_TABLE}] USING fts5({columns}, content='', tokenize='{TOKENIZE}')")
    config = f"INSERT INTO [{SEARCH_TABLE}] ([{SEARCH_TABLE}], rank) VALUES (?, ?)"
    # The index is merged once at the end ('optimize'), not along the way: a third faster on 10,000 entries.
    db.conn.executemany(config, [("automerge", 0), ("crisismerge", 64)])
    rows = db.execute(f"SELECT rowid, {columns} FROM entries ORDER BY rowid").fetchall()
    marks = ", ".join("?" * len(SEARCHED))
    db.conn.executemany(f"INSERT INTO [{SEARCH_TABLE}] (rowid, {columns}) VALUES (?, {marks})",
                        ((row[0], *(search_text(v) for v in row[1:])) for row in rows))
    db.execute(f"INSERT INTO [{SEARCH_TABLE}] ([{SEARCH_TABLE}]) VALUES ('optimize')")
    db.conn.executemany(config, [("automerge", 4), ("crisismerge", 16)])  # SQLite's defaults, for later writers


def _history(db: sqlite_utils.Database, data: Data) -> None:
    if data.history is None:
        return
    rows = [r.record() for r in data.history.rows]
    scores = {k: int if k in ("scored", "brier_n") else float for k in SCORES}
    _fill(db, "history", {"commit": str, "time": str, "date": str, "author": str, **{k: int for k in COUNTS},
                          **scores}, rows, pk="commit")
    # No foreign key to entries: a verdict log keeps the changes of entries since removed.
    _fill(db, "verdicts", {"entry_id": str, "from_status": str, "to_status": str, "commit": str, "time": str,
                           "date": str, "author": str, "needs_note": int, "explained_by": str},
          ({**c.record(), "needs_note": int(c.needs_note)} for c in data.history.changes),
          foreign_keys=[("commit", "history", "commit")], not_null={"entry_id", "commit"})


# In the order they are built: a table comes after the tables its foreign keys point to.
TABLES: tuple[Callable[[sqlite_utils.Database, Data], None], ...] = (
    _about, _topics, _speakers, _sources, _entries, _entry_topics, _evidence, _amendments, _search, _history,
)


def build(db: sqlite_utils.Database, data: Data) -> None:
    """Create and fill every table of an empty database."""
    for table in TABLES:
        table(db, data)


def to_sqlite(records: list[dict[str, Any]], sources: dict[str, Source], as_of: dt.date, path: Path,
              history: Optional[History] = None) -> None:
    """Write the database to `path` from scratch: built in a temporary file beside it, then renamed over it, so
    a reader (or a failed run) finds the whole old database or the whole new one."""
    path = Path(os.path.realpath(path))  # a symlinked database: replace what it points to
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        db = sqlite_utils.Database(tmp, execute_plugins=False)
        try:
            # The file is thrown away if anything fails, so it needs no journal; it is synced once at the end.
            db.execute("PRAGMA journal_mode = OFF")
            db.execute("PRAGMA synchronous = OFF")
            with db.conn:
                build(db, Data(records, sources, as_of, history))
            db.vacuum()  # merging the search index in `optimize` leaves free pages behind
        finally:
            db.close()
        with open(tmp, "rb+") as f:
            os.fchmod(f.fileno(), 0o666 & ~_umask())  # mkstemp makes the file private (0600)
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
