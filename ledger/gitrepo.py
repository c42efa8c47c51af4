"""The git questions `ledger diff` asks: the work tree's root, a file at a revision, the default base, renames."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Optional

from ledger.load import LEDGER_LIMIT, Unreadable, read_regular

SHALLOW = "shallow clone: fetch more history (git fetch --unshallow) or pass BASE explicitly"


class GitError(Exception):
    """A git question that cannot be answered: not a repository, an unknown revision, too little history."""


def _git(repo: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    if not repo.is_dir():
        raise GitError(f"{repo} is not a directory")
    try:
        return subprocess.run(["git", *args], cwd=repo, capture_output=True, check=False)
    except FileNotFoundError:
        raise GitError("git is not installed (or not on PATH)") from None


def _ok(repo: Path, *args: str) -> Optional[str]:
    """Stripped standard output of a git command, or None when it fails."""
    done = _git(repo, *args)
    return done.stdout.decode("utf-8", "replace").strip() if done.returncode == 0 else None


def _ensure_repo(repo: Path) -> None:
    if _ok(repo, "rev-parse", "--git-dir") is None:
        raise GitError(f"{repo} is not a git repository")


def toplevel(folder: Path) -> Path:
    """The root of the git work tree that holds `folder`."""
    top = _ok(folder, "rev-parse", "--show-toplevel")
    if top is None:
        raise GitError(f"{folder} is not inside a git repository")
    return Path(top)


def _shallow(repo: Path) -> bool:
    return _ok(repo, "rev-parse", "--is-shallow-repository") == "true"


def _commit(repo: Path, rev: str) -> Optional[str]:
    # A revision starting with '-' would be read by git as an option.
    if not rev or rev.startswith("-"):
        return None
    return _ok(repo, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")


def _verify(repo: Path, rev: str) -> str:
    _ensure_repo(repo)
    sha = _commit(repo, rev)
    if sha is None:
        hint = f" ({SHALLOW})" if _shallow(repo) else ""
        raise GitError(f"unknown revision '{rev}'{hint}")
    return sha


def read_at(repo: Path, rev: Optional[str], path: str) -> Optional[bytes]:
    """The bytes of `path` at revision `rev` (None: the working tree), or None when it does not exist there."""
    if rev is None:
        try:
            # The same reader as every other command: a FIFO or a device is refused, not read without end.
            return read_regular(repo / path, LEDGER_LIMIT)
        except Unreadable as err:
            if err.code == "missing-file":
                return None
            raise GitError(f"{path} {err.message}") from None
    sha = _verify(repo, rev)
    rel = os.path.relpath(path, repo) if os.path.isabs(path) else path
    # './' makes the path relative to `repo` even when `repo` is a subfolder of the work tree.
    spec = f"{sha}:./{Path(rel).as_posix()}"
    kind = _ok(repo, "cat-file", "-t", spec)
    if kind is None:
        return None
    if kind != "blob":
        raise GitError(f"{path} is a {kind}, not a file, at {rev}")
    # --no-textconv: a diff driver in .gitattributes must not rewrite the bytes we parse.
    done = _git(repo, "show", "--no-textconv", spec)
    if done.returncode != 0:
        raise GitError(f"git show {spec} failed: {done.stderr.decode('utf-8', 'replace').strip()}")
    return done.stdout


def default_base(repo: Path) -> str:
    """The merge base of HEAD with the default branch (origin/HEAD, origin/main, main or master)."""
    _ensure_repo(repo)
    if _commit(repo, "HEAD") is None:
        raise GitError(f"{repo} has no commits yet")
    candidates = ["origin/main", "main", "master"]
    origin_head = _ok(repo, "symbolic-ref", "--quiet", "--short", "refs/remotes/origin/HEAD")
    if origin_head:
        candidates.insert(0, origin_head)
    branch = next((name for name in candidates if _commit(repo, name)), None)
    if branch is None:
        raise GitError("cannot find the default branch (origin/HEAD, origin/main, main or master): pass BASE explicitly")
    base = _ok(repo, "merge-base", "HEAD", branch)
    if base:
        return base
    if _shallow(repo):
        raise GitError(SHALLOW)
    raise GitError(f"HEAD and {branch} have no common history: pass BASE explicitly")


def renames(repo: Path, base: str, head: Optional[str]) -> list[tuple[str, str]]:
    """Files renamed between two revisions (HEAD None: the working tree), as git's rename detection finds them."""
    revs = [_verify(repo, base)] + ([_verify(repo, head)] if head is not None else [])
    done = _git(repo, "diff", "--name-status", "-M", "-z", "--no-ext-diff", *revs, "--")
    if done.returncode != 0:
        raise GitError(f"git diff failed: {done.stderr.decode('utf-8', 'replace').strip()}")
    fields = done.stdout.decode("utf-8", "surrogateescape").split("\0")
    found, i = [], 0
    while i < len(fields) and fields[i]:
        if fields[i].startswith(("R", "C")):
            if fields[i].startswith("R"):
                found.append((fields[i + 1], fields[i + 2]))
            i += 3
        else:
            i += 2
    return found
