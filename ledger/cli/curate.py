"""Commands that change the ledger or help a curator write it: add-source, find, new, coverage, resolve."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any, Optional

from ledger import escape

from ledger.cli.common import (EXIT_OK, EXIT_PROBLEMS, UsageError, parse_as_of, format_problems, _out, _err)


def _sources_file(args: argparse.Namespace) -> Path:
    from ledger.validate import sources_path

    return Path(args.sources) if args.sources else sources_path(Path(args.ledger))


def cmd_add_source(args: argparse.Namespace) -> int:
    """ledger add-source: archive a document in seeds/ and append its stub to seeds/sources.yaml."""
    from ledger.addsource import AddSourceError, Stub, add_source

    stub = Stub(args.id, args.title, args.title_en, args.outlet, args.author, args.url, args.video_url,
                parse_as_of(args.published_on) if args.published_on else None, args.event,
                parse_as_of(args.event_date) if args.event_date else None, args.event_date_approximate,
                args.language, args.speaker or [])
    sources = _sources_file(args)
    try:
        added = add_source(Path(args.file), sources, stub)
    except AddSourceError as err:
        _err(f"ledger add-source: {err}")
        return EXIT_PROBLEMS
    except OSError as err:
        _err(f"ledger add-source: cannot write to {sources.parent}/: {err.strerror or err}; nothing was changed")
        return EXIT_PROBLEMS
    _err(f"archived {sources.parent / added.file} (sha256 {added.sha256}); language {added.language.code} "
         f"({added.language.reason}); appended '{args.id}' to {sources}")
    if added.registered:
        _err(f"added {', '.join(added.registered)} to {sources.parent / 'speakers.yaml'}: give each a role there")
    if added.problems:
        _out(format_problems(added.problems, "text"))
        _err("fill in the fields marked FILL IN, then `ledger validate`")
    return EXIT_OK


def _source_text(args: argparse.Namespace) -> tuple[str, str]:
    """The text of an archived source named by its id, and its path as shown."""
    from ledger import load

    sources = _sources_file(args)
    doc, problems = load.read(sources)
    if doc is None:
        raise UsageError(f"cannot read {sources}: {problems[0] if problems else 'empty'}")
    items = doc.data.get("sources") if isinstance(doc.data, dict) else None
    found = [i for i in items or [] if isinstance(i, dict) and i.get("id") == args.source]
    if not found or not isinstance(found[0].get("file"), str):
        import difflib

        ids = [i["id"] for i in items or [] if isinstance(i, dict) and isinstance(i.get("id"), str)]
        close = difflib.get_close_matches(args.source, ids, n=1, cutoff=0.6)
        raise UsageError(f"no source '{args.source}' in {sources}" + (f" (did you mean '{close[0]}'?)" if close else ""))
    path = sources.parent / found[0]["file"]
    if not path.resolve().is_relative_to(sources.parent.resolve()):
        raise UsageError(f"the file of source '{args.source}' is outside {sources.parent}/")
    try:
        return load.read_regular(path, load.SOURCE_LIMIT).decode("utf-8"), os.path.relpath(path)
    except load.Unreadable as err:
        raise UsageError(f"{path} {err.message}") from None
    except UnicodeDecodeError:
        raise UsageError(f"{path} is not valid UTF-8") from None


def cmd_find(args: argparse.Namespace) -> int:
    """ledger find: the whole sentences of a source that hold a phrase, verbatim, with their lines."""
    from ledger import passages

    text, shown = _source_text(args)
    found = passages.find(text, args.phrase)
    if found:
        _out("".join(f"{escape.terminal(shown)}:{s.line}: {escape.terminal(s.text)}\n" for s in found))
        return EXIT_OK
    near = passages.nearest(text, args.phrase)
    hint = f"; closest passage ({near.similarity:.0%} similar): '{near.passage}'" if near else ""
    _err(f"'{args.phrase}' does not occur in source '{args.source}'{hint}")
    return EXIT_PROBLEMS


def cmd_new(args: argparse.Namespace) -> int:
    """ledger new: a draft entry for a sentence of a source; with --append, added to the ledger if it validates."""
    from ledger import load, newentry, speakers

    text, _ = _source_text(args)
    sources_doc, _ = load.read(_sources_file(args))
    assert sources_doc is not None  # _source_text has read it
    source = next(i for i in sources_doc.data["sources"] if isinstance(i, dict) and i.get("id") == args.source)
    ledger_doc, problems = load.read(Path(args.ledger))
    if ledger_doc is None or not isinstance(ledger_doc.data, dict):
        _out(format_problems(problems, "text"))
        _err(f"cannot read {args.ledger}: fix it first")
        return EXIT_PROBLEMS
    listed = ledger_doc.data.get("entries")
    entries: list[Any] = listed if isinstance(listed, list) else []
    listed = ledger_doc.data.get("removed")
    removed: list[Any] = listed if isinstance(listed, list) else []
    taken = {str(i.get("id")) for i in [*entries, *removed] if isinstance(i, dict)}
    try:
        sentence = newentry.pick_sentence(text, args.line, args.quote)
        d = newentry.draft(text, source, entries, taken, sentence, speakers.read(_sources_file(args).parent))
    except newentry.NewEntryError as err:
        _err(f"ledger new: {err}")
        return EXIT_PROBLEMS
    for key in ("id", "kind", "speaker", "summary"):
        if getattr(args, key):
            setattr(d, key, getattr(args, key))
            if key == "kind":
                d.kind_reason = "--kind"
            if key == "speaker":
                d.speaker_reason = "--speaker"
    d.topics = args.topic or d.topics
    item = newentry.to_yaml(d, comments=not args.append)
    if not args.append:
        _out(escape.terminal_lines(item))
        return EXIT_OK
    try:
        problems = newentry.append_file(Path(args.ledger), item, parse_as_of(args.as_of),
                                        Path(args.sources) if args.sources else None)
    except newentry.NewEntryError as err:
        _err(f"ledger new: {err}")
        return EXIT_PROBLEMS
    if problems:
        _out(escape.terminal_lines(item))
        _out(format_problems(problems, "text"))
        _err(f"not appended: {args.ledger} would have these problems, so it is left as it was")
        return EXIT_PROBLEMS
    _err(f"{d.id}: appended to {args.ledger}")
    return EXIT_OK


def cmd_coverage(args: argparse.Namespace) -> int:
    """ledger coverage: sentences that look like predictions or checkable claims and that no entry quotes."""
    from ledger import coverage, load

    ledger_doc, problems = load.read(Path(args.ledger))
    if ledger_doc is None or not isinstance(ledger_doc.data, dict):
        _out(format_problems(problems, "text"))
        _err(f"cannot read {args.ledger}: fix it first")
        return EXIT_PROBLEMS
    sources_doc, problems = load.read(_sources_file(args))
    if sources_doc is None or not isinstance(sources_doc.data, dict):
        _out(format_problems(problems, "text"))
        return EXIT_PROBLEMS
    ids = [i["id"] for i in sources_doc.data.get("sources") or [] if isinstance(i, dict) and isinstance(i.get("id"), str)]
    entries = [e for e in ledger_doc.data.get("entries") or [] if isinstance(e, dict)]
    total = 0
    for source_id in [args.source] if args.source else ids:
        args.source = source_id
        text, shown = _source_text(args)
        quotes = [str(e.get("quote", "")) for e in entries if e.get("source") == source_id]
        quotes += [str(ev.get("quote", "")) for e in entries for ev in e.get("evidence") or []
                   if isinstance(ev, dict) and ev.get("source") == source_id and ev.get("quote")]
        found = coverage.uncovered(text, quotes)
        total += len(found)
        _out("".join(f"{escape.terminal(shown)}:{s.line}: {escape.terminal(s.text)}\n" for s in found))
    _err(f"{total} sentence{'s' if total != 1 else ''} with a time expression, a future or intent marker or a figure "
         "that no entry quotes")
    return EXIT_OK


class _EvidenceStart(argparse.Action):
    """--evidence: starts a new evidence item."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any,
                 option_string: Optional[str] = None) -> None:
        namespace.items = [*(getattr(namespace, "items", None) or []), {"evidence": values}]


class _EvidenceField(argparse.Action):
    """--type, --note, ...: a field of the evidence item the last --evidence started."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any,
                 option_string: Optional[str] = None) -> None:
        items = getattr(namespace, "items", None)
        if not items:
            parser.error(f"{option_string} describes an evidence item: give it after the --evidence it belongs to")
        if self.dest in items[-1]:
            parser.error(f"{option_string} given twice for --evidence {items[-1]['evidence']}")
        items[-1][self.dest] = values


def _evidence_items(args: argparse.Namespace) -> list[Any]:
    from ledger.resolve import EvidenceItem

    items = []
    for given in getattr(args, "items", None) or []:
        missing = [f"--{name}" for name in ("type", "note") if not given.get(name)]
        if missing:
            raise UsageError(f"--evidence {given['evidence']} needs {' and '.join(missing)}")
        published = parse_as_of(given["published_on"]) if given.get("published_on") else None
        items.append(EvidenceItem(given["type"], given["evidence"], given["note"], given.get("publisher"),
                                  published, given.get("quote")))
    return items


def cmd_resolve(args: argparse.Namespace) -> int:
    """ledger resolve: give, change or withdraw an entry's verdict, or add evidence, editing claims.yaml in place."""
    from ledger.resolve import Change, ResolveError, edit_file

    as_of = parse_as_of(args.as_of)
    on = parse_as_of(args.on) if args.on else as_of
    items = _evidence_items(args)
    if args.change and not args.status:
        raise UsageError("--change goes with --status: the new verdict")
    if (args.change or args.reopen) and not args.reason:
        raise UsageError(f"{'--change' if args.change else '--reopen'} needs --reason: it is recorded as an amendment")
    if args.reason is not None and not (args.change or args.reopen):
        raise UsageError("--reason goes with --change or --reopen")
    if args.status and not items:
        raise UsageError("a verdict needs evidence: give --evidence with its --type and --note")
    if args.reopen and items:
        raise UsageError("--reopen withdraws a verdict; add evidence separately with --add-evidence")
    change = Change(args.status, on if args.status else None, tuple(items), args.reason, as_of, reopen=args.reopen)
    try:
        problems = edit_file(Path(args.ledger), args.id, change, as_of=as_of,
                             sources=Path(args.sources) if args.sources else None)
    except ResolveError as err:
        _err(f"ledger resolve: {err}")
        return EXIT_PROBLEMS
    if problems:
        _out(format_problems(problems, "text"))
        _err(f"not changed: {args.ledger} would have these problems, so it is left as it was")
        return EXIT_PROBLEMS
    if args.reopen:
        _err(f"{args.id}: re-opened ({args.reason})")
    elif args.status:
        _err(f"{args.id}: {args.status} on {on}" + (f" (verdict changed: {args.reason})" if args.change else ""))
    else:
        _err(f"{args.id}: {len(items)} evidence item{'s' if len(items) != 1 else ''} added")
    return EXIT_OK


