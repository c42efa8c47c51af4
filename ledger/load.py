"""Strict YAML loading that remembers where every value came from."""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Optional

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ledger.problem import Problem

# libyaml's parser when it is installed: several times faster than the pure one.
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_constructor = yaml.constructor.SafeConstructor()

_TAG = "tag:yaml.org,2002:"
_SCALARS = {
    _TAG + "str": None,
    _TAG + "null": _constructor.construct_yaml_null,
    _TAG + "bool": _constructor.construct_yaml_bool,
    _TAG + "int": _constructor.construct_yaml_int,
    _TAG + "float": _constructor.construct_yaml_float,
    _TAG + "timestamp": _constructor.construct_yaml_timestamp,
}
_COLLECTIONS = {_TAG + "map", _TAG + "seq"}
# An anchor (&a) or alias (*a) is an & or * before a name, where a node can start: at the start of a line or
# of a list item, or after a key's colon or a flow bracket or comma. The exact event scan runs only then.
_ANCHOR_MARK = re.compile(r"[&*][^\s,\[\]{}]")
_NODE_START = re.compile(r"(?:^[ \t]*(?:-[ \t]+)*|:[ \t]+|[\[{,][ \t]*|-[ \t]+)$")

Path_ = tuple[Any, ...]
# C0 and C1 controls but tab and newline, and DEL.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")

# Far above any hand-kept ledger (the real one is under 1 MB), low enough that a wrong path fails fast.
LEDGER_LIMIT = 256 * 2**20
SOURCE_LIMIT = 32 * 2**20
# A ledger entry nests four levels deep; the limit stops hostile nesting long before Python's recursion limit.
MAX_DEPTH = 64
_KINDS = {stat.S_IFDIR: "a directory", stat.S_IFIFO: "a FIFO", stat.S_IFCHR: "a character device",
          stat.S_IFBLK: "a block device", stat.S_IFSOCK: "a socket"}


class Unreadable(Exception):
    """A path that cannot be read as a file: `code` and `message` make the problem."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def read_regular(path: Path, limit: int) -> bytes:
    """The bytes of a regular file of at most `limit` bytes; Unreadable for anything else."""
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer before it can be refused.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError:
        raise Unreadable("missing-file", "no such file") from None
    except (OSError, ValueError) as err:
        message = err.strerror if isinstance(err, OSError) and err.strerror else str(err)
        raise Unreadable("unreadable-file", message) from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise Unreadable("not-a-file", f"is {_KINDS.get(stat.S_IFMT(mode), 'not a regular file')}, not a regular file")
    with os.fdopen(fd, "rb") as f:
        data = f.read(limit + 1)
    if len(data) > limit:
        size = f"{limit // 2**20} MB" if limit % 2**20 == 0 else f"{limit} byte"
        raise Unreadable("file-too-large", f"is larger than the {size} limit for this file")
    return data


@dataclass
class Document:
    """A parsed YAML file: plain data, and the node tree that knows where every key and value came from."""

    path: str
    data: Any
    text: str = ""
    root: Optional[Node] = None
    # Values already reported and dropped (aliases, tags), so later checks do not report them again.
    rejected: set[Path_] = field(default_factory=set)

    def where(self, at: Path_, key: bool = False) -> tuple[int, int]:
        """Line and column of the value (or, with key=True, the key) at a data path, or of its nearest parent."""
        # Positions are looked up only when a problem is reported, so a valid file pays nothing for them.
        node, found = self.root, self.root
        for part in at:
            if isinstance(node, MappingNode):
                pair = next((p for p in node.value if isinstance(p[0], ScalarNode) and p[0].value == part), None)
                if pair is None:
                    break
                found, node = (pair[0] if key and part == at[-1] else pair[1]), pair[1]
            elif isinstance(node, SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
                node = found = node.value[part]
            else:
                break
        return _mark(found.start_mark) if found is not None else (1, 1)

    def problem(self, at: Path_, code: str, message: str, key: bool = False) -> Problem:
        """A problem located at a data path of this document."""
        line, column = self.where(at, key)
        return Problem(self.path, line, column, code, message)


def _mark(m: Any) -> tuple[int, int]:
    return (m.line + 1, m.column + 1)


class _Builder:
    """Turns a composed node tree into plain data, refusing what could hide or lose data."""

    def __init__(self, doc: Document, problems: list[Problem]) -> None:
        self.doc = doc
        self.problems = problems
        self.seen: set[int] = set()
        self.too_deep = False

    def build(self, node: Node, at: Path_) -> Any:
        if len(at) > MAX_DEPTH and isinstance(node, (SequenceNode, MappingNode)):
            if not self.too_deep:  # one problem, not one per branch
                self.too_deep = True
                line, col = _mark(node.start_mark)
                self.problems.append(Problem(self.doc.path, line, col, "yaml-too-deep",
                                             f"values nested more than {MAX_DEPTH} levels deep are not read"))
            self.doc.rejected.add(at)
            return None
        if id(node) in self.seen:
            # An alias: already reported from the event stream.
            self.doc.rejected.add(at)
            return None
        self.seen.add(id(node))
        if isinstance(node, ScalarNode):
            return self.scalar(node, at)
        if node.tag not in _COLLECTIONS:
            return self.bad_tag(node, at)
        if isinstance(node, SequenceNode):
            return [self.build(child, at + (i,)) for i, child in enumerate(node.value)]
        assert isinstance(node, MappingNode)
        out: dict[Any, Any] = {}
        first: dict[str, Node] = {}
        for key_node, value_node in node.value:
            if isinstance(key_node, ScalarNode) and key_node.tag in _SCALARS and id(key_node) not in self.seen:
                # A key is a name: YAML 1.1 would read `on:` as the boolean true and `2025:` as a number.
                self.seen.add(id(key_node))
                key = key_node.value
            else:
                key = self.build(key_node, at + ("<key>",))
            if not isinstance(key, str):
                line, col = _mark(key_node.start_mark)
                self.problems.append(
                    Problem(self.doc.path, line, col, "bad-key", "keys must be plain strings")
                )
                continue
            if key in first:
                line, col = _mark(key_node.start_mark)
                self.problems.append(
                    Problem(
                        self.doc.path,
                        line,
                        col,
                        "duplicate-key",
                        f"duplicate key '{key}' (first at line {first[key].start_mark.line + 1}); "
                        "YAML would keep only the last one",
                    )
                )
                continue
            first[key] = key_node
            out[key] = self.build(value_node, at + (key,))
        return out

    def scalar(self, node: ScalarNode, at: Path_) -> Any:
        if node.tag not in _SCALARS:
            return self.bad_tag(node, at)
        construct = _SCALARS[node.tag]
        if construct is None:
            bad = _CONTROL.search(node.value)
            if bad:
                # Written as an escape ("\x07") in a quoted string, the reader lets it through; no output should carry it.
                line, col = _mark(node.start_mark)
                self.problems.append(Problem(self.doc.path, line, col, "control-character",
                                             f"the text holds the control character {_codepoint(bad.group())}: "
                                             "only tab and newline are allowed"))
            return node.value
        try:
            value = construct(node)
        except (ValueError, yaml.YAMLError):
            # e.g. 2025-02-30: keep the text so validation can say what is wrong with it.
            return node.value
        if isinstance(value, dt.datetime) and node.tag == _TAG + "timestamp" and len(node.value) <= 10:
            return value.date()
        return value

    def bad_tag(self, node: Node, at: Path_) -> None:
        self.doc.rejected.add(at)
        line, col = _mark(node.start_mark)
        tag = node.tag.replace(_TAG, "!!")
        self.problems.append(
            Problem(self.doc.path, line, col, "yaml-tag", f"the tag {tag} is not allowed: write plain values")
        )
        return None


def _anchors_and_aliases(text: str, path: str) -> list[Problem]:
    problems = []
    aliased: set[Optional[str]] = set()
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, yaml.AliasEvent):
            # One report per anchor name: an alias bomb repeats the same few names many times.
            if event.anchor in aliased:
                continue
            aliased.add(event.anchor)
            line, col = _mark(event.start_mark)
            problems.append(
                Problem(path, line, col, "yaml-alias", f"alias *{event.anchor} is not allowed: write the value out")
            )
        elif isinstance(event, yaml.NodeEvent) and event.anchor:
            line, col = _mark(event.start_mark)
            problems.append(
                Problem(path, line, col, "yaml-alias", f"anchor &{event.anchor} is not allowed: write the value out")
            )
    return problems


def _may_hold_anchors(text: str) -> bool:
    # str.find for each of the two characters, then a look at what follows and precedes each on its line: a
    # pattern scanning for them steps through every character (0.23 s against 0.01 s on 22 MB of mostly CJK).
    for char in "&*":
        at = text.find(char)
        while at >= 0:
            if _ANCHOR_MARK.match(text, at):
                start = text.rfind("\n", 0, at) + 1
                if _NODE_START.search(text[start:at]):
                    return True
            at = text.find(char, at + 1)
    return False


def _decode(raw: bytes, path: str) -> tuple[Optional[str], list[Problem]]:
    try:
        return raw.decode("utf-8"), []
    except UnicodeDecodeError as err:
        before = raw[: err.start]
        line = before.count(b"\n") + 1
        column = len(before.rsplit(b"\n", 1)[-1].decode("utf-8", "replace")) + 1
        return None, [Problem(path, line, column, "bad-encoding", f"the file is not valid UTF-8 (byte 0x{raw[err.start]:02x})")]


def _position(text: str, index: int) -> tuple[int, int]:
    before = text[:index]
    return before.count("\n") + 1, index - (before.rfind("\n") + 1) + 1


def _codepoint(character: Any) -> str:
    return f"U+{character:04X}" if isinstance(character, int) else f"U+{ord(character):04X}"


def _syntax(err: yaml.MarkedYAMLError, path: str) -> Problem:
    mark = err.problem_mark or err.context_mark
    line, col = _mark(mark) if mark else (1, 1)
    context = err.context or ""
    if context.startswith("found duplicate anchor") and err.context_mark is not None:
        # The composer's sentence is split over context and problem; say it in one piece.
        name = context.removeprefix("found duplicate anchor").split(";")[0].strip()
        message = f"duplicate anchor {name + ' ' if name else ''}(first at line {err.context_mark.line + 1})"
    else:
        message = err.problem or "invalid YAML"
        if context:
            message = f"{message} ({context})"
    return Problem(path, line, col, "yaml-syntax", message)


def parse(raw: bytes, path: str) -> tuple[Optional[Document], list[Problem]]:
    """Parse YAML bytes into a Document, collecting problems instead of raising."""
    text, problems = _decode(raw, path)
    if text is None:
        return None, problems
    try:
        # Anchors are rare in a hand-written ledger, so the event scan only runs when one may be there.
        if _may_hold_anchors(text):
            problems.extend(_anchors_and_aliases(text, path))
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as err:
        return None, problems + [_syntax(err, path)]
    except yaml.reader.ReaderError as err:
        # libyaml gives a byte offset; the character itself is found in the text instead.
        bad = yaml.reader.Reader.NON_PRINTABLE.search(text)
        line, col = _position(text, bad.start()) if bad else (1, 1)
        return None, problems + [Problem(path, line, col, "yaml-syntax", f"{err.reason}: character {_codepoint(err.character)}")]
    except yaml.YAMLError as err:
        return None, problems + [Problem(path, 1, 1, "yaml-syntax", str(err).splitlines()[0])]
    except RecursionError:  # the pure-Python reader, without libyaml's own nesting limit
        return None, problems + [Problem(path, 1, 1, "yaml-too-deep", "the file nests values too deep to be read")]
    if node is None:
        return None, [Problem(path, 1, 1, "empty-file", "the file is empty")]
    doc = Document(path, None, text, node)
    doc.data = _Builder(doc, problems).build(node, ())
    return doc, problems


@contextlib.contextmanager
def gc_paused(freeze: bool = False) -> Iterator[None]:
    """Cyclic garbage collection paused while a ledger is read and checked.

    Loading builds hundreds of thousands of small objects and no cycles worth collecting; the collector would
    otherwise walk them all again and again, which took longer than parsing itself. With `freeze`, for what is
    kept to the end of the process, what was built is moved out of the collector's reach when it resumes, or
    its first collection would walk it all once more (half a second at 10,000 entries).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            if freeze:
                gc.freeze()
            gc.enable()


def find_root(start: Path, name: str = "claims.yaml") -> Optional[Path]:
    """The nearest folder at or above `start` that holds `name`, looking no higher than its git work tree."""
    for folder in (start, *start.parents):
        if (folder / name).is_file():
            return folder
        if (folder / ".git").exists():
            return None
    return None


def read(path: Path, shown: Optional[str] = None, limit: int = LEDGER_LIMIT) -> tuple[Optional[Document], list[Problem]]:
    """Read and parse a YAML file; `shown` is the name used in problems."""
    name = shown if shown is not None else str(path)
    try:
        raw = read_regular(path, limit)
    except Unreadable as err:
        return None, [Problem(name, 1, 1, err.code, err.message)]
    return parse(raw, name)
