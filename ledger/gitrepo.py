"""The git questions the ledger asks: the work tree's root, a file at a revision, the default base, renames, and
the first-parent history of a file, read through one `git cat-file --batch` process."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from dataclasses import dataclass
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


def is_shallow(repo: Path) -> bool:
    """Whether the clone holds only part of the history (git clone --depth)."""
    _ensure_repo(repo)
    return _shallow(repo)


def resolve(repo: Path, rev: str) -> str:
    """The full hash of the commit `rev` names."""
    return _verify(repo, rev)


@dataclass(frozen=True)
class Commit:
    """One commit: its hash, committer time (ISO 8601 with the committer's offset) and author name."""

    hash: str
    time: str
    author: str

    @property
    def date(self) -> dt.date:
        """The day of the commit in the committer's own time zone."""
        return dt.date.fromisoformat(self.time[:10])


def first_parent_log(repo: Path, path: str, rev: str = "HEAD") -> list[Commit]:
    """The commits on the first-parent line of `rev` that changed `path`, oldest first."""
    sha = _verify(repo, rev)
    # --first-parent: the branch's own record, each merge counted once, as it landed.
    done = _git(repo, "log", "--first-parent", "--reverse", "-z", "--no-renames",
                "--format=%H%x1f%cI%x1f%an", sha, "--", f":(literal){path}")
    if done.returncode != 0:
        raise GitError(f"git log failed: {done.stderr.decode('utf-8', 'replace').strip()}")
    commits = []
    for record in done.stdout.decode("utf-8", "replace").split("\0"):
        record = record.strip("\n")
        if record:
            sha, time, author = record.split("\x1f", 2)
            commits.append(Commit(sha, time, author))
    return commits


class BlobReader:
    """One `git cat-file --batch` process answering many `rev:path` questions, so a long history costs one spawn."""

    def __init__(self, repo: Path) -> None:
        _ensure_repo(repo)
        try:
            self._proc = subprocess.Popen(["git", "cat-file", "--batch"], cwd=repo, stdin=subprocess.PIPE,
                                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        except FileNotFoundError:
            raise GitError("git is not installed (or not on PATH)") from None

    def __enter__(self) -> "BlobReader":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """End the git process."""
        assert self._proc.stdin is not None
        self._proc.stdin.close()
        self._proc.wait()

    def read(self, spec: str) -> Optional[tuple[str, bytes]]:
        """(blob hash, bytes) of an object such as `<commit>:claims.yaml`; None when there is no blob there."""
        stdin, stdout = self._proc.stdin, self._proc.stdout
        assert stdin is not None and stdout is not None
        if "\n" in spec:
            raise GitError(f"a path with a line break cannot be read: {spec!r}")
        try:
            stdin.write(spec.encode("utf-8", "surrogateescape") + b"\n")
            stdin.flush()
        except BrokenPipeError:
            raise GitError("git cat-file stopped unexpectedly") from None
        header = stdout.readline().decode("utf-8", "replace").rstrip("\n")
        parts = header.split(" ")
        if len(parts) != 3 or not parts[2].isdigit():
            if header.endswith((" missing", " ambiguous")) or not header:
                if not header:
                    raise GitError("git cat-file stopped unexpectedly")
                return None
            raise GitError(f"unexpected answer from git cat-file: {header}")
        sha, kind, size = parts[0], parts[1], int(parts[2])
        data = stdout.read(size + 1)[:size]  # each object is followed by a newline
        if len(data) != size:
            raise GitError("git cat-file stopped unexpectedly")
        return (sha, data) if kind == "blob" else None


def tree_files(repo: Path, rev: str, folder: str) -> list[tuple[str, str]]:
    """(path, blob hash) of every regular file under `folder` at `rev`; symbolic links and submodules are left out."""
    sha = _verify(repo, rev)
    done = _git(repo, "ls-tree", "-r", "-z", "--full-tree", sha, "--", f":(literal){folder}")
    if done.returncode != 0:
        raise GitError(f"git ls-tree failed: {done.stderr.decode('utf-8', 'replace').strip()}")
    files = []
    for record in done.stdout.decode("utf-8", "surrogateescape").split("\0"):
        if not record:
            continue
        meta, name = record.split("\t", 1)
        mode, kind, blob = meta.split(" ")
        if kind == "blob" and mode in ("100644", "100755"):
            files.append((name, blob))
    return files


def export_files(repo: Path, rev: str, paths: list[str], folders: list[str], dest: Path) -> list[str]:
    """Write `paths` and every regular file under `folders`, as they are at `rev`, into `dest`; the paths written.

    What `ledger report --at-commit` reads instead of a checkout: the work tree and the index are left alone.
    """
    sha = _verify(repo, rev)
    wanted = [(p, f"{sha}:./{p}") for p in paths]
    for folder in folders:
        wanted += [(name, blob) for name, blob in tree_files(repo, sha, folder)]
    written = []
    with BlobReader(repo) as blobs:
        for name, spec in wanted:
            parts = Path(name).parts
            if Path(name).is_absolute() or ".." in parts:
                continue
            found = blobs.read(spec)
            if found is None:
                continue
            target = dest.joinpath(*parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(found[1])
            written.append(name)
    return written


def commit_date(repo: Path, rev: str) -> dt.date:
    """The day of a commit, in its committer's time zone."""
    sha = _verify(repo, rev)
    time = _ok(repo, "show", "-s", "--format=%cI", sha)
    if not time:
        raise GitError(f"cannot read the date of {rev}")
    return dt.date.fromisoformat(time[:10])
