"""Compare the ledger at two git revisions, for reviewing a pull request."""

from __future__ import annotations

import datetime as dt
import posixpath
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from ledger import escape, load
from ledger.load import Document
from ledger.gitrepo import default_base, read_at, renames
from ledger.model import Entry
from ledger.problem import Problem
from ledger.vocabulary import OUTCOME, RESOLVED_STATUSES, STATUSES

# The terms of a statement: changing one after it was recorded changes what is being scored.
TERMS = ("quote", "source", "said_on", "deadline", "speaker", "kind")
FLAG_KINDS = ("verdict-change", "term-edit", "criteria-edit", "id-change", "removed", "no-evidence")
_FIELD_ORDER = list(Entry.model_fields)


@dataclass(frozen=True)
class FieldChange:
    """One field of an entry before and after; None when the field is absent on that side."""

    field: str
    old: Any
    new: Any


@dataclass(frozen=True)
class Edit:
    """The field changes of an entry that is on both sides (statuses and resolutions aside)."""

    id: str
    changes: tuple[FieldChange, ...]


@dataclass(frozen=True)
class StatusChange:
    """An entry resolved (or resolved differently), or re-opened; `evidence` is what head adds."""

    id: str
    old: Any
    new: Any
    resolved_on: Any = None
    evidence: tuple[dict[str, Any], ...] = ()
    criteria: Any = None


@dataclass(frozen=True)
class Removed:
    """An entry that is in base and not in head; `record` is head's `removed:` item for it, if any."""

    id: str
    entry: dict[str, Any]
    record: Optional[dict[str, Any]] = None


@dataclass(frozen=True)
class IdChange:
    """An entry that kept its source and quote under a new id."""

    old_id: str
    new_id: str


@dataclass(frozen=True)
class Flag:
    """A change a reviewer must look at; `explained_by` names the note in head that accounts for it."""

    kind: str  # one of FLAG_KINDS
    entry_id: str
    message: str
    field: Optional[str] = None
    explained_by: Optional[str] = None

    @property
    def explained(self) -> bool:
        """Whether head records a note that accounts for this change."""
        return self.explained_by is not None


@dataclass(frozen=True)
class Scores:
    """Headline numbers of one side: entries by status, and the hit rate of the scored predictions."""

    total: int
    counts: dict[str, int]
    hit_rate: Optional[float]
    scored: int


@dataclass
class LedgerDiff:
    """Everything that changed in the ledger between base and head, and what needs attention."""

    added: list[dict[str, Any]] = field(default_factory=list)
    removed: list[Removed] = field(default_factory=list)
    resolved: list[StatusChange] = field(default_factory=list)
    reopened: list[StatusChange] = field(default_factory=list)
    edited: list[Edit] = field(default_factory=list)
    id_changes: list[IdChange] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)
    before: Scores = field(default_factory=lambda: scores([]))
    after: Scores = field(default_factory=lambda: scores([]))
    base_problems: list[Problem] = field(default_factory=list)
    head_problems: list[Problem] = field(default_factory=list)
    # What `ledger validate` would say of each side (sources aside); the sides are compared all the same.
    base_invalid: list[Problem] = field(default_factory=list)
    head_invalid: list[Problem] = field(default_factory=list)
    base_missing: bool = False
    head_missing: bool = False
    # (path at base, path at head) when the ledger was renamed between the two.
    renamed: Optional[tuple[str, str]] = None
    # seeds/sources.yaml: (source id, "added" | "removed" | "changed", the fields that changed)
    sources: list[tuple[str, str, tuple[str, ...]]] = field(default_factory=list)

    @property
    def problems(self) -> list[Problem]:
        """Problems of either side; when there are any, nothing was compared."""
        return self.base_problems + self.head_problems

    @property
    def changed(self) -> bool:
        """Whether anything in the entries or the sources changed."""
        return bool(self.added or self.removed or self.resolved or self.reopened or self.edited or self.id_changes
                    or self.sources)


def _status_order(names: Any) -> list[str]:
    # Known statuses in their usual order, then anything unexpected, so output is stable.
    return [s for s in STATUSES if s in names] + sorted(s for s in set(names) if s not in STATUSES)


def scores(entries: list[dict[str, Any]]) -> Scores:
    """Counts by status, and the predictions' hit rate as the report's headline gives it.

    hit rate = (correct + 0.5 partly_correct) / (correct + partly_correct + wrong), over predictions only.
    """
    counts: dict[str, int] = {}
    for e in entries:
        status = str(e.get("status"))
        counts[status] = counts.get(status, 0) + 1
    counts = {s: counts[s] for s in _status_order(counts)}
    # Either side may not validate: a status that is a list or a mapping is counted by its text, never looked up.
    verdicts = [OUTCOME[s] for e in entries if e.get("kind") == "prediction"
                and isinstance(s := e.get("status"), str) and s in OUTCOME]
    scored = len(verdicts)
    hits = sum(verdicts)
    return Scores(len(entries), counts, hits / scored if scored else None, scored)


@dataclass
class _Side:
    entries: dict[str, dict[str, Any]] = field(default_factory=dict)
    removed: dict[str, dict[str, Any]] = field(default_factory=dict)
    doc: Optional[Document] = None

    def invalid(self) -> list[Problem]:
        """The problems `ledger validate` finds in this side's entries, short of its sources and the date."""
        from ledger.validate import check

        if self.doc is None:
            return []
        # No as-of date: a diff is about the change, and dates in the future are validate's concern.
        return [p for p in check(self.doc, None, Path("."), dt.date.max).problems if p.path == self.doc.path]


def _side(raw: Optional[bytes], path: str) -> tuple[_Side, list[Problem]]:
    side = _Side()
    if raw is None:
        return side, []
    doc, problems = load.parse(raw, path)
    # Any problem (a duplicate key, an alias) means the data may not be what the file says: do not compare.
    if doc is None or problems:
        return side, problems
    data = doc.data
    if not isinstance(data, dict) or not isinstance(data.get("entries"), (list, type(None))):
        return side, [doc.problem((), "bad-type", "the file must be a mapping with a top-level 'entries:' list")]
    side.doc = doc
    for i, item in enumerate(data.get("entries") or []):
        ident = item.get("id") if isinstance(item, dict) else None
        if not isinstance(ident, str):
            problems.append(doc.problem(("entries", i), "missing-field", "entry has no id, so it cannot be compared"))
        elif ident in side.entries:
            problems.append(doc.problem(("entries", i, "id"), "duplicate-id", f"duplicate entry id '{ident}'"))
        else:
            side.entries[ident] = item
    removed = data.get("removed")
    for item in removed if isinstance(removed, list) else []:
        if isinstance(item, dict) and isinstance(item.get("id"), str):
            side.removed.setdefault(item["id"], item)
    return side, problems


def _norm(value: Any) -> Any:
    """A value as compared and shown: dates as ISO text, so a quoted date equals an unquoted one."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return [_norm(v) for v in value]
    if isinstance(value, dict):
        return {k: _norm(v) for k, v in value.items()}
    return value


def _get(entry: dict[str, Any], name: str) -> Any:
    value = _norm(entry.get(name))
    # `deadline: 2025` and `deadline: "2025"` are the same deadline.
    if name == "deadline" and isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


def _items(entry: dict[str, Any], name: str) -> list[Any]:
    value = _get(entry, name)
    return value if isinstance(value, list) else []


def _new_amendments(old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, Any]]:
    before = _items(old, "amendments")
    return [a for a in _items(new, "amendments") if isinstance(a, dict) and a not in before]


def _amended(amendments: list[dict[str, Any]], name: str) -> Optional[str]:
    for a in amendments:
        fields = a.get("fields")
        if name in (fields if isinstance(fields, list) else [fields]):
            return f"amendment on {a.get('on')}: {a.get('reason')}"
    return None


def _changes(old: dict[str, Any], new: dict[str, Any]) -> list[FieldChange]:
    names = [n for n in _FIELD_ORDER if n in old or n in new]
    names += sorted(n for n in {*old, *new} if n not in _FIELD_ORDER)
    return [FieldChange(n, _get(old, n), _get(new, n)) for n in names if n != "id" and _get(old, n) != _get(new, n)]


def _compare_entry(old: dict[str, Any], new: dict[str, Any], new_id: str, d: LedgerDiff) -> None:
    changes = _changes(old, new)
    amendments = _new_amendments(old, new)
    was, now = _get(old, "status"), _get(new, "status")
    before = _items(old, "evidence")
    if was != now and now in RESOLVED_STATUSES:
        fresh = tuple(ev for ev in _items(new, "evidence") if ev not in before)
        d.resolved.append(StatusChange(new_id, was, now, _get(new, "resolved_on"), fresh, _get(new, "criteria")))
        if not fresh:
            d.flags.append(Flag("no-evidence", new_id, f"resolved as {_code(now)} without new evidence"))
        # Evidence that was taken away is an edit of its own, not part of the resolution.
        consumed = {"status", "resolved_on"} | ({"evidence"} if all(ev in _items(new, "evidence") for ev in before) else set())
    elif was != now and was in RESOLVED_STATUSES and now == "open":
        d.reopened.append(StatusChange(new_id, was, now))
        consumed = {"status", "resolved_on"}
    else:
        consumed = set()
    if was != now and was in RESOLVED_STATUSES:
        # A verdict overturned or withdrawn rewrites the record: it needs a recorded reason.
        what = f"verdict withdrawn ({_code(was)} → {_code(now)})" if now == "open" else \
            f"verdict changed from {_code(was)} to {_code(now)}"
        d.flags.append(Flag("verdict-change", new_id, what, "status", _amended(amendments, "status")))
    for c in changes:
        if c.field in TERMS:
            d.flags.append(
                Flag("term-edit", new_id, f"{_code(c.field)} changed after the entry was recorded", c.field,
                     _amended(amendments, c.field))
            )
        elif c.field == "criteria" and (was in RESOLVED_STATUSES or now in RESOLVED_STATUSES):
            # Criteria are written before the outcome is known; changed beside a verdict, they move the goalposts.
            when = "in the same change as its verdict" if was != now else f"on an entry resolved as {_code(now)}"
            verb = "written" if c.old is None else "removed" if c.new is None else "changed"
            d.flags.append(Flag("criteria-edit", new_id, f"`criteria` {verb} {when}", "criteria",
                                _amended(amendments, "criteria")))
    rest = tuple(c for c in changes if c.field not in consumed)
    if rest:
        d.edited.append(Edit(new_id, rest))


def _key(entry: dict[str, Any]) -> Optional[tuple[str, str]]:
    source, quote = _get(entry, "source"), _get(entry, "quote")
    return (str(source), str(quote)) if source is not None and quote is not None else None


def compare(base: Optional[bytes], head: Optional[bytes], path: str = "claims.yaml",
            base_path: Optional[str] = None) -> LedgerDiff:
    """What changed between two versions of claims.yaml (None: the file does not exist on that side)."""
    base_path = base_path or path
    d = LedgerDiff(base_missing=base is None, head_missing=head is None)
    if base_path != path:
        d.renamed = (base_path, path)
    old, d.base_problems = _side(base, base_path)
    new, d.head_problems = _side(head, path)
    if d.problems:
        return d
    d.base_invalid, d.head_invalid = old.invalid(), new.invalid()
    gone = sorted(set(old.entries) - set(new.entries))
    came = sorted(set(new.entries) - set(old.entries))
    # Same source and same quote under another id is one entry renamed, not one removed and one added.
    by_key: dict[tuple[str, str], list[str]] = {}
    for ident in came:
        key = _key(new.entries[ident])
        if key:
            by_key.setdefault(key, []).append(ident)
    renamed: dict[str, str] = {}
    for ident in gone:
        candidates = by_key.get(_key(old.entries[ident]) or ("", ""), [])
        if candidates:
            renamed[ident] = candidates.pop(0)
    for ident in came:
        if ident not in renamed.values():
            entry = new.entries[ident]
            d.added.append(entry)
            if _get(entry, "status") in RESOLVED_STATUSES and not _items(entry, "evidence"):
                d.flags.append(Flag("no-evidence", ident, f"added as {_code(_get(entry, 'status'))} without evidence"))
    for ident in gone:
        if ident in renamed:
            continue
        record = new.removed.get(ident)
        d.removed.append(Removed(ident, old.entries[ident], record))
        why = f"removal note on {_norm(record.get('on'))}: {record.get('reason')}" if record else None
        d.flags.append(Flag("removed", ident, "entry removed", None, why))
    pairs = [(i, i) for i in sorted(set(old.entries) & set(new.entries))] + sorted(renamed.items())
    for old_id, new_id in pairs:
        if old_id != new_id:
            d.id_changes.append(IdChange(old_id, new_id))
            why = _amended(_new_amendments(old.entries[old_id], new.entries[new_id]), "id")
            d.flags.append(Flag("id-change", new_id, f"id changed from {_code(old_id)} to {_code(new_id)}", "id", why))
        _compare_entry(old.entries[old_id], new.entries[new_id], new_id, d)
    d.added.sort(key=lambda e: e["id"])
    for items in (d.resolved, d.reopened, d.edited):
        items.sort(key=lambda x: x.id)
    d.id_changes.sort(key=lambda x: x.new_id)
    d.flags.sort(key=lambda f: (f.entry_id, FLAG_KINDS.index(f.kind), f.field or ""))
    d.before = scores(list(old.entries.values()))
    d.after = scores(list(new.entries.values()))
    return d


def _source_items(raw: Optional[bytes]) -> dict[str, dict[str, Any]]:
    doc, problems = load.parse(raw, "sources.yaml") if raw is not None else (None, [])
    items = doc.data.get("sources") if doc is not None and not problems and isinstance(doc.data, dict) else None
    return {item["id"]: item for item in items or [] if isinstance(item, dict) and isinstance(item.get("id"), str)}


def compare_sources(base: Optional[bytes], head: Optional[bytes]) -> list[tuple[str, str, tuple[str, ...]]]:
    """Sources added, removed or changed between two versions of seeds/sources.yaml, by id."""
    old, new = _source_items(base), _source_items(head)
    out: list[tuple[str, str, tuple[str, ...]]] = [(i, "added", ()) for i in sorted(set(new) - set(old))]
    out += [(i, "removed", ()) for i in sorted(set(old) - set(new))]
    for i in sorted(set(old) & set(new)):
        fields = tuple(sorted(k for k in {*old[i], *new[i]} if _norm(old[i].get(k)) != _norm(new[i].get(k))))
        if fields:
            out.append((i, "changed", fields))
    return out


def diff_revisions(repo: Path, base: Optional[str] = None, head: Optional[str] = None, path: str = "claims.yaml") -> LedgerDiff:
    """Compare `path` at BASE (default: the merge base with the default branch) and HEAD (default: the working tree).

    When the ledger was renamed in between, the diff follows it, as `git log --follow` does.
    """
    base_rev = base if base is not None else default_base(repo)
    base_path, head_path = path, path
    old, new = read_at(repo, base_rev, path), read_at(repo, head, path)
    if (old is None) != (new is None):
        for before, after in renames(repo, base_rev, head):
            if old is None and after == path:
                base_path = before
            elif new is None and before == path:
                head_path = after
        old, new = read_at(repo, base_rev, base_path), read_at(repo, head, head_path)
    d = compare(old, new, head_path, base_path)
    sources = [posixpath.join(posixpath.dirname(p), "seeds", "sources.yaml") for p in (base_path, head_path)]
    d.sources = compare_sources(read_at(repo, base_rev, sources[0]), read_at(repo, head, sources[1]))
    return d


def unexplained(d: LedgerDiff) -> list[Flag]:
    """The flagged changes with no note in head that accounts for them (for --strict)."""
    return [f for f in d.flags if not f.explained]


def _text(value: Any) -> str:
    """A value as one line of plain text."""
    value = _norm(value)
    if value is None:
        return "(none)"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, list):
        if all(not isinstance(v, (list, dict)) for v in value):
            return "[" + ", ".join(_text(v) for v in value) + "]"
        return "; ".join(_text(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_text(v)}" for k, v in value.items())
    return " ".join(str(value).split())


def _code(value: Any, table: bool = False) -> str:
    """A value as a Markdown code span."""
    return escape.markdown_code(_text(value), table)
