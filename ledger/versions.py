"""Many versions of one ledger read fast, each with the same verdict as the strict loader and validator.

Successive versions of `claims.yaml` share almost every entry. A `Reader` splits a version into its entries'
texts and parses and checks each text once, however many versions hold it; a version whose layout it cannot split
safely, or that has any problem at all, is read again as a whole by `load.parse` and `validate.check`, so every
problem is the one `ledger validate` would report, at its line and column. What is checked is what `ledger diff`
checks of each side: everything but the sources file and the quotes, which belong to the files of the day.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from ledger import load, validate
from ledger.model import Entry
from ledger.problem import Problem

# The top-level `entries:` key with a block below it (anything after the colon but a comment is read whole).
_ENTRIES_KEY = re.compile(r"^entries:[ \t]*(?:#[^\n]*)?\r?\n", re.MULTILINE)
# Characters YAML also reads as line breaks; a text holding one is read whole.
_ODD_BREAKS = re.compile("[\x85\u2028\u2029]|\r(?!\n)")


@dataclass(frozen=True)
class Version:
    """One version of the ledger: its entries, the `removed:` notes by id, or the first problem that made it unusable."""

    entries: list[Entry] = field(default_factory=list)
    removed: dict[str, dict[str, Any]] = field(default_factory=dict)
    problem: Optional[Problem] = None


@dataclass(frozen=True)
class _Piece:
    """One entry's text, checked on its own: the entry, or None when anything is wrong with it."""

    entry: Optional[Entry]
    latest: dt.date  # the latest of said_on, resolved_on, checked_on: the as-of date must not be before it


class Reader:
    """Reads versions of a ledger, remembering each entry's text it has checked."""

    def __init__(self, path: str = "claims.yaml") -> None:
        self.path = path
        self._pieces: dict[str, _Piece] = {}
        self._skeletons: dict[str, Optional[dict[str, dict[str, Any]]]] = {}

    def read(self, raw: bytes, as_of: dt.date) -> Version:
        """The version in `raw` as it stood on `as_of`: its entries, or the first problem `ledger validate` finds."""
        with load.gc_paused():
            fast = self._fast(raw, as_of)
            return fast if fast is not None else self.strict(raw, as_of)

    def strict(self, raw: bytes, as_of: dt.date) -> Version:
        """The version read whole by the strict loader and validator (the reference `read` agrees with)."""
        doc, problems = load.parse(raw, self.path)
        if doc is None:
            return Version(problem=min(problems))
        checked = validate.check(doc, None, Path("."), as_of)
        problems = problems + checked.problems
        if problems:
            return Version(problem=min(problems))
        return Version(checked.entries, _removed(doc.data))

    def _fast(self, raw: bytes, as_of: dt.date) -> Optional[Version]:
        """The version read entry by entry; None when that cannot be done safely or something is wrong."""
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            return None
        split = _split(text)
        if split is None:
            return None
        skeleton, pieces = split
        removed = self._skeleton(skeleton)
        if removed is None:
            return None
        entries = []
        for piece_text in pieces:
            piece = self._pieces.get(piece_text)
            if piece is None:
                piece = self._pieces[piece_text] = self._piece(piece_text)
            if piece.entry is None or piece.latest > as_of:
                return None
            entries.append(piece.entry)
        ids = {e.id for e in entries}
        # The checks that look across entries: ids are unique, related ids exist, removed ones are gone.
        if len(ids) != len(entries) or any(r == e.id or r not in ids for e in entries for r in e.related):
            return None
        if any(ident in ids for ident in removed):
            return None
        return Version(entries, removed)

    def _skeleton(self, text: str) -> Optional[dict[str, dict[str, Any]]]:
        """The file without its entries, checked; its `removed:` notes, or None when it has a problem."""
        if text not in self._skeletons:
            doc, problems = load.parse(text.encode("utf-8"), self.path)
            ok = doc is not None and not problems and not validate.check(doc, None, Path("."), dt.date.max).problems
            self._skeletons[text] = _removed(doc.data) if ok and doc is not None else None
        return self._skeletons[text]

    def _piece(self, text: str) -> _Piece:
        doc, problems = load.parse(("entries:\n" + text).encode("utf-8"), self.path)
        if doc is None or problems:
            return _Piece(None, dt.date.min)
        # The as-of date is applied per version (Piece.latest); related ids are checked across the version.
        checked = validate.check(doc, None, Path("."), dt.date.max)
        if len(checked.entries) != 1 or any(p.code != "bad-related" for p in checked.problems):
            return _Piece(None, dt.date.min)
        e = checked.entries[0]
        return _Piece(e, max(d for d in (e.said_on, e.resolved_on, e.checked_on) if d is not None))


def _removed(data: Any) -> dict[str, dict[str, Any]]:
    items = data.get("removed") if isinstance(data, dict) else None
    return {item["id"]: item for item in items or [] if isinstance(item, dict) and isinstance(item.get("id"), str)}


def _split(text: str) -> Optional[tuple[str, list[str]]]:
    """The text without the items of its `entries:` block, and each item's text; None for a layout not split safely.

    The block runs from the line after `entries:` to the next line at column 0 that is not a comment or an item.
    Every item starts at the same indentation with `- `; a line inside the block less indented than that, or at
    that indentation and not an item, means a layout this does not split, and the version is read whole.
    """
    if _ODD_BREAKS.search(text):
        return None
    key = _ENTRIES_KEY.search(text)
    if key is None:
        return None
    start = key.end()
    first = re.compile(r"^( *)-(?:[ \r\n]|$)", re.MULTILINE).search(text, start)
    if first is None:
        return None
    indent = len(first.group(1))
    # Before the first item only blank lines and comments.
    if re.search(r"^[ \t]*[^ \t\r\n#]", text[start:first.start()], re.MULTILINE):
        return None
    if indent == 0:
        end = re.compile(r"^(?:[^ \t\r\n#-]|-[^ \r\n])", re.MULTILINE).search(text, first.start())
    else:
        end = re.compile(r"^[^ \r\n#]", re.MULTILINE).search(text, first.start())
    stop = end.start() if end else len(text)
    block = text[first.start():stop]
    if indent and re.search(rf"^ {{0,{indent - 1}}}[^ \r\n#]", block, re.MULTILINE):
        return None
    if re.search(rf"^ {{{indent}}}(?:[^ \r\n#-]|-[^ \r\n])", block, re.MULTILINE):
        return None
    pieces = re.split(rf"(?m)^(?= {{{indent}}}-(?:[ \r\n]|$))", block)
    if pieces and pieces[0] == "":
        pieces = pieces[1:]
    return text[:first.start()] + text[stop:], pieces
