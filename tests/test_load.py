import datetime as dt
import os
import re
from pathlib import Path

import pytest

import yaml

from ledger import load


def parse(text: str):
    return load.parse(text.encode("utf-8"), "x.yaml")


def test_uses_libyaml_when_available():
    assert load._Loader is getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def test_positions_of_keys_and_values():
    doc, problems = parse("entries:\n  - id: a\n    status: open\n")
    assert problems == []
    assert doc.where(("entries", 0, "status")) == (3, 13)
    assert doc.where(("entries", 0, "status"), key=True) == (3, 5)
    assert doc.where(("entries", 0, "missing")) == (2, 5)


def test_scalar_types():
    doc, _ = parse("a: 2025-02-03\nb: '2025-02-03'\nc: 2026\nd: yes\ne: 0.5\nf: 2025-02-30\ng:\n")
    assert doc.data == {"a": dt.date(2025, 2, 3), "b": "2025-02-03", "c": 2026, "d": True, "e": 0.5,
                        "f": "2025-02-30", "g": None}


def test_duplicate_key_is_reported_not_overwritten():
    doc, problems = parse("a: 1\na: 2\n")
    assert doc.data == {"a": 1}
    assert [(p.line, p.column, p.code) for p in problems] == [(2, 1, "duplicate-key")]


def test_python_tag_constructs_nothing(tmp_path):
    marker = tmp_path / "pwned"
    doc, problems = parse(f"a: !!python/object/apply:os.system ['touch {marker}']\n")
    assert not marker.exists()
    assert [p.code for p in problems] == ["yaml-tag"]
    assert doc.data == {"a": None}


def test_alias_bomb_is_refused_at_once():
    levels = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 30):
        levels.append(f"a{i}: &a{i} [" + ",".join([f"*a{i-1}"] * 10) + "]")
    doc, problems = parse("\n".join(levels) + "\n")
    # 10**30 strings if expanded; refused with one report per anchor and aliased name.
    assert {p.code for p in problems} == {"yaml-alias"}
    assert len(problems) == 30 + 29


def test_invalid_utf8_is_located():
    doc, problems = load.parse(b"a: 1\nb: caf\xe9\n", "x.yaml")
    assert doc is None
    assert [(p.line, p.column, p.code) for p in problems] == [(2, 7, "bad-encoding")]


def test_missing_and_empty_files(tmp_path):
    _, problems = load.read(tmp_path / "nope.yaml", "nope.yaml")
    assert [str(p) for p in problems] == ["nope.yaml:1:1: [error] no such file (missing-file)"]
    (tmp_path / "empty.yaml").write_text("# only a comment\n")
    _, problems = load.read(tmp_path / "empty.yaml", "empty.yaml")
    assert [p.code for p in problems] == ["empty-file"]


def test_syntax_error_is_located():
    doc, problems = parse("a: [1, 2\nb: 3\n")
    assert doc is None
    assert problems[0].code == "yaml-syntax" and problems[0].line == 2


@pytest.mark.parametrize("raw, where, char", [
    (b"entries:\n  - id: a\n    summary: \xe4\xb8\xadx\x07y\n", (3, 16), "U+0007"),
    (b"a: 1\n\x00\n", (2, 1), "U+0000"),
    (b"\xef\xbb\xbfa: 1\nb: \x1b[2J\n", (2, 4), "U+001B"),
])
def test_control_characters_are_located(raw, where, char):
    _, [problem] = load.parse(raw, "c.yaml")
    assert (problem.line, problem.column, problem.code) == (*where, "yaml-syntax") and char in problem.message


def test_duplicate_anchor_reads_as_one_sentence():
    _, problems = load.parse(b"a: &x 1\nb: &x 2\n", "c.yaml")
    assert [str(p) for p in problems][-1] == "c.yaml:2:4: [error] duplicate anchor (first at line 1) (yaml-syntax)"
    assert [p.code for p in problems] == ["yaml-alias", "yaml-alias", "yaml-syntax"]


def test_only_regular_files_are_read(tmp_path):
    os.mkfifo(tmp_path / "fifo")
    cases = {tmp_path: "is a directory", tmp_path / "fifo": "is a FIFO", Path("/dev/zero"): "is a character device"}
    for path, message in cases.items():
        _, [problem] = load.read(path, "x.yaml")
        assert (problem.code, problem.message) == ("not-a-file", f"{message}, not a regular file")


def test_size_limit(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_bytes(b"- 1\n" * 1000)
    _, [problem] = load.read(path, "big.yaml", limit=3999)
    assert problem.code == "file-too-large" and "limit" in problem.message
    assert load.read(path, "big.yaml", limit=4000)[1] == []


@pytest.mark.parametrize("depth", [65, 990, 50000])
def test_deep_nesting_is_a_located_problem(depth):
    _, problems = load.parse(("x: " + "[" * depth + "]" * depth + "\n").encode(), "deep.yaml")
    [problem] = [p for p in problems if p.code in ("yaml-too-deep", "yaml-syntax")]
    assert problem.line == 1 and problem.column > 3
    assert load.parse(("x: " + "[" * 60 + "]" * 60 + "\n").encode(), "ok.yaml")[1] == []


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

# The anchor pre-check as one pattern: correct, but it tries its alternatives at every position of the file.
_ONE_PATTERN = re.compile(r"(?:^[ \t]*(?:-[ \t]+)*|:[ \t]+|[\[{,][ \t]*|-[ \t]+)[&*][^\s,\[\]{}]", re.MULTILINE)


@settings(max_examples=400, derandomize=True)
@given(st.text(alphabet="&*-:[]{}, \t\nab'\"", max_size=40))
def test_anchor_precheck_agrees_with_the_one_pattern(text):
    assert load._may_hold_anchors(text) == bool(_ONE_PATTERN.search(text))


@pytest.mark.parametrize("enabled", [True, False])
def test_gc_paused_restores_the_collector_and_freezes_only_when_asked(enabled):
    import gc

    was = gc.isenabled()
    (gc.enable if enabled else gc.disable)()
    try:
        for freeze in (False, True):
            before = gc.get_freeze_count()
            with load.gc_paused(freeze=freeze):
                assert not gc.isenabled()
                kept = [{"n": i} for i in range(1000)]
            assert gc.isenabled() == enabled
            # Frozen only when the collector resumes: a caller that had paused it keeps its own choice.
            assert (gc.get_freeze_count() >= before + len(kept)) == (freeze and enabled)
            gc.unfreeze()
    finally:
        (gc.enable if was else gc.disable)()
