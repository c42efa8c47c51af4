"""Writing files so that a reader finds the old bytes or the new ones, never a half-written file."""

from __future__ import annotations

import contextlib
import os
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
