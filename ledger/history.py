"""The ledger's record replayed from git: the numbers at every commit, and every change of every entry's status.

`replay` walks the first-parent history of the ledger file, oldest first, reading each version with the strict
loader (`versions.Reader`), and returns plain data: one `CommitRow` per commit that could be read, one
`StatusChange` per status change (newest first), and one `Skipped` per version that could not be read. Nothing is
printed or written here; the views live in `historyreport`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from ledger import gitrepo, score
from ledger.gitrepo import Commit
from ledger.model import Entry
from ledger.problem import Problem
from ledger.versions import Reader, Version
from ledger.vocabulary import RESOLVED_STATUSES

# Counts over every entry (both kinds), the headline scores over predictions, as the report gives them.
COUNTS = ("entries", "predictions", "claims", "added", "removed", "open", "resolved", *RESOLVED_STATUSES, "overdue")
SCORES = ("scored", "hit_rate", "hit_rate_low", "hit_rate_high", "brier", "brier_n")


@dataclass(frozen=True)
class CommitRow:
    """The ledger as it stood at one commit: counts at the commit's date and the predictions' headline scores.

    `added` and `removed` count entries against the previous version that could be read.
    """

    commit: str
    time: str  # committer time, ISO 8601 with the committer's offset
    date: dt.date  # the day of `time`: overdue is judged on it
    author: str
    counts: dict[str, int]
    scores: dict[str, Optional[float]]  # hit_rate, its 95% Wilson interval, brier: None when nothing is scored

    def record(self) -> dict[str, Any]:
        """A flat record: commit, time, date, author, then COUNTS and SCORES in order."""
        return {"commit": self.commit, "time": self.time, "date": self.date.isoformat(), "author": self.author,
                **{k: self.counts[k] for k in COUNTS}, **{k: self.scores[k] for k in SCORES}}


@dataclass(frozen=True)
class StatusChange:
    """One change of one entry's status; `from_status` None: the entry was recorded, `to_status` None: removed.

    `needs_note` is true when the change rewrites the record (a verdict changed or withdrawn, an entry removed),
    and `explained_by` names the note that accounts for it: an amendment naming `status`, new in this version,
    or the `removed:` item for the entry.
    """

    entry_id: str
    from_status: Optional[str]
    to_status: Optional[str]
    commit: str
    time: str
    date: dt.date
    author: str
    needs_note: bool
    explained_by: Optional[str]

    def record(self) -> dict[str, Any]:
        """A flat record for a table: the fields in order, the date as ISO text."""
        return {"entry_id": self.entry_id, "from_status": self.from_status, "to_status": self.to_status,
                "commit": self.commit, "time": self.time, "date": self.date.isoformat(), "author": self.author,
                "needs_note": self.needs_note, "explained_by": self.explained_by}


@dataclass(frozen=True)
class Skipped:
    """A version of the ledger that could not be read, and the first problem found in it."""

    commit: str
    time: str
    author: str
    problem: Problem


@dataclass
class History:
    """The replayed record: rows oldest first, status changes newest first, versions that were skipped."""

    path: str
    rows: list[CommitRow] = field(default_factory=list)
    changes: list[StatusChange] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    last: Optional[Commit] = None  # the newest commit that changed the ledger, read or not


def _scores(entries: list[Entry], as_of: dt.date) -> tuple[dict[str, int], dict[str, Optional[float]]]:
    overall = score.tally(entries, as_of)
    predictions = [e for e in entries if e.kind == "prediction"]
    p = score.tally(predictions, as_of)
    counts = {k: int(overall[k] or 0) for k in ("entries", "open", "resolved", *RESOLVED_STATUSES, "overdue")}
    counts["predictions"] = len(predictions)
    counts["claims"] = len(entries) - len(predictions)
    scored = sum(int(p[s] or 0) for s in ("correct", "partly_correct", "wrong"))
    scores: dict[str, Optional[float]] = {"scored": scored}
    for k in ("hit_rate", "hit_rate_low", "hit_rate_high", "brier", "brier_n"):
        value = p[k]
        scores[k] = None if value is None else round(float(value), 6) if k != "brier_n" else int(value)
    return counts, scores


def _explained_by_amendment(old: Optional[Entry], new: Entry) -> Optional[str]:
    before = list(old.amendments) if old is not None else []
    for a in new.amendments:
        if a not in before and "status" in a.fields:
            return f"amendment on {a.on.isoformat()}: {a.reason}"
    return None


def _changes(before: dict[str, Entry], after: Version, commit: Commit) -> list[StatusChange]:
    now = {e.id: e for e in after.entries}
    out = []
    for ident in sorted(set(before) | set(now)):
        old, new = before.get(ident), now.get(ident)
        was = old.status if old is not None else None
        is_ = new.status if new is not None else None
        if was == is_:
            continue
        if new is None:
            note = after.removed.get(ident)
            why = f"removal note on {_iso(note.get('on'))}: {note.get('reason')}" if note else None
            needs = True
        else:
            # A verdict overturned or withdrawn rewrites the record; a first verdict or a new entry does not.
            needs = was in RESOLVED_STATUSES
            why = _explained_by_amendment(old, new)
        out.append(StatusChange(ident, was, is_, commit.hash, commit.time, commit.date, commit.author, needs, why))
    return out


def _iso(value: Any) -> str:
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def replay(repo: Path, path: str = "claims.yaml", rev: str = "HEAD") -> History:
    """The record of `path` (relative to the repository root) along the first-parent history of `rev`."""
    commits = gitrepo.first_parent_log(repo, path, rev)
    history = History(path, last=commits[-1] if commits else None)
    reader = Reader(path)
    # Successive versions share almost every entry, and a revert brings back a blob already read.
    versions: dict[tuple[str, dt.date], Version] = {}
    previous: dict[str, Entry] = {}
    changes: list[StatusChange] = []
    with gitrepo.BlobReader(repo) as blobs:
        for commit in commits:
            found = blobs.read(f"{commit.hash}:{path}")
            if found is None:
                problem = Problem(path, 1, 1, "missing-file", "the ledger does not exist at this commit")
                history.skipped.append(Skipped(commit.hash, commit.time, commit.author, problem))
                continue
            sha, raw = found
            key = (sha, commit.date)
            version = versions.get(key)
            if version is None:
                version = versions[key] = reader.read(raw, commit.date)
            if version.problem is not None:
                history.skipped.append(Skipped(commit.hash, commit.time, commit.author, version.problem))
                continue
            step = _changes(previous, version, commit)
            changes.extend(step)
            counts, scores = _scores(version.entries, commit.date)
            counts["added"] = sum(c.from_status is None for c in step)
            counts["removed"] = sum(c.to_status is None for c in step)
            history.rows.append(CommitRow(commit.hash, commit.time, commit.date, commit.author,
                                          {k: counts[k] for k in COUNTS}, scores))
            previous = {e.id: e for e in version.entries}
    order = {c.hash: i for i, c in enumerate(commits)}
    history.changes = sorted(changes, key=lambda c: (-order[c.commit], c.entry_id))
    return history

