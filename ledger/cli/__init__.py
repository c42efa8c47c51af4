"""The `ledger` command: argument parsing, printing and exit codes live in this package and only here."""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from pathlib import Path
from typing import Optional, Sequence

from ledger.problem import Problem
from ledger.vocabulary import EVIDENCE_TYPES, RESOLVED_STATUSES, TOPICS

from ledger.cli.common import (EXIT_OK, EXIT_USAGE, EXIT_BUG, LEDGER_HELP, UsageError, format_problems, _out,
                               _err)
from ledger.cli.check import cmd_deadline, cmd_due, cmd_export, cmd_validate
from ledger.cli.curate import (_EvidenceField, _EvidenceStart, cmd_add_source, cmd_coverage, cmd_find, cmd_new,
                               cmd_resolve)
from ledger.cli.publish import cmd_diff, cmd_history, cmd_report


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
