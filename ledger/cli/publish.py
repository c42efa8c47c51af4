"""Commands that publish the record: report, diff, history."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any, Optional

from ledger.cli.common import (EXIT_OK, EXIT_PROBLEMS, UsageError, parse_as_of, _out, _err, _valid_entries)


def _publish(outputs: dict[str, bytes], out: Path, command: str) -> Optional[list[str]]:
    """Write the files that differ into `out` as a whole, and name them; None after saying why it could not."""
    from ledger import atomic, report

    try:
        changed = report.stale(outputs, out)
        if changed:
            report.write(outputs, out)  # which first cleans up after an interrupted run
        else:
            atomic.recover(out)  # an interrupted run may have left its folders beside up-to-date files
    except atomic.NotOwnFolder as err:
        _err(f"{command}: {err}")
        return None
    except OSError as err:
        _err(f"{command}: cannot write to {out}/: {err.strerror or err}; the previous files are unchanged")
        return None
    return changed


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
            config = posixpath.join(folder, "pyproject.toml")
            written = gitrepo.export_files(repo, rev, [relative, recorded, config], [posixpath.join(folder, "seeds")],
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
        # README's links to the ledger's lines, as they were in the report committed beside it.
        args.links_from = str(Path(tmp, folder, "reports"))
        args.check = False
        return _report(args, (str(Path(tmp)) + os.sep, f"{rev[:12]}:"))


def cmd_report(args: argparse.Namespace) -> int:
    """ledger report: regenerate the reports, or with --check say which committed ones are stale."""
    if args.at_commit is not None:
        return _report_at_commit(args)
    return _report(args)


def _report(args: argparse.Namespace, shown: Optional[tuple[str, str]] = None) -> int:
    from ledger import config, report  # matplotlib: only this command pays for it
    from ledger.load import gc_paused

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
    site = _site(Path(args.ledger).resolve().parent / config.FILE, shown)
    if site is False:
        return EXIT_PROBLEMS
    links_from = Path(getattr(args, "links_from", None) or out).resolve()
    lines = report.entry_lines(result.ledger, Path(os.path.relpath(Path(args.ledger).resolve(), links_from)).as_posix())
    # Drawing makes many short-lived objects and few cycles, and the ledger built above holds no garbage: the
    # collector would only walk it again and again. Everything is collected when the command ends.
    with gc_paused():
        outputs = report.render(result.entries, result.sources, as_of, site or None, lines)
    if args.check:
        stale = report.stale(outputs, out)
        if stale:
            _out("".join(f"{out / name}: stale\n" for name in stale))
            _err(f"{len(stale)} report file{'s' if len(stale) != 1 else ''} out of date at {as_of}: run `make report` and commit {out}/")
            return EXIT_PROBLEMS
        _err(f"{out}/ is up to date at {as_of}")
        return EXIT_OK
    changed = _publish(outputs, out, "ledger report")
    if changed is None:
        return EXIT_PROBLEMS
    what = f"{len(result.entries)} entries" if result.entries else "the ledger is empty, so the reports say so"
    done = f"wrote {len(changed)} of {len(outputs)} files" if changed else f"all {len(outputs)} files already up to date"
    _err(f"{done} in {out}/ as of {as_of} ({what})")
    return EXIT_OK


def _site(path: Path, shown: Optional[tuple[str, str]]) -> Any:
    """The [tool.ledger] site, None when there is none, or False after printing its problems."""
    from ledger import config
    from ledger.cli.common import format_problems, _shown_path

    name = _shown_path(str(path), shown)
    if name == str(path) and path.is_relative_to(Path.cwd()):
        name = os.path.relpath(path)
    site, problems = config.read(path, name)
    if problems:
        _err(format_problems(problems, "text").rstrip("\n"))
        return False
    if site is None:
        _err(f"ledger report: note: {name} has no [tool.ledger] table, so the ClaimReview markup names no "
             "publisher and no page (see the README, 'Who publishes, and where')")
    elif site.placeholders():
        keys = site.placeholders()
        _err(f"ledger report: note: {' and '.join(keys)} in {name} [tool.ledger] "
             f"{'are reserved example addresses' if len(keys) > 1 else 'is a reserved example address'}; "
             "set them to where the report is published")
    return site


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
    from ledger import historyreport

    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out} is a file, not a folder")
    record = _replayed(args.ledger, "ledger history")
    if record is None:
        return EXIT_PROBLEMS
    outputs = historyreport.render(record)
    changed = _publish(outputs, out, "ledger history")
    if changed is None:
        return EXIT_PROBLEMS
    done = f"wrote {len(changed)} of {len(outputs)} files" if changed else f"all {len(outputs)} files already up to date"
    changes = len(historyreport.verdict_log(record))
    _err(f"{done} in {out}/: {len(record.rows)} version{'s' * (len(record.rows) != 1)} of {record.path}, "
         f"{changes} verdict change{'s' * (changes != 1)}, {len(record.skipped)} skipped")
    return EXIT_OK


