"""ledger.history and `ledger history`: the record replayed from a throwaway repository with fixed authors and dates."""

import datetime as dt
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import FIXTURES
from ledger import history, historyreport, report
from ledger.cli import main
from ledger.resolve import EvidenceItem, resolve
from test_gitdiff import BASE_TEXT, GIT_ENV, USERS, sub

GOLDEN = FIXTURES / "history"
REOPEN_NOTE = '    amendments:\n      - "on": 2026-01-15\n        fields: [status]\n        reason: The April launch was a minor update.'


def git(repo: Path, *args: str, when: str = "2026-01-01T12:00:00+00:00", who: str = "Ledger Test") -> str:
    env = {**os.environ, **GIT_ENV, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when, "GIT_AUTHOR_NAME": who}
    done = subprocess.run(["git", "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false", *args], cwd=repo,
                          env=env, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def commit(repo: Path, text: str, when: str, who: str, message: str = "change", report_as_of: str = "") -> str:
    (repo / "claims.yaml").write_text(text, encoding="utf-8")
    if report_as_of:
        assert main(["report", "--ledger", str(repo / "claims.yaml"), "--as-of", report_as_of]) == 0
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--allow-empty", "-m", message, when=when, who=who)
    return git(repo, "rev-parse", "HEAD")


def resolved_agents(text: str) -> str:
    return resolve(text, "agents-2025", "correct", dt.date(2025, 12, 20),
                   EvidenceItem("primary", "https://example.org/agents", "Agents shipped.", "Example",
                                dt.date(2025, 12, 19)))


def models_status(text: str, status: str, note: str = "") -> str:
    text = sub(text, "    status: wrong\n    resolved_on: 2025-12-16", f"    status: {status}\n    resolved_on: 2025-12-16")
    return sub(text, "  - id: science-two-years", f"{note}\n  - id: science-two-years") if note else text


@pytest.fixture(scope="module")
def story(tmp_path_factory) -> dict:
    """A ledger's life: recorded, resolved, broken and mended, a verdict changed and changed back, an entry removed."""
    repo = tmp_path_factory.mktemp("history") / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    shutil.copytree(FIXTURES / "seeds", repo / "seeds")
    commits = {"base": commit(repo, BASE_TEXT, "2026-01-01T09:00:00+00:00", "Ada", "base")}
    text = resolved_agents(BASE_TEXT)
    # The report is committed with the ledger, as `make report` does: --at-commit must give it back.
    commits["resolved"] = commit(repo, text, "2026-01-05T10:00:00+01:00", "Ben", "resolve agents",
                                 report_as_of="2026-01-05")
    commits["broken"] = commit(repo, sub(text, "topics: [users]", "topics: [users"), "2026-01-10T09:00:00+00:00",
                               "Ada", "typo")
    (repo / "NOTES.md").write_text("not the ledger\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "notes", when="2026-01-11T09:00:00+00:00")
    changed = models_status(text, "correct")
    commits["changed"] = commit(repo, changed, "2026-01-12T09:00:00+00:00", "Ben", "mend and overturn")
    reverted = models_status(text, "wrong", REOPEN_NOTE)
    commits["reverted"] = commit(repo, reverted, "2026-01-15T09:00:00+00:00", "Ada", "revert with a note")
    removed = sub(reverted, USERS, "") + '\nremoved:\n  - id: users-800m\n    "on": 2026-01-20\n    reason: Not checkable.\n'
    commits["removed"] = commit(repo, removed, "2026-01-20T09:00:00+00:00", "Cy | *Ops* [x](javascript:y)", "remove")
    return {"repo": repo, "commits": commits, "history": history.replay(repo)}


def test_rows_one_per_readable_commit_oldest_first(story):
    h, c = story["history"], story["commits"]
    assert [r.commit for r in h.rows] == [c["base"], c["resolved"], c["changed"], c["reverted"], c["removed"]]
    assert [(r.date.isoformat(), r.author) for r in h.rows] == [
        ("2026-01-01", "Ada"), ("2026-01-05", "Ben"), ("2026-01-12", "Ben"), ("2026-01-15", "Ada"),
        ("2026-01-20", "Cy | *Ops* [x](javascript:y)")]
    assert h.rows[1].time == "2026-01-05T10:00:00+01:00"
    assert [r.counts["entries"] for r in h.rows] == [5, 5, 5, 5, 4]
    assert [(r.counts["correct"], r.counts["wrong"], r.counts["open"]) for r in h.rows] == [
        (1, 1, 3), (2, 1, 2), (3, 0, 2), (2, 1, 2), (2, 1, 1)]
    assert [r.counts["removed"] for r in h.rows] == [0, 0, 0, 0, 1]
    # Hit rate as the report computes it: (correct + ½ partly) / scored predictions.
    assert [r.scores["hit_rate"] for r in h.rows] == [0.5, round(2 / 3, 6), 1.0, round(2 / 3, 6), round(2 / 3, 6)]


def test_a_version_that_does_not_parse_is_skipped_with_its_first_problem(story):
    [skipped] = story["history"].skipped
    assert skipped.commit == story["commits"]["broken"]
    assert (skipped.problem.path, skipped.problem.code) == ("claims.yaml", "yaml-syntax")
    assert skipped.problem.line > 70


def test_verdict_log_newest_first(story):
    c = story["commits"]
    log = [(s.entry_id, s.from_status, s.to_status, s.commit, s.needs_note, s.explained_by)
           for s in historyreport.verdict_log(story["history"])]
    assert log == [
        ("users-800m", "open", None, c["removed"], True, "removal note on 2026-01-20: Not checkable."),
        # Changed back with an amendment naming status: explained.
        ("models-q1", "correct", "wrong", c["reverted"], True,
         "amendment on 2026-01-15: The April launch was a minor update."),
        # The change made in the broken commit is dated where the ledger could be read again.
        ("models-q1", "wrong", "correct", c["changed"], True, None),
        ("agents-2025", "open", "correct", c["resolved"], False, None),
        ("compute-triple", None, "correct", c["base"], False, None),
        ("models-q1", None, "wrong", c["base"], False, None),
    ]
    # Every status change, entries recorded as open included, is in the data.
    assert sum(s.from_status is None for s in story["history"].changes) == 5


def test_golden_csv_and_markdown(story):
    h = story["history"]
    csv_text, md = historyreport.to_csv(h), historyreport.to_markdown(h)
    # The hashes depend on the committed report, whose chart depends on the fonts installed: named instead.
    for name, sha in story["commits"].items():
        csv_text = csv_text.replace(sha, f"<{name}>")
        md = md.replace(sha[:12], f"<{name}>")
    if os.environ.get("LEDGER_UPDATE_GOLDEN"):
        GOLDEN.mkdir(exist_ok=True)
        (GOLDEN / "history.csv").write_text(csv_text, encoding="utf-8")
        (GOLDEN / "history.md").write_text(md, encoding="utf-8")
    assert csv_text == (GOLDEN / "history.csv").read_text(encoding="utf-8")
    assert md == (GOLDEN / "history.md").read_text(encoding="utf-8")


def test_markdown_renders_as_a_table_with_ledger_text_escaped(story):
    from markdown_it import MarkdownIt

    md = historyreport.to_markdown(story["history"])
    html = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"]).render(md)
    assert "<table>" in html and "<em>Ops" not in html and 'href="javascript' not in html
    assert "Cy | *Ops* [x](javascript:y)" in html
    assert html.count("<tr>") == 1 + 6 + 1 + 1  # verdict log header and rows, skipped header and row


def test_cli_writes_byte_identical_files_and_names_the_skipped_commit(story, tmp_path, capsys):
    repo = story["repo"]
    out = tmp_path / "out"
    assert main(["history", "--ledger", str(repo / "claims.yaml"), "--out", str(out)]) == 0
    err = capsys.readouterr().err
    broken = story["commits"]["broken"]
    assert f"skipped {broken[:12]} (2026-01-10, Ada): claims.yaml:" in err and "(yaml-syntax)" in err
    assert "wrote 4 of 4 files" in err and "5 versions of claims.yaml, 6 verdict changes, 1 skipped" in err
    first = {p.name: p.read_bytes() for p in out.iterdir()}
    assert sorted(first) == list(historyreport.FILES)
    assert first["history.png"].startswith(b"\x89PNG") and b"<svg" in first["history.svg"]
    # The same history in another clone gives the same bytes.
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(repo), str(clone)], check=True, env={**os.environ, **GIT_ENV})
    assert main(["history", "--ledger", str(clone / "claims.yaml"), "--out", str(tmp_path / "again")]) == 0
    assert {p.name: p.read_bytes() for p in (tmp_path / "again").iterdir()} == first
    assert main(["history", "--ledger", str(clone / "claims.yaml"), "--out", str(tmp_path / "again")]) == 0
    assert "all 4 files already up to date" in capsys.readouterr().err


def test_history_files_survive_a_later_report(story, tmp_path):
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(story["repo"]), str(clone)], check=True, env={**os.environ, **GIT_ENV})
    assert main(["history", "--ledger", str(clone / "claims.yaml")]) == 0
    assert main(["report", "--ledger", str(clone / "claims.yaml"), "--as-of", "2026-01-20"]) == 0
    assert (clone / "reports" / "history.md").is_file() and (clone / "reports" / "README.md").is_file()


def test_report_at_commit_is_the_report_committed_then(story, tmp_path, capsys):
    repo, rev = story["repo"], story["commits"]["resolved"]
    out = tmp_path / "past"
    assert main(["report", "--ledger", str(repo / "claims.yaml"), "--at-commit", rev[:10], "--out", str(out)]) == 0
    assert "as of 2026-01-05" in capsys.readouterr().err
    made = {p.name: p.read_bytes() for p in out.iterdir()}
    committed = {name: subprocess.run(["git", "show", f"{rev}:reports/{name}"], cwd=repo, capture_output=True,
                                      check=True).stdout for name in made}
    assert sorted(made) == sorted(report.FILES) and made == committed
    # And the same as a report made in a checkout of that commit, at its recorded date.
    checkout = tmp_path / "checkout"
    subprocess.run(["git", "clone", "-q", str(repo), str(checkout)], check=True, env={**os.environ, **GIT_ENV})
    subprocess.run(["git", "checkout", "-q", rev], cwd=checkout, check=True)
    shutil.rmtree(checkout / "reports")
    assert main(["report", "--ledger", str(checkout / "claims.yaml"), "--as-of", "2026-01-05"]) == 0
    assert {p.name: p.read_bytes() for p in (checkout / "reports").iterdir()} == made


def test_report_at_commit_refusals(story, tmp_path, capsys):
    ledger = str(story["repo"] / "claims.yaml")
    with pytest.raises(SystemExit) as exit:
        main(["report", "--ledger", ledger, "--at-commit", "HEAD"])
    assert exit.value.code == 2 and "--at-commit needs --out" in capsys.readouterr().err
    assert main(["report", "--ledger", ledger, "--at-commit", "no-such", "--out", str(tmp_path / "x")]) == 1
    assert "unknown revision 'no-such'" in capsys.readouterr().err
    broken = story["commits"]["broken"]
    assert main(["report", "--ledger", ledger, "--at-commit", broken, "--out", str(tmp_path / "x")]) == 1
    captured = capsys.readouterr()
    assert captured.out.startswith(f"{broken[:12]}:claims.yaml:") and "(yaml-syntax)" in captured.out
    assert not (tmp_path / "x").exists()


def test_history_outside_a_repository_and_in_a_shallow_clone(story, tmp_path, capsys):
    (tmp_path / "claims.yaml").write_text(BASE_TEXT, encoding="utf-8")
    assert main(["history", "--ledger", str(tmp_path / "claims.yaml"), "--out", str(tmp_path / "o")]) == 1
    assert "is not inside a git repository" in capsys.readouterr().err
    shallow = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{story['repo']}", str(shallow)], check=True,
                   env={**os.environ, **GIT_ENV})
    assert main(["history", "--ledger", str(shallow / "claims.yaml"), "--out", str(tmp_path / "o")]) == 1
    assert "shallow clone" in capsys.readouterr().err and not (tmp_path / "o").exists()


def test_first_parent_only(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    base = commit(repo, BASE_TEXT, "2026-01-01T09:00:00+00:00", "Ada")
    git(repo, "checkout", "-q", "-b", "side")
    side = commit(repo, resolved_agents(BASE_TEXT), "2026-01-02T09:00:00+00:00", "Ben")
    git(repo, "checkout", "-q", "main")
    git(repo, "merge", "-q", "--no-ff", "-m", "merge side", "side", when="2026-01-03T09:00:00+00:00", who="Cy")
    merge = git(repo, "rev-parse", "HEAD")
    h = history.replay(repo)
    assert [r.commit for r in h.rows] == [base, merge] and side not in [r.commit for r in h.rows]
    assert [(c.entry_id, c.to_status, c.author) for c in historyreport.verdict_log(h)][0] == (
        "agents-2025", "correct", "Cy")


def test_empty_history(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    (repo / "README.md").write_text("x\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "start")
    h = history.replay(repo)
    assert h.rows == [] and h.last is None
    assert historyreport.to_markdown(h) == "# Ledger history\n\nThere is no commit of `claims.yaml` in the git history yet.\n"
    assert historyreport.to_csv(h).count("\n") == 1


@pytest.mark.parametrize("text", sorted(set(__import__("conftest").HOSTILE_VALID)))
def test_hostile_text_stays_text(text):
    from markdown_it import MarkdownIt

    from ledger.gitrepo import Commit
    from ledger.problem import Problem

    day = dt.date(2026, 1, 1)
    counts = dict.fromkeys(history.COUNTS, 0)
    scores = dict.fromkeys(history.SCORES, None)
    h = history.History(
        "claims.yaml", rows=[history.CommitRow("a" * 40, "2026-01-01T00:00:00+00:00", day, text, counts, scores)],
        changes=[history.StatusChange("x", "correct", "wrong", "a" * 40, "2026-01-01T00:00:00+00:00", day, text,
                                      True, f"amendment on 2026-01-01: {text}")],
        skipped=[history.Skipped("b" * 40, "2026-01-01T00:00:00+00:00", text, Problem("claims.yaml", 1, 1, "x", text))],
        last=Commit("a" * 40, "2026-01-01T00:00:00+00:00", text))
    md = historyreport.to_markdown(h)
    html = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"]).render(md)
    for tag in ("<script", "<a href=\"javascript", "<h2>injected", "<textarea", "<em>", "<strong>", "<s>"):
        assert tag not in html, (tag, text)
    assert html.count("<img") == 1 and html.count("<a ") == 2  # the chart and the two links of the page itself
    assert html.count("<tr>") == 4 and "\x1b" not in md and "\u202e" not in md
    row = historyreport.to_csv(h).splitlines()[1]
    assert not row.split(",")[3].startswith(("=", "+", "-", "@", "＝"))
