"""The `ledger` command: argument parsing, printing and exit codes live here and only here."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import shutil
import sys
import traceback
from pathlib import Path
from typing import Any, Optional, Sequence

from ledger import escape
from ledger.problem import Problem
from ledger.vocabulary import EVIDENCE_TYPES, RESOLVED_STATUSES, TOPICS

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, EXIT_BUG = 0, 1, 2, 3
LEDGER_HELP = "the ledger (default: claims.yaml in this folder or the nearest one above it, as git finds its root)"


class UsageError(Exception):
    """A command-line argument that cannot be used; exits 2."""


def parse_as_of(text: Optional[str]) -> dt.date:
    """An as-of date from ISO text or a phrase like 'today'; SOURCE_DATE_EPOCH, then today, when absent."""
    if text is None:
        epoch = os.environ.get("SOURCE_DATE_EPOCH")
        if epoch and epoch.isdigit():
            return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).date()
        return dt.date.today()
    text = text.strip()
    if text.lower() == "today":
        return dt.date.today()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            raise UsageError(f"'{text}' is not a real calendar date") from None
    import dateparser  # only for phrases such as 'yesterday' or '2 weeks ago'

    found = dateparser.parse(text, settings={"STRICT_PARSING": False})
    if found is None:
        raise UsageError(f"cannot read '{text}' as a date: write YYYY-MM-DD or a phrase such as 'today'")
    return found.date()


def format_problems(problems: Sequence[Problem], fmt: str) -> str:
    """Problems as text lines, GitHub workflow annotations, or a JSON list."""
    if fmt == "json":
        return json.dumps([p.__dict__ for p in problems], ensure_ascii=False, indent=2) + "\n"
    if fmt == "github":
        return "".join(
            f"::error file={escape.github_property(p.path)},line={p.line},col={p.column},"
            f"title={escape.github_property(p.code)}::{escape.github_data(p.message)}\n"
            for p in problems
        )
    return "".join(f"{escape.terminal(p)}\n" for p in problems)


def _out(text: str) -> None:
    sys.stdout.write(text)


def _err(text: str) -> None:
    # Messages quote ids, paths and values from the files: a reader's terminal must not act on them.
    text = escape.terminal_lines(text)
    sys.stderr.write(text if text.endswith("\n") else text + "\n")


def _checked(args: argparse.Namespace) -> Any:
    from ledger.validate import check_file

    return check_file(Path(args.ledger), parse_as_of(args.as_of), Path(args.sources) if args.sources else None)


def cmd_validate(args: argparse.Namespace) -> int:
    """ledger validate: print every problem, exit 1 if there are any."""
    result = _checked(args)
    if result.problems:
        _out(format_problems(result.problems, args.format))
        if args.format == "text":
            _err(f"{len(result.problems)} problem{'s' if len(result.problems) != 1 else ''} found")
        return EXIT_PROBLEMS
    if args.format == "json":
        _out("[]\n")
    elif args.format == "text" and not args.quiet:
        _err(f"{args.ledger}: {len(result.entries)} entries, no problems")
    return EXIT_OK


def _valid_entries(args: argparse.Namespace, shown: Optional[tuple[str, str]] = None) -> Optional[Any]:
    """The checked ledger, or None after printing its problems; `shown` renames a path prefix in them."""
    result = _checked(args)
    if result.problems:
        problems = result.problems
        if shown:
            old, new = shown
            problems = [Problem(p.path.replace(old, new, 1), p.line, p.column, p.code, p.message) for p in problems]
            _out(format_problems(problems, "text"))
            _err(f"the ledger at {new.rstrip(':')} has problems, so its report cannot be made")
            return None
        _out(format_problems(problems, "text"))
        _err(f"{args.ledger} has problems; fix them first (ledger validate {args.ledger})")
        return None
    return result


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]], markdown: bool) -> str:
    from ledger import tables

    if markdown:
        return tables.markdown_table(headers, rows)
    # On a terminal the last column is cut to its width; piped to a file or a program, nothing is cut.
    columns = shutil.get_terminal_size().columns if sys.stdout.isatty() else None
    return tables.text_table(headers, rows, columns)


def cmd_due(args: argparse.Namespace) -> int:
    """ledger due: open predictions past their deadline, then the next ones coming due."""
    from ledger.deadlines import due

    result = _valid_entries(args)
    if result is None:
        return EXIT_PROBLEMS
    as_of = parse_as_of(args.as_of)
    overdue, upcoming = due(result.entries, as_of)
    md = args.format == "markdown"
    heading = "## " if md else ""
    _out(f"{heading}Awaiting resolution as of {as_of}: {len(overdue)} open prediction"
         f"{'s' if len(overdue) != 1 else ''} past the deadline\n\n")
    headers = ["days over", "deadline", "said on", "checked", "speaker", "id", "summary"]
    if overdue:
        _out(_table(headers, [[str(d.days), d.window.text, d.entry.said_text, d.entry.checked_text,
                               d.entry.speaker, d.entry.id, d.entry.summary] for d in overdue], md))
    shown = upcoming[: args.upcoming]
    _out(f"\n{heading}Coming due: {len(upcoming)} open prediction{'s' if len(upcoming) != 1 else ''}"
         f" still running{f', the next {len(shown)}' if len(shown) < len(upcoming) else ''}\n\n")
    if shown:
        _out(_table(["days left", "deadline", "said on", "speaker", "id", "summary"],
                    [[str(-d.days), d.window.text, d.entry.said_text, d.entry.speaker, d.entry.id,
                      d.entry.summary] for d in shown], md))
    if any(d.entry.said_on_approximate for d in [*overdue, *shown]):
        _out("\n≈ the source does not give the day: the best-supported day; the entry's notes give the range.\n")
    return EXIT_OK


SQLITE_MISSING = ("ledger export --format sqlite needs sqlite-utils, which is not installed: "
                  "pip install 'ledger[serve]' (or `make serve`, which installs it)")


def cmd_export(args: argparse.Namespace) -> int:
    """ledger export: every entry normalised, as JSON or CSV on standard output, or as a SQLite database."""
    from ledger.export import to_csv, to_json, rows

    if args.format == "sqlite" and not args.out:
        raise UsageError("--format sqlite needs --out FILE: a database is written to a file, not to standard output")
    if args.format != "sqlite" and (args.out or args.with_history):
        raise UsageError(f"--out and --with-history go with --format sqlite; --format {args.format} writes to "
                         "standard output")
    if args.format == "sqlite":
        out = Path(args.out)
        if out.is_dir():
            raise UsageError(f"--out {out} is a folder: name the database file, e.g. {out / 'ledger.db'}")
        try:
            from ledger import sqlite
        except ModuleNotFoundError as err:
            if err.name != "sqlite_utils":
                raise
            _err(SQLITE_MISSING)
            return EXIT_PROBLEMS
    result = _valid_entries(args)
    if result is None:
        return EXIT_PROBLEMS
    as_of = parse_as_of(args.as_of)
    data = rows(result.entries, as_of)
    if args.format != "sqlite":
        _out(to_json(data) if args.format == "json" else to_csv(data))
        return EXIT_OK
    record = None
    if args.with_history:
        record = _replayed(args.ledger, "ledger export")
        if record is None:
            return EXIT_PROBLEMS
    try:
        sqlite.to_sqlite(data, result.sources, as_of, out, record)
    except OSError as err:
        _err(f"ledger export: cannot write {out}: {err.strerror or err}; it is left as it was")
        return EXIT_PROBLEMS
    _err(f"wrote {out} as of {as_of} ({len(data)} entries)")
    return EXIT_OK


def cmd_deadline(args: argparse.Namespace) -> int:
    """ledger deadline: the canonical deadline for a phrase as said on a date."""
    from ledger.phrases import Refusal, read

    text = args.said_on.strip()
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        _err(f"--said-on '{text}' is not written YYYY-MM-DD: a date such as 01/02/2025 is read day-first in some "
             "places and month-first in others, so it is not guessed")
        return EXIT_PROBLEMS
    try:
        said = dt.date.fromisoformat(text)
    except ValueError:
        _err(f"--said-on '{text}' is not a real calendar date")
        return EXIT_PROBLEMS
    found = read(args.phrase, said)
    if isinstance(found, Refusal):
        _err(f"{found.reason} ({found.code})")
        return EXIT_PROBLEMS
    _out(escape.terminal(found.deadline) + "\n")
    lines = [f"window {found.start} .. {found.end} (said on {said})"]
    if found.range:
        lines.append(f"range {found.range[0]} .. {found.range[1]}: the later end is the deadline")
    lines.append(f"rule {found.rule}" + (f": {found.note}" if found.note else ""))
    _err("\n".join(lines))
    return EXIT_OK


def _report_at_commit(args: argparse.Namespace) -> int:
    """ledger report --at-commit REV: the report as the ledger stood at REV, from its files at REV, into --out."""
    import posixpath
    import tempfile

    from ledger import gitrepo, report

    if args.check:
        raise UsageError("--at-commit writes the report of a past commit; it cannot be combined with --check")
    if args.sources:
        raise UsageError("--at-commit reads the sources list at that commit; leave out --sources")
    with tempfile.TemporaryDirectory(prefix="ledger-at-commit-") as tmp:
        try:
            repo, relative = _repo_path(args.ledger)
            rev = gitrepo.resolve(repo, args.at_commit)
            folder = posixpath.dirname(relative)
            recorded = posixpath.join(folder, "reports", "scoreboard.json")
            written = gitrepo.export_files(repo, rev, [relative, recorded], [posixpath.join(folder, "seeds")],
                                           Path(tmp))
        except gitrepo.GitError as err:
            _err(f"ledger report: {err}")
            return EXIT_PROBLEMS
        if relative not in written:
            _err(f"ledger report: there is no {relative} at {args.at_commit}")
            return EXIT_PROBLEMS
        if args.as_of is None:
            # The as-of date of the report committed with it, so that the same report comes out.
            as_of = report.recorded_as_of(Path(tmp, folder, "reports"))
            args.as_of = str(as_of) if as_of else gitrepo.commit_date(repo, rev).isoformat()
        args.ledger = str(Path(tmp, relative))
        args.check = False
        return _report(args, (str(Path(tmp)) + os.sep, f"{rev[:12]}:"))


def cmd_report(args: argparse.Namespace) -> int:
    """ledger report: regenerate the reports, or with --check say which committed ones are stale."""
    if args.at_commit is not None:
        return _report_at_commit(args)
    return _report(args)


def _report(args: argparse.Namespace, shown: Optional[tuple[str, str]] = None) -> int:
    from ledger import atomic, report  # pandas and matplotlib: only this command pays for them

    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out} is a file, not a folder")
    if args.as_of is None and args.check:
        # CI checks the committed reports at the date they were made, not at today's date.
        args.as_of = str(report.recorded_as_of(out) or parse_as_of(None))
    result = _valid_entries(args, shown)
    if result is None:
        return EXIT_PROBLEMS
    as_of = parse_as_of(args.as_of)
    if args.as_of is None and not args.check:
        # Left to itself, the date moves the committed report only when what it says has changed.
        as_of = report.stable_as_of(result.entries, report.recorded_as_of(out), as_of)
    outputs = report.render(result.entries, result.sources, as_of)
    if args.check:
        changed = report.stale(outputs, out)
        if changed:
            _out("".join(f"{out / name}: stale\n" for name in changed))
            _err(f"{len(changed)} report file{'s' if len(changed) != 1 else ''} out of date at {as_of}: run `make report` and commit {out}/")
            return EXIT_PROBLEMS
        _err(f"{out}/ is up to date at {as_of}")
        return EXIT_OK
    try:
        changed = report.stale(outputs, out)
        if changed:
            report.write(outputs, out)  # which first cleans up after an interrupted run
        else:
            atomic.recover(out)  # an interrupted run may have left its folders beside an up-to-date report
    except atomic.NotOwnFolder as err:
        _err(f"ledger report: {err}")
        return EXIT_PROBLEMS
    except OSError as err:
        _err(f"ledger report: cannot write to {out}/: {err.strerror or err}; the previous reports are unchanged")
        return EXIT_PROBLEMS
    what = f"{len(result.entries)} entries" if result.entries else "the ledger is empty, so the reports say so"
    done = f"wrote {len(changed)} of {len(outputs)} files" if changed else f"all {len(outputs)} files already up to date"
    _err(f"{done} in {out}/ as of {as_of} ({what})")
    return EXIT_OK


def cmd_diff(args: argparse.Namespace) -> int:
    """ledger diff: what changed in the ledger between two revisions, as Markdown for a pull request."""
    from ledger import diffmarkdown, gitdiff, gitrepo

    try:
        repo, relative = _repo_path(args.ledger)
        base = args.base if args.base is not None else gitrepo.default_base(repo)
        base_label = args.base if args.base is not None else f"{base[:12]} (merge base with the default branch)"
        d = gitdiff.diff_revisions(repo, base, args.head, relative)
    except gitrepo.GitError as err:
        raise UsageError(f"cannot compare: {err}") from None
    if d.base_missing and d.head_missing:
        raise UsageError(f"there is no {relative} at {base_label} nor at {args.head or 'the working tree'}: "
                         "nothing to compare (is --ledger right?)")
    _out(diffmarkdown.to_markdown(d, base_label, args.head or "working tree"))
    if d.problems or d.head_invalid:
        return EXIT_PROBLEMS
    if args.strict and gitdiff.unexplained(d):
        _err("flagged changes without a note explaining them (see CONTRIBUTING.md, 'Change an entry's terms')")
        return EXIT_PROBLEMS
    return EXIT_OK


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


def _repo_path(ledger: str) -> tuple[Path, str]:
    """The git work tree holding the ledger, and the ledger's path inside it."""
    from ledger import gitrepo

    path = Path(ledger).resolve()
    repo = gitrepo.toplevel(path.parent if path.parent.is_dir() else Path.cwd())
    if not path.is_relative_to(repo.resolve()):
        raise UsageError(f"{ledger} is outside the git repository at {repo}")
    return repo, path.relative_to(repo.resolve()).as_posix()


def _replayed(ledger: str, command: str) -> Any:
    """The ledger's history from git, skipped versions named on stderr; None (after saying why) if it cannot be read."""
    from ledger import gitrepo, history

    try:
        repo, relative = _repo_path(ledger)
        if gitrepo.is_shallow(repo):
            # A partial history would be written as if it were the whole record.
            _err(f"{command}: {gitrepo.SHALLOW.split(':')[0]}: the history is incomplete; "
                 "fetch it all (git fetch --unshallow) first")
            return None
        record = history.replay(repo, relative)
    except gitrepo.GitError as err:
        _err(f"{command}: {err}")
        return None
    for s in record.skipped:
        _err(f"skipped {s.commit[:12]} ({s.time[:10]}, {s.author}): {s.problem}")
    return record


def cmd_history(args: argparse.Namespace) -> int:
    """ledger history: the ledger's record replayed from git, written as history.csv, history.md and a chart."""
    from ledger import atomic, historyreport

    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out} is a file, not a folder")
    record = _replayed(args.ledger, "ledger history")
    if record is None:
        return EXIT_PROBLEMS
    outputs = historyreport.render(record)
    from ledger import report

    try:
        changed = report.stale(outputs, out)
        if changed:
            atomic.replace_dir(out, outputs, 0o644)
    except atomic.NotOwnFolder as err:
        _err(f"ledger history: {err}")
        return EXIT_PROBLEMS
    except OSError as err:
        _err(f"ledger history: cannot write to {out}/: {err.strerror or err}; the previous files are unchanged")
        return EXIT_PROBLEMS
    done = f"wrote {len(changed)} of {len(outputs)} files" if changed else f"all {len(outputs)} files already up to date"
    changes = len(historyreport.verdict_log(record))
    _err(f"{done} in {out}/: {len(record.rows)} version{'s' * (len(record.rows) != 1)} of {record.path}, "
         f"{changes} verdict change{'s' * (changes != 1)}, {len(record.skipped)} skipped")
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


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every subcommand."""
    parser = argparse.ArgumentParser(
        prog="ledger", description="A fact-check ledger for the predictions and claims of AI leaders."
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def ledger_args(p: argparse.ArgumentParser, positional: bool = False) -> None:
        if positional:
            p.add_argument("ledger", nargs="?", metavar="PATH", help=LEDGER_HELP)
        else:
            p.add_argument("--ledger", metavar="PATH", help=LEDGER_HELP)
        p.add_argument("--sources", metavar="PATH", help="the sources list (default: seeds/sources.yaml beside the ledger)")
        p.add_argument("--as-of", metavar="DATE", help="judge deadlines on this date: YYYY-MM-DD or 'today' (default: today)")

    p = sub.add_parser("validate", help="check the ledger and report every problem with its line and column")
    ledger_args(p, positional=True)
    p.add_argument("--format", choices=["text", "github", "json"], default="text", help="output format (default: text)")
    p.add_argument("-q", "--quiet", action="store_true", help="print nothing when there are no problems")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("due", help="list open predictions past their deadline, then those coming due")
    ledger_args(p)
    p.add_argument("--format", choices=["text", "markdown"], default="text", help="output format (default: text)")
    p.add_argument("--upcoming", type=int, default=10, metavar="N", help="how many coming due to list (default: 10)")
    p.set_defaults(func=cmd_due)

    p = sub.add_parser("export", help="write every entry, normalised, as JSON or CSV to standard output, "
                                      "or as a SQLite database for Datasette")
    ledger_args(p)
    p.add_argument("--format", choices=["json", "csv", "sqlite"], default="json",
                   help="output format (default: json); sqlite needs --out and the serve extra (sqlite-utils)")
    p.add_argument("--out", metavar="FILE", help="the database file for --format sqlite, replaced as a whole")
    p.add_argument("--with-history", action="store_true",
                   help="with --format sqlite: add the history and verdicts tables, replayed from git (ledger history)")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("deadline", help="turn a deadline phrase as said (明年第一季度, within two years) into the canonical form")
    p.add_argument("phrase", help="the words as said")
    p.add_argument("--said-on", required=True, metavar="DATE", help="the day the words were spoken (YYYY-MM-DD)")
    p.set_defaults(func=cmd_deadline)

    p = sub.add_parser("report", help="write the scoreboard, timeline chart and tables to reports/")
    ledger_args(p)
    p.add_argument("--out", metavar="DIR", help="output folder (default: reports/ beside the ledger)")
    p.add_argument("--check", action="store_true",
                   help="write nothing; exit 1 naming the files that differ from a fresh report at the recorded as-of date")
    p.add_argument("--at-commit", metavar="REV",
                   help="the report as the ledger stood at git revision REV (its ledger, sources and recorded as-of "
                        "date), written to --out, which it needs")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("history", help="replay the ledger's git history: numbers at every commit, a verdict log, a chart",
                       description="Read every version of the ledger along the first-parent history of the current "
                                   "branch and write history.csv (one row per commit), history.md (every verdict "
                                   "given, changed or withdrawn, newest first) and history.png/.svg.")
    p.add_argument("--ledger", metavar="PATH", help=LEDGER_HELP)
    p.add_argument("--out", metavar="DIR", help="output folder (default: reports/ beside the ledger)")
    p.set_defaults(func=cmd_history)

    p = sub.add_parser("diff", help="summarise what changed in the ledger between two git revisions, as Markdown")
    p.add_argument("base", nargs="?", metavar="BASE", help="base revision (default: the merge base with the default branch)")
    p.add_argument("head", nargs="?", metavar="HEAD", help="head revision (default: the working tree)")
    p.add_argument("--ledger", metavar="PATH", help=LEDGER_HELP)
    p.add_argument("--strict", action="store_true", help="exit 1 when flagged changes have no note explaining them")
    p.set_defaults(func=cmd_diff)

    p = sub.add_parser("resolve", help="resolve an entry with evidence, change or re-open a verdict, or add evidence",
                       description="Edit one entry of the ledger in place, leaving every other line as it was. Each "
                                   "--evidence starts an item; the --type, --publisher, --published-on, --quote and "
                                   "--note after it describe that item.")
    p.add_argument("id", help="the entry's id")
    mode = p.add_mutually_exclusive_group(required=True)
    mode.add_argument("--status", choices=list(RESOLVED_STATUSES), help="the verdict")
    mode.add_argument("--reopen", action="store_true", help="withdraw the entry's verdict (needs --reason)")
    mode.add_argument("--add-evidence", action="store_true", help="add the --evidence items, leaving the status alone")
    p.add_argument("--change", action="store_true", help="replace an existing verdict with --status (needs --reason)")
    p.add_argument("--reason", metavar="TEXT", help="why a verdict changes or is withdrawn: recorded as an amendment")
    p.add_argument("--on", metavar="DATE", help="date of the evidence that settles it (default: the as-of date)")
    p.add_argument("--evidence", action=_EvidenceStart, metavar="URL_OR_SOURCE",
                   help="a URL, or the id of an archived source; may be given several times")
    p.add_argument("--type", action=_EvidenceField, choices=list(EVIDENCE_TYPES),
                   help="primary (the organisation's own), report (a news organisation) or speaker (their own word)")
    p.add_argument("--publisher", action=_EvidenceField, metavar="NAME", help="who published the page at the URL")
    p.add_argument("--published-on", action=_EvidenceField, metavar="DATE",
                   help="the day the page at the URL appeared (YYYY-MM-DD)")
    p.add_argument("--quote", action=_EvidenceField, metavar="TEXT",
                   help="the verbatim passage, when the evidence is an archived source")
    p.add_argument("--note", action=_EvidenceField, metavar="TEXT", help="what the evidence shows, in your own words")
    ledger_args(p)
    p.set_defaults(func=cmd_resolve)

    p = sub.add_parser("add-source", help="archive a document in seeds/ and append its stub to seeds/sources.yaml",
                       description="Copy FILE into seeds/ byte for byte as NNN_<sha256 prefix>.<ext>, detect its "
                                   "language, and append an entry to seeds/sources.yaml with every other byte kept. "
                                   "Fields left to fill are marked FILL IN, and ledger validate flags them until "
                                   "they are filled.")
    p.add_argument("file", help="the document, UTF-8 text")
    p.add_argument("--id", required=True, help="the source's id, a lowercase slug (e.g. big-technology-2025-12)")
    p.add_argument("--title", help="the title as the document gives it")
    p.add_argument("--title-en", metavar="TITLE", help="the title in English")
    p.add_argument("--outlet", help="who published it")
    p.add_argument("--author", help="who wrote it")
    p.add_argument("--url", help="the article's address, as given in the document")
    p.add_argument("--video-url", metavar="URL", help="the original recording's address")
    p.add_argument("--published-on", metavar="DATE", help="the day it was published (YYYY-MM-DD)")
    p.add_argument("--event", help="what happened: who spoke to whom, where")
    p.add_argument("--event-date", metavar="DATE", help="the day the words were spoken (YYYY-MM-DD)")
    p.add_argument("--event-date-approximate", action="store_true",
                   help="the documents do not give the day: --event-date is the best-supported day")
    p.add_argument("--language", help="zh-Hans, zh-Hant, en, ... (default: detected from the text)")
    p.add_argument("--speaker", action="append", metavar="NAME", help="someone who speaks in it; may be repeated")
    ledger_args(p)
    p.set_defaults(func=cmd_add_source)

    p = sub.add_parser("find", help="print the whole sentences of a source that hold a phrase, verbatim, with lines",
                       description="Matching ignores what quote checking ignores (whitespace, line wraps, full-width "
                                   "forms, pinyin annotations); each sentence is printed as the file has it, ready to "
                                   "paste as a quote.")
    p.add_argument("source", help="the source's id in seeds/sources.yaml")
    p.add_argument("phrase", help="words of the passage")
    ledger_args(p)
    p.set_defaults(func=cmd_find)

    p = sub.add_parser("new", help="print a draft entry for a sentence of a source, or append it with --append",
                       description="Reads what it can from the source: the whole sentence verbatim, the speaker from "
                                   "the transcript's label, said_on from its event_date, a deadline from a time "
                                   "expression, a kind from the wording, and a unique id. Guesses carry a comment; "
                                   "fields left to fill say FILL IN.")
    p.add_argument("--source", required=True, metavar="ID", help="the source's id in seeds/sources.yaml")
    p.add_argument("--line", type=int, metavar="N", help="the line the sentence starts on (as `ledger find` shows)")
    p.add_argument("--quote", metavar="TEXT", help="words of the sentence; the whole sentence is taken")
    p.add_argument("--id", help="the entry's id (default: a suggestion)")
    p.add_argument("--kind", choices=["prediction", "claim"], help="override the guess")
    p.add_argument("--speaker", metavar="NAME", help="override the guess")
    p.add_argument("--summary", metavar="TEXT", help="one faithful English sentence")
    p.add_argument("--topic", action="append", choices=list(TOPICS), metavar="TOPIC",
                   help="a topic from docs/format.md; may be repeated")
    p.add_argument("--append", action="store_true",
                   help="append the entry to the ledger, every other byte kept; refused unless the result validates")
    ledger_args(p)
    p.set_defaults(func=cmd_new)

    p = sub.add_parser("coverage", help="list sentences of a source that look checkable and that no entry quotes")
    p.add_argument("source", nargs="?", help="the source's id (default: every source)")
    ledger_args(p)
    p.set_defaults(func=cmd_coverage)
    return parser


def _locate(args: argparse.Namespace) -> None:
    """Fill in the default ledger and output folder: found from any folder of the repository."""
    if not hasattr(args, "ledger"):
        return
    if args.ledger is None:
        from ledger.load import find_root

        root = find_root(Path.cwd())
        # Shown relative to where the user stands, so that every problem's path can be opened from there.
        args.ledger = os.path.relpath(root / "claims.yaml") if root else "claims.yaml"
    if getattr(args, "at_commit", None) is not None and args.out is None:
        raise UsageError("--at-commit needs --out DIR: a past report is not written over reports/")
    if getattr(args, "command", None) in ("report", "history") and args.out is None:
        args.out = str(Path(args.ledger).parent / "reports")


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run the command line; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        _locate(args)
        return int(args.func(args))
    except UsageError as err:
        parser.exit(EXIT_USAGE, f"ledger: error: {err}\n")
    except BrokenPipeError:
        # Output piped to `head`: stop quietly, as other command-line tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except KeyboardInterrupt:
        return 130
    except Exception as err:  # a bug in ledger, not a problem in the input: say so, in its own exit status
        if os.environ.get("LEDGER_TRACEBACK"):
            raise
        _internal_error(args, err)
        return EXIT_BUG
    return EXIT_OK


def _internal_error(args: argparse.Namespace, err: Exception) -> None:
    frame = traceback.extract_tb(err.__traceback__)[-1]
    place = f"{Path(frame.filename).name}:{frame.lineno}"
    message = (f"internal error, a bug in ledger and not a problem in your files: {type(err).__name__}: {err} "
               f"(at {place}); please report it with the command you ran (set LEDGER_TRACEBACK=1 for the traceback)")
    _err(f"ledger: {message}")
    fmt = getattr(args, "format", None)
    if fmt in ("json", "github"):
        _out(format_problems([Problem(getattr(args, "ledger", ""), 1, 1, "internal-error", message)], fmt))


if __name__ == "__main__":
    sys.exit(main())
