"""The CI workflow and the pre-commit hooks: linted, and their commands run here as CI runs them."""

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import ROOT

BIN = Path(sys.executable).parent
WORKFLOW = ROOT / ".github" / "workflows" / "ledger.yml"


def tool(name: str) -> str:
    path = BIN / name
    assert path.exists(), f"{name} is a test dependency: make test installs it"
    return str(path)


def test_workflows_pass_actionlint():
    files = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
    assert files
    run = subprocess.run([tool("actionlint"), *map(str, files)], capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 0, run.stdout + run.stderr


def test_pre_commit_files_are_valid():
    pre_commit = tool("pre-commit")
    for args in (["validate-manifest", ".pre-commit-hooks.yaml"], ["validate-config", ".pre-commit-config.yaml"]):
        run = subprocess.run([pre_commit, *args], capture_output=True, text=True, cwd=ROOT)
        assert run.returncode == 0, run.stdout + run.stderr


def ledger_steps() -> list[str]:
    """Every `ledger` command line of the workflow's run blocks."""
    jobs = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))["jobs"]
    runs = [step.get("run", "") for job in jobs.values() for step in job["steps"]]
    return [line.strip() for run in runs for line in run.splitlines() if line.strip().startswith(".venv/bin/ledger ")]


def test_workflow_runs_the_ledger_commands():
    runs = " ".join(ledger_steps())
    for command in ("ledger validate --format github", "ledger report --check", "ledger diff --strict", "ledger due"):
        assert command in runs


@pytest.mark.parametrize("command", ledger_steps())
def test_workflow_command_succeeds_here(command, tmp_path):
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("needs a git checkout")
    argv = command.split("||")[0]
    argv, redirect, _ = argv.partition(">")
    words = [w.replace("$BASE_SHA", "HEAD") for w in shlex.split(argv)]
    assert words[0] == ".venv/bin/ledger"
    run = subprocess.run([sys.executable, "-m", "ledger", *words[1:]], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    if redirect:
        assert run.stdout.strip(), "a step that writes a comment, an issue or a summary must print something"


FAKE_GH = """#!/usr/bin/env bash
# Records each call; answers the listing calls from $FAKE_GH_EXISTING (an id or number, or nothing).
printf '%s\n' "$*" >> "$FAKE_GH_LOG"
case "$*" in
  "api repos/"*"/comments --paginate"*|"issue list"*) printf '%s' "${FAKE_GH_EXISTING:-}" ;;
esac
"""


@pytest.mark.parametrize("existing", ["", "4242"])
@pytest.mark.parametrize("script, args", [("pr-comment.sh", ["17", "body.md"]), ("due-issue.sh", ["body.md"])])
def test_ci_scripts_post_once_then_update(script, args, existing, tmp_path):
    if shutil.which("bash") is None:
        pytest.skip("needs bash")
    (tmp_path / "gh").write_text(FAKE_GH, encoding="utf-8")
    (tmp_path / "gh").chmod(0o755)
    (tmp_path / "body.md").write_text("## Ledger changes\n", encoding="utf-8")
    log = tmp_path / "gh.log"
    env = {**os.environ, "PATH": f"{tmp_path}:{os.environ['PATH']}", "GH_REPO": "owner/ledger",
           "FAKE_GH_LOG": str(log), "FAKE_GH_EXISTING": existing}
    run = subprocess.run(["bash", str(ROOT / ".github" / "scripts" / script), *args], cwd=tmp_path, env=env,
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    calls = log.read_text(encoding="utf-8")
    if script == "pr-comment.sh":
        assert "api repos/owner/ledger/issues/17/comments --paginate" in calls
        expected = ("api --method PATCH repos/owner/ledger/issues/comments/4242 -f body=<!-- ledger diff -->"
                    if existing else "api --method POST repos/owner/ledger/issues/17/comments -f body=<!-- ledger diff -->")
    else:
        expected = ("issue edit 4242 --repo owner/ledger --body-file body.md" if existing else
                    "issue create --repo owner/ledger --title Predictions awaiting resolution --body-file body.md")
    # One listing, then exactly one write: a comment or issue updated in place, never a second one.
    assert expected in calls and calls.count("--method ") + calls.count("issue edit") + calls.count("issue create") == 1


GIT_ENV = {
    "GIT_AUTHOR_NAME": "Ledger Test", "GIT_AUTHOR_EMAIL": "ledger@example.org",
    "GIT_AUTHOR_DATE": "2026-01-01T12:00:00+00:00", "GIT_COMMITTER_NAME": "Ledger Test",
    "GIT_COMMITTER_EMAIL": "ledger@example.org", "GIT_COMMITTER_DATE": "2026-01-01T12:00:00+00:00",
    "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
    "SOURCE_DATE_EPOCH": "1795435200",  # 2026-11-23
}
EVIDENCE = ["--evidence", "https://example.org/{0}", "--type", "primary", "--publisher", "Example",
            "--published-on", "2025-12-19", "--note", "Settles {0}.", "--on", "2025-12-20"]


def _run(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    run = subprocess.run(list(args), cwd=repo, env={**os.environ, **GIT_ENV}, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    return run


def _resolve_and_report(repo: Path, entry_id: str) -> None:
    _run(repo, sys.executable, "-m", "ledger", "resolve", entry_id, "--status", "correct",
         *(a.format(entry_id) for a in EVIDENCE))
    _run(repo, sys.executable, "-m", "ledger", "report")


def _state(repo: Path) -> dict[str, bytes]:
    files = [repo / "claims.yaml", *sorted((repo / "reports").iterdir())]
    return {p.name: p.read_bytes() for p in files}


def test_two_branches_merge_and_a_report_afterwards_is_what_one_branch_gives(tmp_path):
    if shutil.which("git") is None or shutil.which("make") is None:
        pytest.skip("needs git and make")
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "tests" / "fixtures" / "seeds", repo / "seeds")
    shutil.copy(ROOT / "tests" / "fixtures" / "claims.yaml", repo / "claims.yaml")
    shutil.copy(ROOT / ".gitattributes", repo / ".gitattributes")
    git = ("git", "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false")
    _run(repo, *git, "init", "-q")
    _run(repo, "make", "-s", "-f", str(ROOT / "Makefile"), "merge-driver")  # what `make install` sets up
    _run(repo, sys.executable, "-m", "ledger", "report")
    _run(repo, *git, "add", "-A")
    _run(repo, *git, "commit", "-qm", "base")
    for branch, entry_id in (("a", "agents-2025"), ("b", "users-800m")):
        _run(repo, *git, "checkout", "-qb", branch, "main")
        _resolve_and_report(repo, entry_id)
        _run(repo, *git, "commit", "-qam", f"resolve {entry_id}")
    # Both branches rewrote every report; the merge still goes through, keeping branch a's reports...
    _run(repo, *git, "checkout", "-q", "a")
    _run(repo, *git, "merge", "-q", "--no-edit", "b")
    assert "<<<<<<<" not in (repo / "reports" / "README.md").read_text(encoding="utf-8")
    # ...and `make report` afterwards gives exactly what one branch with both changes gives.
    stale = subprocess.run([sys.executable, "-m", "ledger", "report", "--check"], cwd=repo, capture_output=True)
    assert stale.returncode == 1  # CI's check catches a merge that was not followed by `make report`
    _run(repo, sys.executable, "-m", "ledger", "report")
    merged = _state(repo)
    _run(repo, *git, "commit", "-qam", "reports after the merge")
    _run(repo, *git, "checkout", "-qb", "both", "main")
    _resolve_and_report(repo, "agents-2025")
    _resolve_and_report(repo, "users-800m")
    assert _state(repo) == merged
