"""Writing files so that a reader finds the old bytes or the new ones, never a half-written file."""

from __future__ import annotations

import contextlib
import errno
import glob
import os
import shutil
import stat
import sys
import tempfile
from pathlib import Path
from typing import Iterable


def stage(target: Path, data: bytes, mode: int) -> str:
    """A temporary file beside `target` holding `data` on disk with permissions `mode`; its path."""
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            os.fchmod(f.fileno(), mode)  # mkstemp makes the file private (0600)
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
    except BaseException:
        discard([tmp])
        raise
    return tmp


def discard(paths: Iterable[str]) -> None:
    """Remove staged files that will not be moved into place."""
    for path in paths:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)


def replace(target: Path, data: bytes, mode: int) -> None:
    """Replace `target` with `data` in one rename."""
    tmp = stage(target, data, mode)
    try:
        os.replace(tmp, target)
    except BaseException:
        discard([tmp])
        raise


class NotOwnFolder(Exception):
    """The output folder holds folders of other things, so it cannot be replaced as a whole."""


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux renameat2 RENAME_EXCHANGE); False where the system cannot."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)  # glibc 2.28 and later
    if renameat2 is None:
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):  # an old kernel, or a file system without it
        return False
    raise OSError(err, os.strerror(err), str(b))


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _leftovers(target: Path, kind: str) -> list[Path]:
    return sorted(target.parent.glob(f".{glob.escape(target.name)}.{kind}-*"))


def recover(target: Path) -> None:
    """Finish or undo what an interrupted `replace_dir` of `target` left behind."""
    target = Path(os.path.realpath(target))
    olds = _leftovers(target, "old")
    if olds and not target.exists():
        # Interrupted between moving the old folder aside and moving the new one in: the old one goes back.
        os.rename(olds[-1], target)
    for path in _leftovers(target, "old") + _leftovers(target, "new"):
        shutil.rmtree(path, ignore_errors=True)


def replace_dir(target: Path, files: dict[str, bytes], mode: int) -> None:
    """Make `target` a folder holding `files` (and whatever else it held), replacing it in one step.

    The new folder is built beside the old one, then the two are swapped: at every instant `target` is the
    complete old folder or the complete new one. Files in it that are not in `files` are carried over.
    """
    target = Path(os.path.realpath(target))  # a symlinked output folder: replace what it points to
    recover(target)
    others: list[os.DirEntry[str]] = []
    if target.exists():
        # Not carried over: the files being replaced, and temporary files that an interrupted `stage` left.
        staged = tuple(f".{name}." for name in files)
        others = [entry for entry in os.scandir(target) if entry.name not in files
                  and not (entry.name.startswith(staged) and entry.name.endswith(".tmp"))]
        folders = [entry.name for entry in others if entry.is_dir(follow_symlinks=False)]
        if folders:
            raise NotOwnFolder(f"{target} holds folders ({', '.join(sorted(folders)[:3])}) besides the report, "
                               "and the report replaces its folder as a whole: give it a folder of its own")
    target.parent.mkdir(parents=True, exist_ok=True)
    new = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.new-"))
    try:
        os.chmod(new, stat.S_IMODE(os.stat(target).st_mode) if target.exists() else 0o777 & ~_umask())
        for entry in others:
            if entry.is_symlink():
                os.symlink(os.readlink(entry.path), new / entry.name)
            else:
                try:
                    os.link(entry.path, new / entry.name)
                except OSError:
                    shutil.copy2(entry.path, new / entry.name)
        for name, data in files.items():
            os.replace(stage(new / name, data, mode), new / name)
        _fsync_dir(new)
        if not target.exists():
            os.rename(new, target)
        elif _exchange(new, target):
            shutil.rmtree(new)  # now the old folder
        else:
            old = target.with_name(f".{target.name}.old-{new.name.rsplit('.new-', 1)[1]}")
            os.rename(target, old)  # not one step: `recover` puts the old folder back if interrupted here
            os.rename(new, target)
            shutil.rmtree(old)
        _fsync_dir(target.parent)
    except BaseException:
        shutil.rmtree(new, ignore_errors=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
