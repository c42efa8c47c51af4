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


def test_report_does_not_import_pandas(tmp_path):
    # The scores it shows are plain rows: pandas would only add a third of a second to every report.
    code = (
        "import sys\nfrom ledger.cli import main\n"
        f"try:\n    main(['report', '--ledger', {str(FIXTURES / 'claims.yaml')!r}, '--out', {str(tmp_path / 'out')!r},\n"
        "         '--as-of', '2026-11-23'])\n"
        "except SystemExit:\n    pass\n"
        "sys.stderr.write(repr('pandas' in sys.modules))\n"
    )
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert run.stderr.endswith("False"), run.stderr
    assert (tmp_path / "out" / "scoreboard.json").is_file()


@pytest.mark.parametrize("command", [["--help"], ["deadline", "--help"], ["deadline", "明年", "--said-on", "2025-01-01"],
                                     ["deadline", "2026年", "--said-on", "2025-01-01"]])
def test_commands_that_load_no_ledger_start_light(command):
    code = (
        "import sys\nfrom ledger.cli import main\n"
        f"try:\n    main({command!r})\nexcept SystemExit:\n    pass\n"
        "heavy = sorted(m for m in ('pydantic', 'pandas', 'matplotlib', 'dateparser', 'yaml') if m in sys.modules)\n"
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


def _code(args) -> int:
    try:
        return main(args)
    except SystemExit as exit:
        return int(exit.code or 0)


@pytest.fixture
def workspace(tmp_path, monkeypatch):
    import shutil

    shutil.copytree(FIXTURES / "seeds", tmp_path / "seeds")
    shutil.copy(FIXTURES / "claims.yaml", tmp_path / "claims.yaml")
    (tmp_path / "bad.yaml").write_text("entries:\n  - id: a\n", encoding="utf-8")
    git = ["git", "-c", "user.name=T", "-c", "user.email=t@example.org", "-c", "commit.gpgsign=false"]
    subprocess.run(git[:1] + ["init", "-q", "-b", "main"], cwd=tmp_path, check=True)
    subprocess.run(git + ["add", "-A"], cwd=tmp_path, check=True)
    subprocess.run(git + ["commit", "-qm", "base"], cwd=tmp_path, check=True)
    monkeypatch.chdir(tmp_path)
    return tmp_path


AS_OF = ["--as-of", "2026-11-23"]
RESOLVE = ["--status", "correct", "--evidence", "https://example.org/a", "--type", "primary", "--publisher", "Ex",
           "--published-on", "2025-12-01", "--note", "Shipped.", "--on", "2025-12-02"]
EXIT_TABLE = {
    # command: (succeeds, finds problems, usage error)
    "validate": (["validate", *AS_OF], ["validate", "bad.yaml", *AS_OF], ["validate", "--format", "xml"]),
    "due": (["due", *AS_OF], ["due", "--ledger", "bad.yaml", *AS_OF], ["due", "--upcoming", "x"]),
    "export": (["export", *AS_OF], ["export", "--ledger", "bad.yaml", *AS_OF], ["export", "--format", "xml"]),
    "deadline": (["deadline", "明年", "--said-on", "2025-01-01"], ["deadline", "some day", "--said-on", "2025-01-01"],
                 ["deadline", "明年"]),
    "report": (["report", "--out", "out", *AS_OF], ["report", "--ledger", "bad.yaml", "--out", "out", *AS_OF],
               ["report", "--out"]),
    "diff": (["diff", "HEAD"], ["diff", "HEAD", "--ledger", "bad.yaml"], ["diff", "no-such-revision"]),
    "history": (["history", "--out", "out"], ["history", "--out", "/proc/nope"],
                ["history", "--out"]),
    "resolve": (["resolve", "agents-2025", *RESOLVE, *AS_OF], ["resolve", "no-such-id", *RESOLVE, *AS_OF],
                ["resolve", "agents-2025", "--status", "correct"]),
    "add-source": (["add-source", "bad.yaml", "--id", "new-one"], ["add-source", "seeds/talk.txt", "--id", "again"],
                   ["add-source", "bad.yaml"]),
    "find": (["find", "talk-2024", "明年"], ["find", "talk-2024", "不在来源里的话"], ["find", "no-such-source", "x"]),
    "new": (["new", "--source", "talk-2024", "--quote", "两年内模型", *AS_OF],
            ["new", "--source", "talk-2024", "--quote", "不在来源里的话"], ["new", "--source", "talk-2024", "--line", "x"]),
    "coverage": (["coverage"], ["coverage", "--ledger", "missing.yaml"], ["coverage", "no-such-source"]),
}


def test_the_exit_table_covers_every_subcommand():
    assert sorted(EXIT_TABLE) == SUBCOMMANDS


@pytest.mark.parametrize("name", sorted(EXIT_TABLE))
def test_exit_codes(name, workspace, monkeypatch, capsys):
    ok, problems, usage = EXIT_TABLE[name]
    assert [_code(ok), _code(problems), _code(usage)] == [0, 1, 2]
    # A bug (here: the YAML reader, or the deadline parser, failing) exits 3 with one line saying so.
    from ledger import load, phrases

    def broken(*args, **kwargs):
        raise ZeroDivisionError("injected")

    monkeypatch.setattr(load, "parse", broken)
    monkeypatch.setattr(phrases, "read", broken)
    capsys.readouterr()
    assert _code(ok) == 3
    err = capsys.readouterr().err
    assert err.startswith("ledger: internal error, a bug in ledger") and "ZeroDivisionError: injected" in err
    assert "Traceback" not in err and err.count("\n") == 1


@pytest.mark.parametrize("fmt", ["json", "github"])
def test_a_bug_still_gives_a_machine_readable_record(fmt, workspace, monkeypatch, capsys):
    import json

    from ledger import load

    monkeypatch.setattr(load, "parse", lambda *a: 1 / 0)
    assert main(["validate", "--format", fmt, *AS_OF]) == 3
    out = capsys.readouterr().out
    if fmt == "json":
        [record] = json.loads(out)
        assert record["code"] == "internal-error" and "ZeroDivisionError" in record["message"]
    else:
        assert out.startswith("::error file=claims.yaml,line=1,col=1,title=internal-error::internal error")


# --- every command on hostile inputs: a located problem or a result, never a traceback ------------------

FIXTURE_TEXT = (FIXTURES / "claims.yaml").read_text(encoding="utf-8")
SUMMARY = "summary: Altman expects 2025 to be the year AI agents start working for people."
HOSTILE = {
    # valid ledgers whose text bent the outputs
    "dollars": FIXTURE_TEXT.replace(SUMMARY, 'summary: "Costs fall from $5 to $3, $^$ and $$ large"'),
    "crlf": FIXTURE_TEXT.replace("\n", "\r\n"),
    "bom": "\ufeff" + FIXTURE_TEXT,
    # invalid ones
    "cr-in-summary": FIXTURE_TEXT.replace(SUMMARY, 'summary: "Agents year\\r=1+1"'),
    "deep": FIXTURE_TEXT.replace("topics: [agents]", "topics: " + "[" * 5000 + "]" * 5000),
    "control-character": FIXTURE_TEXT.replace(SUMMARY, SUMMARY + "\x07"),
    "duplicate-anchor": FIXTURE_TEXT.replace("topics: [agents]", "topics: &t [agents]\n    x: &t 1"),
    "odd-evidence": FIXTURE_TEXT.replace("confidence: 0.7\n    status: open",
                                         "confidence: 0.7\n    status: open\n    evidence: [just-a-string]"),
    "odd-status": FIXTURE_TEXT.replace("confidence: 0.7\n    status: open", "confidence: 0.7\n    status: [open]"),
}
COMMANDS = [
    ["validate", "{ledger}"], ["validate", "{ledger}", "--format", "json"], ["validate", "{ledger}", "--format", "github"],
    ["due", "--ledger", "{ledger}"], ["due", "--ledger", "{ledger}", "--format", "markdown"],
    ["export", "--ledger", "{ledger}"], ["export", "--ledger", "{ledger}", "--format", "csv"],
    ["report", "--ledger", "{ledger}", "--out", "{out}"],
    ["resolve", "agents-2025", *RESOLVE, "--ledger", "{ledger}"],
]


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_every_command_on_hostile_input(name, tmp_path, capsys):
    import shutil

    shutil.copytree(FIXTURES / "seeds", tmp_path / "seeds")
    ledger = tmp_path / "claims.yaml"
    ledger.write_bytes(HOSTILE[name].encode("utf-8"))
    valid = main(["validate", str(ledger), *AS_OF]) == 0
    assert valid == (name in ("dollars", "crlf", "bom"))
    for command in COMMANDS:
        before = ledger.read_bytes()
        args = [a.format(ledger=ledger, out=tmp_path / "out") for a in command] + AS_OF
        code = _code(args)
        captured = capsys.readouterr()
        assert "Traceback" not in captured.err and code in (0, 1), (args, code, captured.err)
        if not valid:
            # An invalid ledger is refused with its problems, and nothing is written.
            assert code == 1 and ledger.read_bytes() == before and not (tmp_path / "out").exists(), args
    if valid:
        assert (tmp_path / "out" / "timeline.png").exists()
        assert ledger.read_bytes().startswith(b"\xef\xbb\xbf") == (name == "bom")
        assert (b"\r\n" in ledger.read_bytes()) == (name == "crlf")


def test_commands_find_the_ledger_from_any_folder_of_the_repository(workspace, monkeypatch, capsys):
    monkeypatch.chdir(workspace / "seeds")
    assert main(["validate", *AS_OF]) == 0
    assert "../claims.yaml: 5 entries, no problems" in capsys.readouterr().err
    assert main(["report", *AS_OF]) == 0 and (workspace / "reports" / "README.md").is_file()
    assert not (workspace / "seeds" / "reports").exists()
    assert main(["resolve", "agents-2025", *RESOLVE, *AS_OF]) == 0
    assert "status: correct" in (workspace / "claims.yaml").read_text(encoding="utf-8")
    capsys.readouterr()
    assert main(["diff", "HEAD"]) == 0 and "`agents-2025`: `open` → `correct`" in capsys.readouterr().out
    # A path given on the command line is read from where the user stands.
    assert main(["validate", "../claims.yaml", *AS_OF]) == 0


def test_diff_that_cannot_compare_is_a_usage_error(workspace, capsys):
    for args in (["diff", "HEAD", "--ledger", "nonexistent.yaml"], ["diff", "no-such-revision"],
                 ["diff", "HEAD", "--ledger", "/nonexistent-folder/claims.yaml"]):
        assert _code(args) == 2, args
    assert "No changes" not in capsys.readouterr().out


def test_report_out_that_is_not_a_folder(workspace, capsys):
    assert _code(["report", "--out", "claims.yaml", *AS_OF]) == 2
    assert _code(["report", "--out", "/proc/nope", *AS_OF]) == 1
    assert "cannot write to /proc/nope/" in capsys.readouterr().err
    # The report replaces its folder as a whole, so it will not take over a folder of other things.
    assert _code(["report", "--out", ".", *AS_OF]) == 1
    assert "besides the report" in capsys.readouterr().err


def _epoch(day: str) -> str:
    import datetime as dt

    return str(int(dt.datetime.fromisoformat(day + "T12:00:00+00:00").timestamp()))


def test_report_made_on_a_later_day_changes_nothing_until_the_state_does(workspace, monkeypatch, capsys):
    def make_report(day: str) -> dict[str, bytes]:
        monkeypatch.setenv("SOURCE_DATE_EPOCH", _epoch(day))
        assert main(["report"]) == 0
        return {p.name: p.read_bytes() for p in sorted((workspace / "reports").iterdir())}

    first = make_report("2026-10-20")
    assert make_report("2026-10-25") == first  # nothing fell overdue, nothing was recorded since
    assert b'"as_of": "2026-10-20"' in first["scoreboard.json"]
    # science-two-years (within 2 years of 2024-11-01) falls overdue on 2026-11-02: the report moves.
    later = make_report("2026-11-05")
    assert later != first and b'"as_of": "2026-11-05"' in later["scoreboard.json"]
    assert b"| 2026-11-02 | within 2 years |" in later["README.md"]
    # A check recorded since moves the as-of date to that day, not to the day the report was made.
    text = (workspace / "claims.yaml").read_text(encoding="utf-8")
    (workspace / "claims.yaml").write_text(text.replace("confidence: 0.7\n    status: open",
                                                        "confidence: 0.7\n    status: open\n    checked_on: 2026-11-07", 1),
                                           encoding="utf-8")
    assert b'"as_of": "2026-11-07"' in make_report("2026-11-09")["scoreboard.json"]


# --- property-based fuzzing: mutated ledgers and random command lines, a bounded budget ------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

FUZZ_PIECES = st.sampled_from(list("[]{}:,&*!|>-#'\"%@`?\\ \t\n\r\x00\x07\x1b\u0085\u2028\ufeffa0Z9年的é") +
                                ["\n  - ", ": ", "- id: ", "status: ", "deadline: ", "within 9999999 years",
                                 "9999-12-31", "&a ", "*a", "!!python/object ", "{{{{", "[[[[", "\n    "])
MUTATION = st.tuples(st.sampled_from(["insert", "delete", "replace", "duplicate"]),
                     st.floats(0, 1), st.floats(0, 1), st.lists(FUZZ_PIECES, max_size=5).map("".join))
FUZZ = settings(max_examples=120, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def _mutate(text: str, mutations: list[tuple[str, float, float, str]]) -> str:
    for op, a, b, piece in mutations:
        i, j = sorted((int(a * len(text)), int(b * len(text))))
        if op == "insert":
            text = text[:i] + piece + text[i:]
        elif op == "delete":
            text = text[:i] + text[j:]
        elif op == "replace":
            text = text[:i] + piece + text[j:]
        else:
            text = text[:i] + text[i:j] * 2 + text[j:]
    return text


@FUZZ
@given(st.lists(MUTATION, min_size=1, max_size=4))
def test_fuzzed_ledgers_never_crash(tmp_path_factory, mutations):
    import shutil

    folder = tmp_path_factory.mktemp("fuzz")
    shutil.copytree(FIXTURES / "seeds", folder / "seeds")
    ledger = folder / "claims.yaml"
    ledger.write_bytes(_mutate(FIXTURE_TEXT, mutations).encode("utf-8", "surrogatepass"))
    for command in COMMANDS:
        if command[0] == "report":
            continue  # drawing is slow; the hostile corpus above runs it
        args = [a.format(ledger=ledger, out=folder / "out") for a in command] + AS_OF
        code = _code(args)
        assert code in (0, 1), (args, code)


ARG_TOKENS = st.sampled_from(["validate", "due", "export", "deadline", "report", "diff", "resolve", "--format", "json",
                              "csv", "github", "markdown", "--as-of", "today", "2026-02-30", "9999-12-31", "--ledger",
                              "claims.yaml", "seeds", "nope.yaml", "--sources", "--out", "out", "--upcoming", "-3",
                              "--status", "correct", "--reopen", "--add-evidence", "--change", "--reason", "--on",
                              "--evidence", "https://example.org/x", "later-2025", "--type", "primary", "--note", "n",
                              "--publisher", "--published-on", "--quote", "agents-2025", "明年", "within 99999 weeks",
                              "--said-on", "HEAD", "--strict", "--check", "-q", "", "-", "--", "\x00"])


@FUZZ
@given(st.lists(ARG_TOKENS, max_size=10))
def test_fuzzed_command_lines_never_crash(workspace, argv):
    code = _code([a for a in argv if a != "report"] or ["validate"])
    assert code in (0, 1, 2), (argv, code)


@pytest.mark.parametrize("phrase, said, code", [
    ("1H 2026", "2025-12-16", "2026-H1"), ("2026-13", "2025-12-16", "impossible"),
    ("2026-02-30", "2025-12-16", "impossible"), ("yesterday", "2025-12-16", "before-said"),
    ("last year", "2025-12-16", "before-said"), ("未来几年", "2025-12-16", "vague"), ("soon", "2025-12-16", "vague"),
    ("01/02/2026", "2025-12-16", "ambiguous-date"),
])
def test_deadline_refuses_what_it_cannot_read_with_a_reason(phrase, said, code, capsys):
    status = main(["deadline", phrase, "--said-on", said])
    out, err = capsys.readouterr()
    if code.startswith("2026"):
        assert (status, out) == (0, f"{code}\n")
    else:
        assert (status, out) == (1, "") and err.endswith(f"({code})\n") and phrase in err


def test_deadline_prints_the_range_and_the_rule(capsys):
    assert main(["deadline", "六到八周", "--said-on", "2025-12-16"]) == 0
    out, err = capsys.readouterr()
    assert out == "within 8 weeks\n"
    assert err == ("window 2025-12-16 .. 2026-02-10 (said on 2025-12-16)\n"
                   "range within 6 weeks .. within 8 weeks: the later end is the deadline\nrule within-range\n")


@pytest.mark.parametrize("said", ["01/02/2025", "16/12/2025", "2025-1-2", "today", "2025-02-30"])
def test_deadline_said_on_must_be_written_yyyy_mm_dd(said, capsys):
    assert main(["deadline", "明年", "--said-on", said]) == 1
    out, err = capsys.readouterr()
    assert out == "" and said in err and "Traceback" not in err
