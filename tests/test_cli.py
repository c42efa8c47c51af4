"""The command line: help for every subcommand, documented in the README, exit codes, fast imports."""

import subprocess
import sys

import pytest

from conftest import FIXTURES, ROOT
from ledger.cli import build_parser, main

SUBCOMMANDS = sorted(build_parser()._subparsers._group_actions[0].choices)  # type: ignore[union-attr]


def test_there_are_subcommands():
    assert {"validate", "due", "export", "deadline"} <= set(SUBCOMMANDS)


@pytest.mark.parametrize("name", SUBCOMMANDS)
def test_every_subcommand_has_help(name, capsys):
    with pytest.raises(SystemExit) as exit:
        main([name, "--help"])
    assert exit.value.code == 0
    assert f"usage: ledger {name}" in capsys.readouterr().out


@pytest.mark.parametrize("name", SUBCOMMANDS)
def test_every_subcommand_is_in_the_readme(name):
    assert f"### `ledger {name}" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_usage_error_exits_2(capsys):
    with pytest.raises(SystemExit) as exit:
        main(["validate", "--format", "xml"])
    assert exit.value.code == 2
    with pytest.raises(SystemExit) as exit:
        main(["due", "--as-of", "2026-02-30"])
    assert exit.value.code == 2
    assert "not a real calendar date" in capsys.readouterr().err


def test_real_ledger_is_valid(capsys):
    # Judged today, as `make validate` and CI do: the ledger records checks up to the day they were made.
    assert main(["validate", str(ROOT / "claims.yaml"), "--as-of", "today"]) == 0


@pytest.mark.parametrize("command", [["validate"], ["due"], ["export"], ["deadline", "明年", "--said-on", "2025-01-01"]])
def test_yaml_commands_do_not_import_pandas_or_matplotlib(command):
    code = (
        "import sys\nfrom ledger.cli import main\n"
        f"try:\n    main({command!r} + ([] if {command[0]!r} == 'deadline' else ['--as-of', '2026-11-23']))\n"
        "except SystemExit:\n    pass\n"
        "heavy = sorted(m for m in ('pandas', 'matplotlib') if m in sys.modules)\n"
        "sys.stderr.write(repr(heavy))\n"
    )
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert run.stderr.endswith("[]"), run.stderr


def test_python_dash_m(tmp_path):
    run = subprocess.run([sys.executable, "-m", "ledger", "validate", str(ROOT / "claims.yaml"), "-q"],
                         capture_output=True, text=True, cwd=tmp_path)
    assert (run.returncode, run.stdout, run.stderr) == (0, "", "")


def test_due_lists_overdue_most_overdue_first_and_marks_inferred_days(tmp_path, capsys):
    text = (FIXTURES / "claims.yaml").read_text(encoding="utf-8")
    # science-two-years was said on a day the source does not give.
    text = text.replace("  - id: science-two-years\n", "  - id: science-two-years\n    said_on_approximate: true\n")
    ledger = tmp_path / "claims.yaml"
    ledger.write_text(text, encoding="utf-8")
    args = ["due", "--ledger", str(ledger), "--sources", str(FIXTURES / "seeds" / "sources.yaml"),
            "--as-of", "2026-11-23"]
    assert main(args) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Awaiting resolution as of 2026-11-23: 2 open predictions past the deadline"
    assert [line.split()[0] for line in lines[3:5]] == ["327", "22"]
    assert "agents-2025" in lines[3] and "≈2024-11-01" in lines[4] and "science-two-years" in lines[4]
    assert lines[-1] == "≈ the source does not give the day: the best-supported day; the entry's notes give the range."
