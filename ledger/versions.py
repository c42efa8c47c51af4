"""Many versions of one ledger read fast, each with the same verdict as the strict loader and validator.

Successive versions of `claims.yaml` share almost every entry. A `Reader` splits a version into its entries'
texts and parses and checks each text once, however many versions hold it; a version whose layout it cannot split
safely, or that has any problem at all, is read again as a whole by `load.parse` and `validate.check`, so every
problem is the one `ledger validate` would report, at its line and column. What is checked is what `ledger diff`
checks of each side: everything but the sources file and the quotes, which belong to the files of the day.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from ledger import load, validate
from ledger.model import Entry
from ledger.problem import Problem

# The top-level `entries:` key with a block below it (anything after the colon but a comment is read whole).
_ENTRIES_KEY = re.compile(rb"\nentries:[ \t]*(?:#[^\n]*)?\r?\n")
_ITEM = re.compile(rb"\n( *)-[ \r\n]")
_CONTENT = re.compile(rb"\n[ \t]*[^ \t\r\n#]")


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
        self._pieces: dict[bytes, _Piece] = {}
        self._skeletons: dict[bytes, Optional[dict[str, dict[str, Any]]]] = {}

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
        split = _split(raw)
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

    def _skeleton(self, text: bytes) -> Optional[dict[str, dict[str, Any]]]:
        """The file without its entries, checked; its `removed:` notes, or None when it has a problem."""
        if text not in self._skeletons:
            if _odd_breaks(text):
                self._skeletons[text] = None
                return None
            doc, problems = load.parse(text, self.path)
            ok = doc is not None and not problems and not validate.check(doc, None, Path("."), dt.date.max).problems
            self._skeletons[text] = _removed(doc.data) if ok and doc is not None else None
        return self._skeletons[text]

    def _piece(self, text: bytes) -> _Piece:
        if _odd_breaks(text):
            return _Piece(None, dt.date.min)
        doc, problems = load.parse(b"entries:\n" + text, self.path)
        if doc is None or problems:
            return _Piece(None, dt.date.min)
        # The as-of date is applied per version (Piece.latest); related ids are checked across the version.
        checked = validate.check(doc, None, Path("."), dt.date.max)
        if len(checked.entries) != 1 or any(p.code != "bad-related" for p in checked.problems):
            return _Piece(None, dt.date.min)
        e = checked.entries[0]
        return _Piece(e, max(d for d in (e.said_on, e.resolved_on, e.checked_on) if d is not None))


def _odd_breaks(text: bytes) -> bool:
    """Whether the text holds what YAML also reads as a line break and the split does not: NEL, LS, PS, a lone CR.

    Checked on each piece the first time it is seen: the pieces and the skeleton together are the whole file.
    """
    if b"\xc2\x85" in text or b"\xe2\x80\xa8" in text or b"\xe2\x80\xa9" in text:
        return True
    return b"\r" in text and text.count(b"\r") != text.count(b"\r\n")


def _removed(data: Any) -> dict[str, dict[str, Any]]:
    items = data.get("removed") if isinstance(data, dict) else None
    return {item["id"]: item for item in items or [] if isinstance(item, dict) and isinstance(item.get("id"), str)}


def _split(raw: bytes) -> Optional[tuple[bytes, list[bytes]]]:
    """The file without the items of its `entries:` block, and each item's bytes; None for a layout not split safely.

    The block runs from the line after `entries:` to the next line at column 0 that is not a comment or an item.
    Every item starts at the same indentation with `- `; a line inside the block less indented than that, or at
    that indentation and not an item, means a layout this does not split, and the version is read whole. It runs
    on every version: two scans, each for patterns that start with a line break, which the engine finds fast.
    """
    text = b"\n" + raw
    key = _ENTRIES_KEY.search(text)
    if key is None:
        return None
    first = _ITEM.search(text, key.end() - 1)
    # Before the first item only blank lines and comments.
    if first is None or _CONTENT.search(text, key.end() - 1, first.start()):
        return None
    indent = len(first.group(1))
    stop = len(text)
    # The first line indented no deeper than the items that is neither an item nor a comment ends the block at
    # column 0; anywhere else it is a layout this does not split.
    odd = _odd_lines(indent).search(text, first.start())
    if odd is not None:
        if text[odd.start() + 1:odd.start() + 2] == b" ":
            return None
        stop = odd.start()
    starts = [m.start() for m in _items(indent).finditer(text, first.start(), stop)]
    # Each item keeps the line break that ends its last line.
    pieces = [text[a + 1:b + 1] for a, b in zip(starts, starts[1:] + [stop])]
    return text[1:first.start() + 1] + text[stop + 1:], pieces


@functools.lru_cache(maxsize=None)
def _odd_lines(indent: int) -> re.Pattern[bytes]:
    # A line less indented than the items, or at their indentation and not an item; comments and blanks aside.
    shallower = rb" {0,%d}[^ \r\n#]|" % (indent - 1) if indent else b""
    return re.compile(rb"\n(?:" + shallower + rb" {%d}(?:[^ \r\n#-]|-[^ \r\n]))" % indent)


@functools.lru_cache(maxsize=None)
def _items(indent: int) -> re.Pattern[bytes]:
    return re.compile(rb"\n {%d}-(?:[ \r\n]|\Z)" % indent)
