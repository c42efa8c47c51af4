"""Every rule a ledger must follow, each problem located at its line and column."""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional, Sequence

from pydantic import BaseModel, ValidationError

from ledger import deadlines, load, passages
from ledger.load import Document
from ledger.escape import WEB_URL
from ledger.model import Entry, Evidence, Removal, Source, Speaker, describe
from ledger.problem import Problem
from ledger.vocabulary import RESOLVED_STATUSES, SCORED_STATUSES, SHA256_PATTERN, TOPICS
from ledger.sources import Archive
from ledger.speakers import FILE, Registry

_FIELD_CODES = {
    "id": "bad-id",
    "kind": "bad-kind",
    "attribution": "bad-attribution",
    "status": "bad-status",
    "said_on": "bad-date",
    "resolved_on": "bad-date",
    "published_on": "bad-date",
    "event_date": "bad-date",
    "on": "bad-date",
    "checked_on": "bad-date",
    "deadline": "bad-deadline",
    "confidence": "bad-confidence",
    "topics": "unknown-topic",
    "evidence": "bad-evidence",
    "related": "bad-related",
    "sha256": "bad-sha256",
}
_EXPECTED = {
    "string_type": "a string",
    "list_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "float_type": "a number",
    "int_type": "an integer",
    "bool_type": "true or false",
}
_BOOLEAN_HINT = " (YAML reads an unquoted yes/no/true/false/on/off as a boolean)"


# When sources.yaml cannot be read, source ids are unknown rather than all missing: one problem, not hundreds.
_UNKNOWN: set[str] = set()


@dataclass
class Checked:
    """The outcome of validation: the entries and sources that are well-formed, and every problem."""

    entries: list[Entry] = field(default_factory=list)
    sources: dict[str, Source] = field(default_factory=dict)
    # Ids named in sources.yaml, valid or not: an entry citing an invalid source is not told the id is unknown.
    source_ids: set[str] = field(default_factory=set)
    problems: list[Problem] = field(default_factory=list)
    ledger: Optional[Document] = None


def _translate(doc: Document, at: tuple[Any, ...], err: Any, fields: Sequence[str]) -> Problem:
    """One pydantic error as a located problem with a message written for a person."""
    loc = tuple(err["loc"])
    kind, value = err["type"], err.get("input")
    names = [x for x in loc if isinstance(x, str)]
    name = names[-1] if names else "entry"
    code = _FIELD_CODES.get(names[0] if names else "", "bad-value")
    if kind == "missing":
        return doc.problem(at + loc[:-1], "missing-field", f"missing required field '{name}'")
    if kind == "extra_forbidden":
        close = difflib.get_close_matches(name, fields, n=1, cutoff=0.6)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        return doc.problem(at + loc, "unknown-field", f"unknown field '{name}'{hint}", key=True)
    if kind == "literal_error" and names[:1] == ["topics"]:
        close = difflib.get_close_matches(str(value), TOPICS, n=1, cutoff=0.6)
        hint = f" (did you mean '{close[0]}'?)" if close else " (the vocabulary is in docs/format.md)"
        return doc.problem(at + loc, code, f"topic {describe(value)} is not in the vocabulary{hint}")
    if kind == "literal_error":
        options = err["ctx"]["expected"].replace("'", "")
        choices = re.findall(r"'([^']*)'", err["ctx"]["expected"])
        close = difflib.get_close_matches(str(value), choices, n=1, cutoff=0.6) if isinstance(value, str) else []
        hint = _BOOLEAN_HINT if isinstance(value, bool) else f" (did you mean '{close[0]}'?)" if close else ""
        return doc.problem(at + loc, code, f"{name} must be one of {options}; got {describe(value)}{hint}")
    if kind in _EXPECTED:
        hint = _BOOLEAN_HINT if isinstance(value, bool) else ""
        return doc.problem(at + loc, "bad-type", f"{name} must be {_EXPECTED[kind]}, not {describe(value)}{hint}")
    if kind == "string_too_short":
        return doc.problem(at + loc, "empty-field", f"{name} must not be empty")
    if kind == "too_short":
        return doc.problem(at + loc, "empty-field", f"{name} needs at least one item")
    if kind == "string_pattern_mismatch":
        if name == "sha256":
            return doc.problem(at + loc, code, "sha256 must be 64 lowercase hexadecimal digits")
        return doc.problem(
            at + loc, code, f"{name} must be a lowercase slug of letters, digits and hyphens, not {describe(value)}"
        )
    if kind in ("greater_than_equal", "less_than_equal"):
        return doc.problem(at + loc, code, f"{name} must be between 0 and 1, not {describe(value)}")
    message = err["msg"].removeprefix("Value error, ")
    if message.startswith("must"):
        message = f"{name} {message}"
    return doc.problem(at + loc, code, message)


def _model(doc: Document, at: tuple[Any, ...], model: type[BaseModel], data: Any, problems: list[Problem]) -> Any:
    if at in doc.rejected:
        return None
    if not isinstance(data, dict):
        problems.append(doc.problem(at, "bad-type", f"each item must be a mapping of fields, not {describe(data)}"))
        return None
    try:
        return model.model_validate(data)
    except ValidationError as err:
        fields = list(model.model_fields)
        problems.extend(
            _translate(doc, at, e, fields) for e in err.errors() if at + tuple(e["loc"]) not in doc.rejected
        )
        return None


def _items(doc: Document, key: str, problems: list[Problem], optional: Sequence[str] = ()) -> list[Any]:
    """The list under the file's main top-level key."""
    data = doc.data
    if not isinstance(data, dict):
        problems.append(doc.problem((), "bad-type", f"the file must be a mapping with a top-level '{key}:' list"))
        return []
    for other in data:
        if other != key and other not in optional:
            problems.append(doc.problem((other,), "unknown-field", f"unknown top-level key '{other}'", key=True))
    if key not in data:
        problems.append(doc.problem((), "missing-field", f"missing the top-level '{key}' list"))
        return []
    items = data[key]
    if items is None:
        return []
    if not isinstance(items, list):
        problems.append(doc.problem((key,), "bad-type", f"'{key}' must be a list, not {describe(items)}"))
        return []
    return items


def _raw_ids(doc: Document, key: str) -> set[str]:
    """Every string id under a top-level list, whether or not its item is valid."""
    items = doc.data.get(key) if isinstance(doc.data, dict) else None
    if not isinstance(items, list):
        return set()
    return {item["id"] for item in items if isinstance(item, dict) and isinstance(item.get("id"), str)}


def _duplicate_ids(doc: Document, key: str, items: list[Any], what: str) -> list[Problem]:
    problems: list[Problem] = []
    first: dict[str, int] = {}  # id: index of its first entry
    for i, item in enumerate(items):
        ident = item.get("id") if isinstance(item, dict) else None
        if not isinstance(ident, str):
            continue
        if ident in first:
            line = doc.where((key, first[ident], "id"))[0]
            problems.append(
                doc.problem((key, i, "id"), "duplicate-id", f"duplicate {what} id '{ident}' (first at line {line})")
            )
        else:
            first[ident] = i
    return problems


def check_speakers(doc: Document) -> tuple[Registry, list[Problem]]:
    """Validate seeds/speakers.yaml: each person once, no name or other name given to two people."""
    problems: list[Problem] = []
    registry = Registry()
    for i, item in enumerate(_items(doc, "speakers", problems)):
        speaker = _model(doc, ("speakers", i), Speaker, item, problems)
        if speaker is None:
            continue
        for written in registry.add(speaker):
            j = speaker.also.index(written) if written != speaker.name else None
            at = ("speakers", i, "also", j) if j is not None else ("speakers", i, "name")
            owner = registry.name_for(written)
            problems.append(doc.problem(at, "duplicate-speaker", f"'{written}' is registered twice" if owner == written
                                        else f"'{written}' is already a name of '{owner}'"))
    return registry, problems


def _speaker_problems(doc: Document, at: tuple[Any, ...], written: str, registry: Optional[Registry]) -> list[Problem]:
    found = registry.problem(written) if registry is not None else None
    return [doc.problem(at, *found)] if found else []


def check_sources(doc: Document, seeds: Path, archive: Archive,
                  registry: Optional[Registry] = None) -> tuple[dict[str, Source], list[Problem]]:
    """Validate seeds/sources.yaml and the archived files it lists, reading their text into `archive`."""
    problems: list[Problem] = []
    items = _items(doc, "sources", problems)
    problems.extend(_duplicate_ids(doc, "sources", items, "source"))
    sources: dict[str, Source] = {}
    root = seeds.resolve()
    checked: set[str] = set()
    for i, item in enumerate(items):
        at = ("sources", i)
        source = _model(doc, at, Source, item, problems)
        # A source with a problem of its own (a missing title, say) still has its file checked and its quotes
        # looked up, from the raw fields, so that one problem never hides another.
        raw = item if isinstance(item, dict) else {}
        ident, file, recorded = (source.id, source.file, source.sha256) if source else (
            raw.get("id"), raw.get("file"), raw.get("sha256"))
        if not isinstance(ident, str) or not isinstance(file, str) or ident in checked:
            continue
        checked.add(ident)
        if source is not None:
            sources[ident] = source
            for j, name in enumerate(source.speakers):
                problems.extend(_speaker_problems(doc, at + ("speakers", j), name, registry))
            for key in ("url", "video_url"):
                value = getattr(source, key)
                if value is not None and not WEB_URL.fullmatch(value):
                    problems.append(doc.problem(at + (key,), "bad-url",
                                                f"{key} must be an absolute http(s) address, not {describe(value)}"))
        try:
            path = (seeds / file).resolve()
        except (OSError, RuntimeError, ValueError):  # a symlink loop, a NUL byte
            problems.append(doc.problem(at + ("file",), "source-unreadable", f"{seeds / file} cannot be resolved"))
            continue
        if Path(file).is_absolute() or not path.is_relative_to(root):
            problems.append(doc.problem(at + ("file",), "source-outside-seeds", f"'{file}' is outside {seeds}/"))
            continue
        try:
            data = load.read_regular(path, load.SOURCE_LIMIT)
        except load.Unreadable as err:
            code = {"missing-file": "source-missing", "unreadable-file": "source-unreadable"}.get(err.code, err.code)
            message = "does not exist" if code == "source-missing" else err.message
            problems.append(doc.problem(at + ("file",), code, f"source file {seeds / file} {message}"))
            continue
        actual = hashlib.sha256(data).hexdigest()
        if isinstance(recorded, str) and re.fullmatch(SHA256_PATTERN, recorded) and actual != recorded:
            problems.append(
                doc.problem(
                    at + ("sha256",),
                    "source-changed",
                    f"{seeds / file} has sha256 {actual}, not the one recorded: archived sources must not change",
                )
            )
        try:
            archive.add(ident, data.decode("utf-8"))
        except UnicodeDecodeError:
            problems.append(doc.problem(at + ("file",), "bad-encoding", f"{seeds / file} is not valid UTF-8"))
    return sources, problems


def _quote_problem(doc: Document, at: tuple[Any, ...], archive: Archive, source_id: str, quote: str) -> Optional[Problem]:
    if not archive.has(source_id) or archive.contains(source_id, quote):
        return None
    # The hint is the whole sentence as the file has it, so it can be pasted as the quote.
    near = passages.nearest(archive.raw(source_id), quote, archive.mapped(source_id))
    hint = f"; closest passage ({near.similarity:.0%} similar): '{near.passage.strip()}'" if near else ""
    return doc.problem(at, "quote-not-found", f"quote does not occur in source '{source_id}'{hint}")


def _evidence_date(ev: Evidence, sources: dict[str, Source]) -> Optional[dt.date]:
    # A passage of an archived source dates from the day it was said (else the day it was published).
    if ev.published_on is not None:
        return ev.published_on
    source = sources.get(ev.source or "")
    return (source.event_date or source.published_on) if source else None


def _check_evidence(doc: Document, at: tuple[Any, ...], e: Entry, sources: dict[str, Source]) -> list[Problem]:
    """The evidence standard of docs/format.md: sourced items, and enough independent ones for a verdict."""
    out: list[Problem] = []
    dates = [_evidence_date(ev, sources) for ev in e.evidence]
    for j, (ev, when) in enumerate(zip(e.evidence, dates)):
        here = at + ("evidence", j)
        if ev.url is not None and not WEB_URL.fullmatch(ev.url):
            out.append(doc.problem(here + ("url",), "bad-url",
                                   f"url must be an absolute http(s) address, not {describe(ev.url)}"))
        if ev.url is not None:
            missing = [name for name in ("publisher", "published_on") if getattr(ev, name) is None]
            if missing:
                out.append(doc.problem(here, "evidence-incomplete",
                                       f"evidence with a url needs {' and '.join(missing)}: who published it, and when"))
        if when is not None and e.resolved_on is not None and when > e.resolved_on:
            key = ("published_on",) if ev.published_on is not None else ("source",)
            out.append(doc.problem(here + key, "evidence-after-resolution",
                                   f"evidence dated {when} is later than resolved_on {e.resolved_on}"))
    if e.status in SCORED_STATUSES and e.evidence:  # no evidence at all is missing-evidence
        primary = sum(ev.type == "primary" for ev in e.evidence)
        reporters = {" ".join(ev.publisher.casefold().split()) for ev in e.evidence
                     if ev.type == "report" and ev.publisher}
        if not primary and len(reporters) < 2:
            out.append(doc.problem(at + ("status",), "verdict-unsupported",
                                   f"status '{e.status}' needs one 'primary' evidence item or 'report' items from two "
                                   f"publishers (has {primary} primary, {len(reporters)} report publisher(s)); "
                                   "'speaker' evidence never carries a verdict alone"))
        known = [d for d in dates if d is not None]
        if e.kind == "prediction" and known and max(known) < e.said_on:
            out.append(doc.problem(at + ("evidence",), "evidence-before-said",
                                   f"all evidence predates said_on {e.said_on}: it cannot show how the prediction turned out"))
    return out


def _check_entry(
    doc: Document,
    i: int,
    e: Entry,
    sources: dict[str, Source],
    source_ids: set[str],
    archive: Archive,
    as_of: dt.date,
    ids: set[str],
    registry: Optional[Registry] = None,
) -> list[Problem]:
    at = ("entries", i)
    out: list[Problem] = []

    def add(key: Any, code: str, message: str) -> None:
        out.append(doc.problem(at + (key if isinstance(key, tuple) else (key,)), code, message))

    if e.said_on > as_of:
        add("said_on", "said-in-future", f"said_on {e.said_on} is after the as-of date {as_of}")
    try:
        end = deadlines.window(e.deadline, e.said_on).end if e.deadline is not None else None
    except ValueError as err:  # a window that runs off the calendar from this said_on
        add("deadline", "bad-deadline", str(err))
        end = None
    if end is not None:
        if end < e.said_on:
            add("deadline", "deadline-before-said", f"deadline {e.deadline} ends on {end}, before said_on {e.said_on}")
    if e.status in RESOLVED_STATUSES:
        if e.resolved_on is None:
            add("status", "missing-resolved-on", f"status '{e.status}' needs resolved_on: the date of the evidence")
        if e.status == "unresolvable":
            if e.notes is None:
                add("status", "missing-reason", "status 'unresolvable' needs notes saying why no evidence could settle it")
        elif not e.evidence:
            add("status", "missing-evidence", f"status '{e.status}' needs evidence: a url or a quoted source")
        if e.kind == "prediction" and e.criteria is None:
            add("status", "missing-criteria",
                f"a prediction resolved '{e.status}' needs criteria: what would count as correct, partly correct and wrong")
    elif e.resolved_on is not None:
        add("resolved_on", "resolved-on-open", "an open entry has no resolved_on: remove it or set the status")
    if e.resolved_on is not None:
        # A claim about the past can be settled by a record older than the words; a prediction cannot.
        if e.kind == "prediction" and e.resolved_on < e.said_on:
            add("resolved_on", "resolved-before-said", f"resolved_on {e.resolved_on} is before said_on {e.said_on}")
        if e.resolved_on > as_of:
            add("resolved_on", "resolved-in-future", f"resolved_on {e.resolved_on} is after the as-of date {as_of}")
    if e.checked_on is not None:
        if e.checked_on < e.said_on:
            add("checked_on", "checked-before-said", f"checked_on {e.checked_on} is before said_on {e.said_on}")
        if e.checked_on > as_of:
            add("checked_on", "checked-in-future", f"checked_on {e.checked_on} is after the as-of date {as_of}")
    out.extend(_check_evidence(doc, at, e, sources))
    source = sources.get(e.source)
    named = _speaker_problems(doc, at + ("speaker",), e.speaker, registry)
    out.extend(named)
    if source is None:
        if e.source not in source_ids and source_ids is not _UNKNOWN:
            add("source", "unknown-source", f"unknown source '{e.source}': add it to seeds/sources.yaml")
    elif e.speaker not in source.speakers and not named:
        add(
            "speaker",
            "unknown-speaker",
            f"speaker '{e.speaker}' is not among the speakers of source '{e.source}' ({', '.join(source.speakers)})",
        )
    # The archive holds every source whose file could be read, valid entry in sources.yaml or not.
    problem = _quote_problem(doc, at + ("quote",), archive, e.source, e.quote)
    if problem:
        out.append(problem)
    for j, ev in enumerate(e.evidence):
        if ev.source is None:
            continue
        if ev.source not in source_ids and source_ids is not _UNKNOWN:
            add(("evidence", j, "source"), "unknown-source", f"unknown source '{ev.source}': add it to seeds/sources.yaml")
        elif ev.quote:
            problem = _quote_problem(doc, at + ("evidence", j, "quote"), archive, ev.source, ev.quote)
            if problem:
                out.append(problem)
    for j, other in enumerate(e.related):
        if other == e.id:
            add(("related", j), "bad-related", "an entry cannot be related to itself")
        elif other not in ids:
            add(("related", j), "bad-related", f"related id '{other}' is not in the ledger")
    return out


def _check_removed(doc: Document, ids: set[str]) -> list[Problem]:
    removed = doc.data.get("removed") if isinstance(doc.data, dict) else None
    if removed is None:
        return []
    problems: list[Problem] = []
    if not isinstance(removed, list):
        return [doc.problem(("removed",), "bad-type", f"'removed' must be a list, not {describe(removed)}")]
    for i, item in enumerate(removed):
        removal = _model(doc, ("removed", i), Removal, item, problems)
        if removal is not None and removal.id in ids:
            problems.append(
                doc.problem(("removed", i, "id"), "removed-still-present", f"'{removal.id}' is listed as removed but is still an entry")
            )
    return problems


def check(doc: Document, sources_doc: Optional[Document], seeds: Path, as_of: dt.date) -> Checked:
    """Validate a parsed ledger against its sources: every problem, and the entries that are well-formed."""
    result = Checked(ledger=doc, source_ids=_UNKNOWN)
    archive = Archive()
    registry = None
    # The registry belongs with the sources it names: a check without them (diff, history) leaves it alone too.
    # It is optional: without it, speakers are checked against their source only.
    if sources_doc is not None and (seeds / FILE).is_file():
        speakers_doc, problems = load.read(seeds / FILE)
        result.problems.extend(problems)
        if speakers_doc is not None:
            registry, problems = check_speakers(speakers_doc)
            result.problems.extend(problems)
    if sources_doc is not None:
        result.sources, problems = check_sources(sources_doc, seeds, archive, registry)
        result.problems.extend(problems)
        result.source_ids = _raw_ids(sources_doc, "sources")  # valid or not: an invalid source is not unknown
    items = _items(doc, "entries", result.problems, optional=("removed",))
    result.problems.extend(_duplicate_ids(doc, "entries", items, "entry"))
    ids = _raw_ids(doc, "entries")
    result.problems.extend(_check_removed(doc, ids))
    for i, item in enumerate(items):
        entry = _model(doc, ("entries", i), Entry, item, result.problems)
        if entry is not None:
            result.entries.append(entry)
            result.problems.extend(_check_entry(doc, i, entry, result.sources, result.source_ids, archive, as_of, ids,
                                                registry))
    result.problems.sort()
    return result


def sources_path(ledger_path: Path) -> Path:
    """Where the sources list of a ledger lives: seeds/sources.yaml beside it."""
    return ledger_path.parent / "seeds" / "sources.yaml"


def check_file(path: Path, as_of: dt.date, sources: Optional[Path] = None) -> Checked:
    """Read and validate a ledger file and its sources list."""
    sources = sources or sources_path(path)
    with load.gc_paused(freeze=True):  # every command keeps the ledger it checked until it ends
        doc, problems = load.read(path)
        sources_doc, source_problems = load.read(sources)
        if doc is None:
            return Checked(problems=sorted(problems + source_problems))
        result = check(doc, sources_doc, sources.parent, as_of)
    result.problems = sorted(problems + source_problems + result.problems)
    return result


def validate(doc: Document, sources_doc: Optional[Document], seeds: Path, as_of: dt.date) -> list[Problem]:
    """All problems of a parsed ledger, sorted by file, line and column."""
    return check(doc, sources_doc, seeds, as_of).problems
