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


def test_replace_dir_swaps_the_folder_and_keeps_other_files(tmp_path):
    target = tmp_path / "out"
    atomic.replace_dir(target, {"a.txt": b"1", "b.txt": b"1"}, 0o644)
    (target / "mine.txt").write_text("mine")
    (target / ".a.txt.x1y2.tmp").write_text("left by an older, interrupted write")
    os.symlink("mine.txt", target / "link")
    atomic.replace_dir(target, {"a.txt": b"2", "b.txt": b"2"}, 0o644)
    assert sorted(p.name for p in target.iterdir()) == ["a.txt", "b.txt", "link", "mine.txt"]
    assert (target / "a.txt").read_bytes() == b"2" and os.readlink(target / "link") == "mine.txt"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_replace_dir_follows_a_symlinked_folder(tmp_path):
    (tmp_path / "real").mkdir()
    os.symlink("real", tmp_path / "out")
    atomic.replace_dir(tmp_path / "out", {"a.txt": b"1"}, 0o644)
    assert (tmp_path / "out").is_symlink() and (tmp_path / "real" / "a.txt").read_bytes() == b"1"


def test_replace_dir_refuses_a_folder_holding_folders(tmp_path):
    (tmp_path / "out" / "sub").mkdir(parents=True)
    (tmp_path / "out" / "a.txt").write_bytes(b"old")
    with pytest.raises(atomic.NotOwnFolder, match="holds folders \\(sub\\)"):
        atomic.replace_dir(tmp_path / "out", {"a.txt": b"new"}, 0o644)
    assert (tmp_path / "out" / "a.txt").read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_recover_puts_back_a_folder_moved_aside(tmp_path):
    (tmp_path / ".out.old-abc").mkdir()
    (tmp_path / ".out.old-abc" / "a.txt").write_bytes(b"old")
    (tmp_path / ".out.new-def").mkdir()
    atomic.recover(tmp_path / "out")
    assert (tmp_path / "out" / "a.txt").read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
