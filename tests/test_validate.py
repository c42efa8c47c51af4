"""Golden cases: each folder under tests/cases holds a ledger and the exact output of `ledger validate`."""

import json
import os
from pathlib import Path

import pytest

from conftest import AS_OF, FIXTURES, ROOT
from ledger.cli import main

CASES = sorted(p for p in (ROOT / "tests" / "cases").iterdir() if p.is_dir())


def run_case(case: Path, capsys, fmt: str = "text") -> tuple[int, str]:
    args = ["validate", "claims.yaml", "--as-of", AS_OF, "--format", fmt]
    if not (case / "seeds").is_dir():
        args += ["--sources", os.path.relpath(FIXTURES / "seeds" / "sources.yaml", case)]
    cwd = os.getcwd()
    os.chdir(case)
    try:
        code = main(args)
    finally:
        os.chdir(cwd)
    return code, capsys.readouterr().out


def test_cases_exist():
    # Guard against a glob that silently finds nothing.
    assert len(CASES) >= 30


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case(case: Path, capsys):
    code, out = run_case(case, capsys)
    expected = (case / "expected.txt").read_text(encoding="utf-8")
    assert out == expected
    assert code == (0 if expected == "" else 1)


def test_every_code_has_a_case():
    seen = set()
    for case in CASES:
        for line in (case / "expected.txt").read_text(encoding="utf-8").splitlines():
            seen.add(line.rsplit("(", 1)[1].rstrip(")"))
    assert {
        "yaml-syntax", "duplicate-key", "duplicate-id", "unknown-field", "missing-field", "bad-kind",
        "bad-attribution", "bad-status", "bad-date", "bad-deadline", "deadline-before-said",
        "resolved-before-said", "resolved-in-future", "said-in-future", "missing-resolved-on",
        "missing-evidence", "resolved-on-open", "bad-confidence", "unknown-source", "source-missing",
        "source-changed", "source-outside-seeds", "quote-not-found", "yaml-alias", "yaml-tag",
        "bad-encoding", "empty-file", "missing-file", "unknown-topic", "bad-related", "unknown-speaker",
        "bad-evidence", "bad-url", "evidence-incomplete", "verdict-unsupported", "evidence-after-resolution",
        "evidence-before-said", "missing-criteria", "missing-reason", "checked-before-said", "checked-in-future",
        "not-a-file", "control-character", "yaml-too-deep", "unregistered-speaker", "speaker-alias",
        "duplicate-speaker",
    } <= seen


def test_several_problems_are_all_reported(capsys):
    code, out = run_case(ROOT / "tests" / "cases" / "several-problems", capsys)
    assert code == 1 and len(out.splitlines()) >= 5


def test_json_format(capsys):
    code, out = run_case(ROOT / "tests" / "cases" / "duplicate-key", capsys, "json")
    assert code == 1
    [problem] = json.loads(out)
    assert problem["code"] == "duplicate-key" and problem["path"] == "claims.yaml" and problem["line"] == 13


def test_github_format_escapes(capsys):
    code, out = run_case(ROOT / "tests" / "cases" / "quote-not-found", capsys, "github")
    assert code == 1
    assert out.startswith("::error file=claims.yaml,line=8,col=12,title=quote-not-found::quote does not occur")
    assert out.count("\n") == 3  # one line per problem


def test_valid_prints_nothing_on_stdout(capsys):
    code, out = run_case(ROOT / "tests" / "cases" / "valid", capsys)
    assert (code, out) == (0, "")


def test_validate_writes_nothing(tmp_path, capsys):
    case = ROOT / "tests" / "cases" / "several-problems"
    before = {p: p.stat().st_mtime_ns for p in case.rglob("*")}
    run_case(case, capsys)
    assert {p: p.stat().st_mtime_ns for p in case.rglob("*")} == before


@pytest.mark.parametrize("name, code", [("bad\\0name.txt", "source-unreadable"), ("x" * 300 + ".txt", "source-unreadable"),
                                        ("loop.txt", "source-unreadable")])
def test_unreadable_source_file_names_are_located(tmp_path, name, code, capsys):
    import shutil

    shutil.copytree(FIXTURES / "seeds", tmp_path / "seeds")
    shutil.copy(FIXTURES / "claims.yaml", tmp_path / "claims.yaml")
    (tmp_path / "seeds" / "loop.txt").symlink_to("loop.txt")
    sources = tmp_path / "seeds" / "sources.yaml"
    sources.write_text(sources.read_text(encoding="utf-8").replace("file: talk.txt", f'file: "{name}"', 1), encoding="utf-8")
    assert main(["validate", str(tmp_path / "claims.yaml"), "--as-of", AS_OF]) == 1
    out = capsys.readouterr().out
    assert f"sources.yaml:3:11: [error] " in out and f"({code})" in out
