"""Commands that read the ledger and print: validate, due, export, deadline."""

from __future__ import annotations

import argparse
import datetime as dt
import re
from pathlib import Path

from ledger import escape

from ledger.cli.common import (EXIT_OK, EXIT_PROBLEMS, UsageError, parse_as_of, format_problems, _out, _err,
                               _checked, _valid_entries, _table)


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
        from ledger.cli.publish import _replayed

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


