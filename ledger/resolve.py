"""Resolve an entry in claims.yaml in place, leaving every other byte of the file as it was."""

from __future__ import annotations

import datetime as dt
import difflib
import io
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional, Sequence

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ledger import atomic, load
from ledger.problem import Problem
from ledger.vocabulary import ID_PATTERN, RESOLVED_STATUSES
from ledger.validate import check, sources_path

_URL = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*://\S+")
# The line breaks YAML reads (and marks count), which are not all those str.splitlines() splits at.
_BREAK = re.compile("(\r\n|[\r\n\x85\u2028\u2029])")


class ResolveError(Exception):
    """A resolution that cannot be made: unknown id, bad status, missing evidence, or nothing to change."""


def _render(items: Sequence[CommentedMap], dash: int, gap: int) -> list[str]:
    """Block list items as YAML lines, the dash at column `dash` and the item's keys `gap` columns after it."""
    yaml = YAML(typ="rt")
    yaml.width = 2**30  # never wrap a line
    yaml.indent(mapping=2, sequence=2, offset=0)
    out = io.StringIO()
    yaml.dump(CommentedSeq(items), out)
    lines = []
    for line in out.getvalue().splitlines():
        if line.startswith("- "):
            lines.append(" " * dash + "-" + " " * (gap - 1) + line[2:])
        else:
            lines.append(" " * (dash + gap - 2) + line if line.strip() else line)
    return lines


@dataclass(frozen=True)
class EvidenceItem:
    """One evidence item as given on the command line; `evidence` is a URL or an archived source's id."""

    type: str
    evidence: str
    note: str
    publisher: Optional[str] = None
    published_on: Optional[dt.date] = None
    quote: Optional[str] = None


def _evidence(given: EvidenceItem) -> CommentedMap:
    evidence = given.evidence.strip()
    if not evidence:
        raise ResolveError("evidence is empty: give a URL, or a source id with --quote")
    if not given.note.strip():
        raise ResolveError("the note is empty: say in your own words what the evidence shows")
    item = CommentedMap()
    item["type"] = given.type
    if _URL.fullmatch(evidence):
        if given.quote is not None:
            raise ResolveError("a quote goes with a source id from seeds/sources.yaml, not with a URL")
        item["url"] = evidence
        if given.publisher is not None:
            item["publisher"] = given.publisher.strip()
        if given.published_on is not None:
            item["published_on"] = given.published_on
    elif re.fullmatch(ID_PATTERN, evidence):
        if not given.quote or not given.quote.strip():
            raise ResolveError(f"evidence from source '{evidence}' needs the passage that shows the outcome (--quote)")
        item["source"] = evidence
        item["quote"] = given.quote.strip()
    else:
        raise ResolveError(f"evidence '{evidence}' is neither a URL nor a source id from seeds/sources.yaml")
    item["note"] = given.note.strip()
    return item




def _find(doc: load.Document, entry_id: str) -> tuple[int, MappingNode, int]:
    """The entry with this id: its index, its node, and the column of the `entries:` key."""
    root, entries = doc.root, doc.data.get("entries") if isinstance(doc.data, dict) else None
    pair = next(((k, v) for k, v in root.value if k.value == "entries"), None) if isinstance(root, MappingNode) else None
    seq = pair[1] if pair else None
    if not isinstance(entries, list) or not isinstance(seq, SequenceNode) or seq.flow_style:
        raise ResolveError("the ledger has no block list of 'entries:' to resolve in")
    found = [i for i, e in enumerate(entries) if isinstance(e, dict) and e.get("id") == entry_id]
    if not found:
        ids = [e["id"] for e in entries if isinstance(e, dict) and isinstance(e.get("id"), str)]
        close = difflib.get_close_matches(entry_id, ids, n=1, cutoff=0.6)
        raise ResolveError(f"no entry with id '{entry_id}'" + (f" (did you mean '{close[0]}'?)" if close else ""))
    if len(found) > 1:
        raise ResolveError(f"the id '{entry_id}' is used by {len(found)} entries: fix that first")
    node = seq.value[found[0]]
    if not isinstance(node, MappingNode) or node.flow_style:
        raise ResolveError(f"entry '{entry_id}' is not written as a block mapping: resolve it by hand")
    assert pair is not None
    return found[0], node, pair[0].start_mark.column


@dataclass(frozen=True)
class Change:
    """What to do to one entry: a verdict (None keeps the status), evidence to add, a verdict withdrawn (`reopen`),
    and the reason for changing or withdrawing a verdict, recorded as an amendment dated `amended_on`."""

    status: Optional[str] = None
    on: Optional[dt.date] = None
    evidence: tuple[EvidenceItem, ...] = ()
    reason: Optional[str] = None
    amended_on: Optional[dt.date] = None
    reopen: bool = False


def _guard(entry_id: str, current: Any, change: Change) -> None:
    """Refuse a change that would overturn or withdraw a verdict without a recorded reason."""
    reason = (change.reason or "").strip()
    if change.reason is not None and not reason:
        raise ResolveError("the reason is empty: say why the verdict changes")
    if change.reopen:
        if current not in RESOLVED_STATUSES:
            raise ResolveError(f"entry '{entry_id}' is '{current}', not resolved: there is nothing to re-open")
        if not reason:
            raise ResolveError("re-opening a verdict needs --reason saying why it no longer stands")
    elif change.status is None:
        if not change.evidence:
            raise ResolveError("no evidence given: add --evidence with its --type and --note")
    else:
        if change.status not in RESOLVED_STATUSES:
            raise ResolveError(f"'{change.status}' is not a resolved status: use one of {', '.join(RESOLVED_STATUSES)}")
        if current == change.status:
            raise ResolveError(f"entry '{entry_id}' is already resolved as '{current}'")
        if current in RESOLVED_STATUSES and not reason:
            raise ResolveError(f"entry '{entry_id}' already has the verdict '{current}': to change it, give --change "
                               "with --reason saying why (it is recorded as an amendment)")
        if current not in RESOLVED_STATUSES and change.reason is not None:
            raise ResolveError(f"entry '{entry_id}' has no verdict to change: leave out --change and --reason")


def _last_line(node: Node, lines: "_Splice") -> int:
    """The 0-based line where a value's own text ends, before any blank or comment lines that follow it."""
    if isinstance(node, (MappingNode, SequenceNode)) and not node.flow_style and node.value:
        last = node.value[-1]
        return _last_line(last[1] if isinstance(last, tuple) else last, lines)
    if isinstance(node, ScalarNode) and node.style in ("|", ">"):
        # A block scalar's end takes in the blank lines after it; its text is the lines indented under it.
        body = [i for i in range(node.start_mark.line + 1, min(node.end_mark.line + 1, len(lines))) if lines[i].strip()]
        indent = min((len(lines[i]) - len(lines[i].lstrip(" ")) for i in body[:1]), default=0)
        body = [i for i in body if len(lines[i]) - len(lines[i].lstrip(" ")) >= indent]
        return body[-1] if body else node.start_mark.line
    end = node.end_mark
    return end.line if end.column > 0 or end.line == node.start_mark.line else end.line - 1


def _dash(line: str, key_column: int) -> Optional[int]:
    """The column of the list dash before the key at `key_column` on this line, if it is there."""
    before = line[:key_column]
    return before.index("-") if before.strip() == "-" else None


def _list_layout(entry: MappingNode, entries_column: int, lines: "_Splice") -> tuple[int, int]:
    """How far a block list's dash sits from its key and its items' keys from the dash, as this file writes them."""
    for _, value in entry.value:  # an evidence or amendments list already in the entry is the best guide
        if isinstance(value, SequenceNode) and not value.flow_style and isinstance(value.value[0], MappingNode):
            item = value.value[0]
            dash = _dash(lines[item.start_mark.line], item.start_mark.column)
            if dash is not None:
                return dash - entry.value[0][0].start_mark.column, item.start_mark.column - dash
    # Else the list of entries itself: `entries:` then `  - id:` gives (2, 2), `- id:` gives (0, 2).
    dash = _dash(lines[entry.start_mark.line], entry.start_mark.column)
    if dash is None:
        return 2, 2
    return max(0, dash - entries_column), entry.start_mark.column - dash


@dataclass
class _Splice:
    """Line edits of one entry, applied in one pass so that every other line is kept as it is."""

    first: int  # the file's line number of the first line here: only the entry's own lines are cut up
    lines: list[str]
    breaks: list[str]
    replaced: dict[int, str] = field(default_factory=dict)
    deleted: set[int] = field(default_factory=set)
    after: dict[int, list[str]] = field(default_factory=dict)

    @classmethod
    def of(cls, text: str, first: int) -> "_Splice":
        """Text that starts at line `first` of a file, cut into lines and the breaks that end them."""
        parts = _BREAK.split(text)
        return cls(first, parts[0::2], parts[1::2] + [""])

    def __getitem__(self, line: int) -> str:
        return self.lines[line - self.first]

    def __len__(self) -> int:
        return self.first + len(self.lines)

    def set_scalar(self, node: Node, value: str) -> None:
        """Put `value` where a one-line scalar stands, in the same quotes, keeping what follows it on the line."""
        if not isinstance(node, ScalarNode) or node.start_mark.line != node.end_mark.line:
            raise ResolveError(f"the value on line {node.start_mark.line + 1} is not a one-line text: change it by hand")
        quote = node.style if node.style in ("'", '"') else ""
        line = self[node.start_mark.line]
        self.replaced[node.start_mark.line] = (line[: node.start_mark.column] + quote + value + quote
                                               + line[node.end_mark.column :])

    def delete(self, key: Node, value: Node) -> None:
        """Take out a key and its value."""
        self.deleted.update(range(key.start_mark.line, _last_line(value, self) + 1))

    def insert(self, line: int, new: list[str]) -> None:
        """Add lines after a line; lines added after the same line keep the order they were added in."""
        self.after.setdefault(line, []).extend(new)

    def text(self) -> str:
        """The file with the edits made."""
        newline = self.breaks[0] or "\n"
        out: list[list[str]] = []
        for i, line in enumerate(self.lines, self.first):
            if i not in self.deleted:
                out.append([self.replaced.get(i, line), self.breaks[i - self.first]])
            out.extend([x, newline] for x in self.after.get(i, ()))
        for pair in out[:-1]:
            pair[1] = pair[1] or newline  # a line added after the last one, in a file that ended without a break
        if out and not self.breaks[-1]:
            out[-1][1] = ""
        return "".join(line + brk for line, brk in out)


def _expected(entry: dict[str, Any], status: Optional[str], change: Change, items: list[CommentedMap],
              amendment: Optional[CommentedMap]) -> dict[str, Any]:
    """The entry's data as the change should leave it, to check the edited text against."""
    new = dict(entry)
    if status is not None:
        new["status"] = status
        if change.reopen:
            new.pop("resolved_on", None)
        else:
            new["resolved_on"] = change.on
    plain = [dict(item) for item in items]
    if plain:
        new["evidence"] = list(entry.get("evidence") or []) + plain
    if amendment is not None:
        new["amendments"] = list(entry.get("amendments") or []) + [{**amendment, "fields": list(amendment["fields"])}]
    return new


def _edit(doc: load.Document, entry_id: str, change: Change) -> tuple[str, load.Document]:
    """The ledger's text with one entry changed, splicing new lines into that entry alone, and its parse."""
    items = [_evidence(e) for e in change.evidence]
    index, node, entries_column = _find(doc, entry_id)
    data = doc.data["entries"][index]
    if "status" not in data:
        raise ResolveError(f"entry '{entry_id}' has no status to change")
    _guard(entry_id, data["status"], change)
    # The entry's lines, up to where the next entry or key starts: marks count characters, so no other line is cut.
    start = node.start_mark.index - node.start_mark.column
    end = len(doc.text) if node.end_mark.index >= len(doc.text) else node.end_mark.index - node.end_mark.column
    splice = lines = _Splice.of(doc.text[start:end], node.start_mark.line)
    keys = {k.value: (k, v) for k, v in node.value}
    column = node.value[0][0].start_mark.column
    offset, gap = _list_layout(node, entries_column, lines)

    def block(key: str, new_items: list[CommentedMap]) -> list[str]:
        return [" " * column + key + ":"] + _render(new_items, column + offset, gap)

    def existing(key: str) -> Optional[SequenceNode]:
        """The block list at entry[key] to append to; an empty one is taken out, to be written anew."""
        if key not in keys:
            return None
        key_node, value = keys[key]
        if isinstance(value, SequenceNode) and not value.flow_style and value.value:
            return value
        if data[key] in (None, [], ""):
            splice.delete(key_node, value)
            return None
        kind = "flow list" if isinstance(value, SequenceNode) else "list"
        raise ResolveError(f"entry '{entry_id}' has a {key} field that is not a block {kind}: fix it by hand")

    status = "open" if change.reopen else change.status
    status_value = keys["status"][1]
    evidence = existing("evidence") if items else None
    after_status: list[str] = []
    if status is not None:
        splice.set_scalar(status_value, status)
        if "resolved_on" in keys:
            if change.reopen:
                splice.delete(*keys["resolved_on"])
            else:
                assert change.on is not None
                splice.set_scalar(keys["resolved_on"][1], change.on.isoformat())
        elif not change.reopen:
            assert change.on is not None
            after_status.append(" " * column + f"resolved_on: {change.on.isoformat()}")
    if evidence is not None:
        splice.insert(_last_line(evidence, lines), _render(items, evidence.value[0].start_mark.column - gap, gap))
    elif items:
        after_status += block("evidence", items)
    splice.insert(_last_line(status_value, lines), after_status)
    amendment = None
    if change.reason is not None:
        amendment = CommentedMap()
        amendment["on"] = change.amended_on
        amendment["fields"] = CommentedSeq(["status", "resolved_on"])
        amendment["fields"].fa.set_flow_style()
        amendment["reason"] = change.reason.strip()
        amendments = existing("amendments")
        if amendments is not None:
            splice.insert(_last_line(amendments, lines),
                          _render([amendment], amendments.value[0].start_mark.column - gap, gap))
        else:
            splice.insert(_last_line(node, lines), block("amendments", [amendment]))

    text = doc.text[:start] + splice.text() + doc.text[end:]
    new_doc, problems = load.parse(text.encode("utf-8"), doc.path)
    # The text is checked against what the change means: any other value changed, and the edit is refused.
    expected = _expected(data, status, change, items, amendment)
    entries = new_doc.data.get("entries") if new_doc is not None and isinstance(new_doc.data, dict) else None
    if (new_doc is None or problems or not isinstance(entries, list) or len(entries) != len(doc.data["entries"])
            or entries[index] != expected or entries[:index] != doc.data["entries"][:index]
            or entries[index + 1:] != doc.data["entries"][index + 1:]
            or {k: v for k, v in new_doc.data.items() if k != "entries"}
            != {k: v for k, v in doc.data.items() if k != "entries"}):
        raise ResolveError(f"the layout of entry '{entry_id}' (line {node.start_mark.line + 1}) cannot take the new "
                           "keys without changing other values: resolve this entry by hand")
    return text, new_doc


def edit(text: str, entry_id: str, change: Change) -> str:
    """claims.yaml text with one entry changed as `change` says, every other line kept byte for byte."""
    doc, problems = load.parse(text.encode("utf-8"), "claims.yaml")
    if doc is None or problems:
        raise ResolveError(f"cannot read the ledger: {problems[0].message if problems else 'no data'}")
    return _edit(doc, entry_id, change)[0]


def resolve(
    text: str,
    entry_id: str,
    status: str,
    on: dt.date,
    evidence: EvidenceItem | Sequence[EvidenceItem],
    *,
    reason: Optional[str] = None,
    amended_on: Optional[dt.date] = None,
) -> str:
    """claims.yaml text with one entry resolved: status, resolved_on, and more evidence.

    An entry that already has a verdict keeps it unless `reason` says why it changes; the reason is recorded
    as an amendment dated `amended_on` (default: `on`).
    """
    given = (evidence,) if isinstance(evidence, EvidenceItem) else tuple(evidence)
    return edit(text, entry_id, Change(status, on, given, reason, amended_on or on))


def edit_file(path: Path, entry_id: str, change: Change, *, as_of: dt.date, sources: Optional[Path] = None) -> list[Problem]:
    """Change an entry in a ledger file; the file changes only if the result validates, else its problems."""
    try:
        raw = load.read_regular(path, load.LEDGER_LIMIT)
    except load.Unreadable as err:
        return [Problem(str(path), 1, 1, err.code, err.message)]
    with load.gc_paused():
        doc, problems = load.parse(raw, str(path))
        if doc is None or problems:
            return problems
        bom = doc.text.startswith("\ufeff")
        if bom:
            # Marks do not count the byte-order mark, which the text holds: edit the text without it.
            doc, problems = load.parse(raw[3:], str(path))
            assert doc is not None and not problems
        body = doc.text
        if "\r\n" in body and "\n" in body.replace("\r\n", ""):
            raise ResolveError("the ledger mixes CRLF and LF line ends: make them all one kind first")
        new_text, new_doc = _edit(doc, entry_id, change)
        sources = sources or sources_path(path)
        sources_doc, source_problems = load.read(sources)
        problems = source_problems + check(new_doc, sources_doc, sources.parent, as_of).problems
    if problems:
        return sorted(problems)
    # Through a symlink to the file itself, and keeping the permissions the ledger had.
    target = Path(os.path.realpath(path))
    atomic.replace(target, (("\ufeff" if bom else "") + new_text).encode("utf-8"), stat.S_IMODE(target.stat().st_mode))
    return []
