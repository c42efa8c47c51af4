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
    jobs = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))["jobs"]
    return [step["run"] for job in jobs.values() for step in job["steps"] if "ledger " in step.get("run", "")]


def test_workflow_runs_the_ledger_commands():
    runs = " ".join(ledger_steps())
    for command in ("ledger validate --format github", "ledger report --check", "ledger diff", "ledger due"):
        assert command in runs


@pytest.mark.parametrize("command", ledger_steps())
def test_workflow_command_succeeds_here(command, tmp_path):
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("needs a git checkout")
    summary = tmp_path / "summary.md"
    env = {**os.environ, "BASE_SHA": "HEAD", "GITHUB_STEP_SUMMARY": str(summary)}
    argv, _, redirect = command.partition(">>")
    words = [w.replace("$BASE_SHA", "HEAD") for w in shlex.split(argv)]
    assert words[0] == ".venv/bin/ledger"
    run = subprocess.run([sys.executable, "-m", "ledger", *words[1:]], cwd=ROOT, env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    if redirect:
        assert run.stdout.strip(), "a job summary step must print something"
