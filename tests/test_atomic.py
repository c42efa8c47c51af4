"""Atomic writes: the target holds the old bytes or the new ones, and no temporary file stays behind."""

import os
import stat
from pathlib import Path

import pytest

from ledger import atomic


def test_replace_writes_the_bytes_with_the_mode(tmp_path):
    target = tmp_path / "f.txt"
    target.write_bytes(b"old")
    atomic.replace(target, b"new", 0o640)
    assert target.read_bytes() == b"new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["f.txt"]


def test_a_failed_rename_keeps_the_old_file_and_cleans_up(tmp_path, monkeypatch):
    target = tmp_path / "f.txt"
    target.write_bytes(b"old")

    def boom(*args):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError, match="disk full"):
        atomic.replace(target, b"new", 0o644)
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["f.txt"]


def test_stage_then_discard(tmp_path):
    tmp = atomic.stage(tmp_path / "f.txt", b"data", 0o644)
    assert Path(tmp).read_bytes() == b"data" and not (tmp_path / "f.txt").exists()
    atomic.discard([tmp, tmp])  # a second removal of the same file is no error
    assert list(tmp_path.iterdir()) == []
