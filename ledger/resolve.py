"""Resolve an entry in claims.yaml in place, leaving every other byte of the file as it was."""

from __future__ import annotations

import datetime as dt
import difflib
import io
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional, Sequence

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark, YAMLError
from ruamel.yaml.scalarstring import ScalarString
from ruamel.yaml.tokens import CommentToken
from ruamel.yaml.util import load_yaml_guess_indent

from ledger import atomic, load
from ledger.problem import Problem
from ledger.vocabulary import ID_PATTERN, RESOLVED_STATUSES
from ledger.validate import check, sources_path

# `key: |` or `key: >-` opening a block scalar, and `key:` alone opening a nested value.
_BLOCK_KEY = re.compile(r"( *)((?:- +)*)[^\s#'\"-][^:#]*:[ \t]+[|>][-+0-9]*[ \t]*(?:#.*)?")
_BARE_KEY = re.compile(r"( *)((?:- +)*)[^\s#'\"-][^:#]*:[ \t]*(?:#.*)?")
_URL = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*://\S+")
# Large enough that no line is ever re-wrapped.
_WIDTH = 2**30


class ResolveError(Exception):
    """A resolution that cannot be made: unknown id, bad status, missing evidence, or nothing to change."""


def _mapping_indent(text: str) -> Optional[int]:
    """How far a block scalar or nested mapping is indented from its key, if the text shows it."""
    # ruamel.yaml's own guess looks at block sequences only; block scalars follow the mapping indent.
    lines = text.splitlines()
    for i, line in enumerate(lines):
        block, bare = _BLOCK_KEY.fullmatch(line), _BARE_KEY.fullmatch(line)
        m = block or bare
        if not m:
            continue
        key_column = len(m.group(1)) + len(m.group(2))
        after = [x for x in lines[i + 1 :] if x.strip() and (block or not x.lstrip().startswith("#"))]
        if not after or (bare and after[0].lstrip().startswith("-")):
            continue
        column = len(after[0]) - len(after[0].lstrip(" "))
        if column > key_column:
            return column - key_column
    return None


def yaml_for(text: str) -> tuple[YAML, Any]:
    """A round-trip YAML set up to write `text` back as it is, and the data loaded from it."""
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = _WIDTH
    data, indent, offset = load_yaml_guess_indent(text, yaml=yaml)
    # The project's own style (`  - id:` under `entries:`) when the file has no block sequence to go by.
    indent = indent or 4
    offset = offset if offset is not None else max(0, indent - 2)
    yaml.indent(mapping=_mapping_indent(text) or indent, sequence=indent, offset=offset)
    if re.match(r"(?:#[^\n]*\n|\s*\n)*---", text):
        yaml.explicit_start = True
    return yaml, data


def dump(yaml: YAML, data: Any) -> str:
    """The text of `data` as `yaml` writes it."""
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def _leaf(node: Any) -> tuple[Any, Any, int]:
    """The container, key and comment slot of the last scalar in a node: where trailing lines hang."""
    while True:
        if isinstance(node, CommentedMap) and node:
            key: Any = list(node)[-1]
            slot = 2
        elif isinstance(node, CommentedSeq) and node:
            key, slot = len(node) - 1, 0
        else:
            raise ValueError("an empty collection has no last scalar")
        if isinstance(node[key], (CommentedMap, CommentedSeq)) and node[key]:
            node = node[key]
            continue
        return node, key, slot


def _detach(node: Any, key: Any, slot: int) -> str:
    """Take the blank and comment lines that follow node[key] off it, leaving an end-of-line comment."""
    # ruamel hangs the lines after a value (blank lines, comments, up to the next key) on that value.
    # New keys inserted after it must go above those lines, so they move to the new last value.
    slots = node.ca.items.get(key)
    if not slots or slots[slot] is None:
        return ""
    token = slots[slot]
    first, _, rest = token.value.partition("\n")
    if first.strip():
        token.value = first + "\n"
    else:
        slots[slot] = None
    return rest


def _attach(node: Any, key: Any, slot: int, rest: str) -> None:
    if rest:
        node.ca.items.setdefault(key, [None, None, None, None])[slot] = CommentToken("\n" + rest, CommentMark(0), None)


def _set_scalar(entry: CommentedMap, key: str, value: Any) -> None:
    """Replace a scalar keeping its quoting style and the column of its end-of-line comment."""
    old = entry[key]
    new = type(old)(str(value)) if isinstance(old, ScalarString) else value
    token = (entry.ca.items.get(key) or [None, None, None])[2]
    if token is not None and token.value.startswith("#"):
        token.start_mark = CommentMark(token.start_mark.column + len(str(new)) - len(str(old)))
    entry[key] = new


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


def _find(data: Any, entry_id: str) -> tuple[int, CommentedMap]:
    entries = data.get("entries") if isinstance(data, CommentedMap) else None
    if not isinstance(entries, CommentedSeq):
        raise ResolveError("the ledger has no block list of 'entries:' to resolve in")
    found = [(i, e) for i, e in enumerate(entries) if isinstance(e, CommentedMap) and e.get("id") == entry_id]
    if not found:
        ids = [e["id"] for e in entries if isinstance(e, CommentedMap) and isinstance(e.get("id"), str)]
        close = difflib.get_close_matches(entry_id, ids, n=1, cutoff=0.6)
        raise ResolveError(f"no entry with id '{entry_id}'" + (f" (did you mean '{close[0]}'?)" if close else ""))
    if len(found) > 1:
        raise ResolveError(f"the id '{entry_id}' is used by {len(found)} entries: fix that first")
    return found[0]


def _span(data: CommentedMap, index: int) -> tuple[int, int]:
    """The 0-based lines [start, end) of entry `index`, up to the next entry or top-level key."""
    entries = data["entries"]
    start = entries[index].lc.line
    after = [entries.lc.item(index + 1)[0]] if index + 1 < len(entries) else []
    after += [data.lc.key(k)[0] for k in data if data.lc.key(k)[0] > start]
    return start, min(after, default=10**12)


def _check_only_entry_changed(old: str, new: str, span: tuple[int, int], replaced: set[int], entry_id: str) -> None:
    """Refuse the edit when ruamel.yaml would rewrite anything but the resolved entry's own lines."""
    a, b = old.splitlines(keepends=True), new.splitlines(keepends=True)
    head = 0
    while head < min(len(a), len(b)) and a[head] == b[head]:
        head += 1
    tail = 0
    while tail < min(len(a), len(b)) - head and a[-1 - tail] == b[-1 - tail]:
        tail += 1
    lines = iter(b[head : len(b) - tail])
    # Every old line of the changed stretch, but the replaced ones, must still be there in order.
    kept = all(
        any(line == other for other in lines) for i, line in enumerate(a[head : len(a) - tail], head) if i not in replaced
    )
    if head < span[0] or len(a) - tail > span[1] or not kept:
        raise ResolveError(
            f"ruamel.yaml would reformat lines outside the new keys of '{entry_id}' (from line {head + 1}): "
            "this file's layout cannot be kept, so resolve this entry by hand"
        )


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


def _append(entry: CommentedMap, key: str, items: list[CommentedMap], replaced: set[int], entry_id: str) -> bool:
    """Append to the list at entry[key]; False when there is no such list yet (the caller inserts one)."""
    if key in entry and not entry[key]:
        # `evidence: []` (or empty) is rewritten as a block list, like a missing one.
        replaced.add(entry.lc.key(key)[0])
        del entry[key]
    if key not in entry:
        return False
    if not isinstance(entry[key], CommentedSeq):
        raise ResolveError(f"entry '{entry_id}' has a {key} field that is not a list: fix it by hand")
    trailing = _detach(*_leaf(entry[key]))
    entry[key].extend(items)
    _attach(*_leaf(entry[key]), trailing)
    return True


def _hook(entry: CommentedMap, key: str) -> tuple[Any, Any, int]:
    """Where the lines that follow entry[key] hang: on its last scalar."""
    value = entry[key]
    return _leaf(value) if isinstance(value, (CommentedMap, CommentedSeq)) and value else (entry, key, 2)


def _insert_after(entry: CommentedMap, anchor: str, new_keys: list[tuple[str, Any]]) -> None:
    """Insert keys after `anchor`, moving the blank and comment lines that followed it below them."""
    if not new_keys:
        return
    trailing = _detach(*_hook(entry, anchor))
    position = list(entry).index(anchor)
    for offset, (name, value) in enumerate(new_keys, 1):
        entry.insert(position + offset, name, value)
    _attach(*_hook(entry, new_keys[-1][0]), trailing)


def edit(text: str, entry_id: str, change: Change) -> str:
    """claims.yaml text with one entry changed as `change` says, every other line kept byte for byte."""
    items = [_evidence(e) for e in change.evidence]
    try:
        yaml, data = yaml_for(text)
    except YAMLError as err:
        raise ResolveError(f"cannot read the ledger: {err}") from None
    index, entry = _find(data, entry_id)
    if "status" not in entry:
        raise ResolveError(f"entry '{entry_id}' has no status to change")
    _guard(entry_id, entry["status"], change)
    replaced: set[int] = set()
    span = _span(data, index)

    status = "open" if change.reopen else change.status
    if items and not _append(entry, "evidence", items, replaced, entry_id) and status is None:
        _insert_after(entry, "status", [("evidence", CommentedSeq(items))])
    after_status: list[tuple[str, Any]] = []
    if status is not None:
        replaced.add(entry.lc.key("status")[0])
        if "resolved_on" in entry:
            replaced.add(entry.lc.key("resolved_on")[0])
            if change.reopen:
                del entry["resolved_on"]
            else:
                _set_scalar(entry, "resolved_on", change.on)
        elif not change.reopen:
            after_status.append(("resolved_on", change.on))
        if items and "evidence" not in entry:
            after_status.append(("evidence", CommentedSeq(items)))
    if change.reason is not None:
        amendment = CommentedMap()
        amendment["on"] = change.amended_on
        amendment["fields"] = CommentedSeq(["status", "resolved_on"])
        amendment["fields"].fa.set_flow_style()
        amendment["reason"] = change.reason.strip()
        if not _append(entry, "amendments", [amendment], replaced, entry_id):
            _insert_after(entry, list(entry)[-1], [("amendments", CommentedSeq([amendment]))])
    if status is not None:
        _insert_after(entry, "status", after_status)
        _set_scalar(entry, "status", status)

    result = dump(yaml, data)
    if not text.endswith("\n"):
        result = result[:-1] if result.endswith("\n") else result
    _check_only_entry_changed(text, result, span, replaced, entry_id)
    return result


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


def _keeping_layout(text: str, edit: Callable[[str], str]) -> str:
    """Apply an edit to LF text, keeping the file's byte-order mark and CRLF line ends as they were."""
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    body = text[len(bom):]
    crlf = "\r\n" in body
    if crlf and "\n" in body.replace("\r\n", ""):
        raise ResolveError("the ledger mixes CRLF and LF line ends: make them all one kind first")
    new = edit(body.replace("\r\n", "\n") if crlf else body)
    return bom + (new.replace("\n", "\r\n") if crlf else new)


def edit_file(path: Path, entry_id: str, change: Change, *, as_of: dt.date, sources: Optional[Path] = None) -> list[Problem]:
    """Change an entry in a ledger file; the file changes only if the result validates, else its problems."""
    try:
        raw = load.read_regular(path, load.LEDGER_LIMIT)
    except load.Unreadable as err:
        return [Problem(str(path), 1, 1, err.code, err.message)]
    doc, problems = load.parse(raw, str(path))
    if doc is None or problems:
        return problems
    new_text = _keeping_layout(doc.text, lambda text: edit(text, entry_id, change))
    new_doc, problems = load.parse(new_text.encode("utf-8"), str(path))
    sources = sources or sources_path(path)
    sources_doc, source_problems = load.read(sources)
    problems += source_problems
    if new_doc is not None:
        problems += check(new_doc, sources_doc, sources.parent, as_of).problems
    if problems:
        return sorted(problems)
    # Through a symlink to the file itself, and keeping the permissions the ledger had.
    target = Path(os.path.realpath(path))
    atomic.replace(target, new_text.encode("utf-8"), stat.S_IMODE(target.stat().st_mode))
    return []

