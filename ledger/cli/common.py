"""What every command shares: exit codes, dates from the command line, problems and tables on the terminal."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import shutil
import sys
from pathlib import Path
from typing import Any, Optional, Sequence

from ledger import escape
from ledger.problem import Problem

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


def _shown_path(path: str, shown: Optional[tuple[str, str]]) -> str:
    """`path` as the user should see it: `shown` = (prefix, replacement) renames a temporary checkout's prefix."""
    return shown[1] + path[len(shown[0]):] if shown and path.startswith(shown[0]) else path


def _valid_entries(args: argparse.Namespace, shown: Optional[tuple[str, str]] = None) -> Optional[Any]:
    """The checked ledger, or None after printing its problems; `shown` renames a path prefix in them."""
    result = _checked(args)
    if result.problems:
        problems = result.problems
        if shown:
            problems = [Problem(_shown_path(p.path, shown), p.line, p.column, p.code, p.message) for p in problems]
            _out(format_problems(problems, "text"))
            _err(f"the ledger at {shown[1].rstrip(':')} has problems, so its report cannot be made")
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


