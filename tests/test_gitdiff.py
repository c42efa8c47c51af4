"""ledger.gitdiff: the ledger compared at two git revisions, in throwaway repositories."""

import datetime as dt
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import FIXTURES
from ledger.diffmarkdown import to_markdown
from ledger.gitdiff import compare, diff_revisions, unexplained
from ledger.gitrepo import read_at
from ledger.resolve import EvidenceItem, resolve

GOLDEN = FIXTURES / "gitdiff" / "expected.md"
BASE_TEXT = (FIXTURES / "claims.yaml").read_text(encoding="utf-8")
GIT_ENV = {
    "GIT_AUTHOR_NAME": "Ledger Test",
    "GIT_AUTHOR_EMAIL": "ledger@example.org",
    "GIT_AUTHOR_DATE": "2026-01-01T12:00:00+00:00",
    "GIT_COMMITTER_NAME": "Ledger Test",
    "GIT_COMMITTER_EMAIL": "ledger@example.org",
    "GIT_COMMITTER_DATE": "2026-01-01T12:00:00+00:00",
    # The tester's own git configuration (hooks, signing, templates) must not leak in.
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}

USERS = """
  - id: users-800m
    kind: claim
    speaker: Sam Altman
    attribution: direct
    source: talk-2024
    said_on: 2024-11-01
    quote: ChatGPT now has 800 million weekly users.
    summary: Altman says ChatGPT has 800 million weekly users.
    topics: [users]
    status: open
"""
NEW_ENTRY = """
  - id: agents-later
    kind: prediction
    speaker: Sam Altman
    attribution: direct
    source: later-2025
    said_on: 2025-12-01
    quote: 新模型已经在一月发布了。
    summary: Altman says the new model | shipped in January.
    topics: [models]
    deadline: 2026-Q2
    status: open
"""


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false", *args],
        cwd=repo,
        env={**os.environ, **GIT_ENV},
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def commit(repo: Path, text: str, message: str = "change") -> str:
    (repo / "claims.yaml").write_text(text, encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--allow-empty", "-m", message)
    return git(repo, "rev-parse", "HEAD")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    shutil.copytree(FIXTURES / "seeds", repo / "seeds")
    commit(repo, BASE_TEXT, "base")
    return repo


def sub(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


def amend(text: str, entry_before_status: str, fields: str, reason: str = "A recorded reason.") -> str:
    """Add an amendments item to the entry whose status line is unique after `entry_before_status`."""
    return sub(text, entry_before_status, f'{entry_before_status}\n    amendments:\n      - "on": 2026-01-01\n'
                                          f"        fields: [{fields}]\n        reason: {reason}")


def head_diff(repo: Path, text: str):
    commit(repo, text)
    return diff_revisions(repo, "HEAD~1", "HEAD")


# --- each kind of change ---------------------------------------------------------------------------


def test_added(repo):
    d = head_diff(repo, BASE_TEXT + NEW_ENTRY)
    assert [e["id"] for e in d.added] == ["agents-later"]
    assert d.flags == [] and not d.removed and not d.edited
    assert (d.before.total, d.after.total) == (5, 6)


def test_removed_without_a_note_is_flagged(repo):
    d = head_diff(repo, sub(BASE_TEXT, USERS, ""))
    assert [r.id for r in d.removed] == ["users-800m"] and d.removed[0].record is None
    assert [(f.kind, f.entry_id, f.explained) for f in d.flags] == [("removed", "users-800m", False)]
    assert unexplained(d) == d.flags


def test_removed_with_a_note_is_explained(repo):
    text = sub(BASE_TEXT, USERS, "") + '\nremoved:\n  - id: users-800m\n    "on": 2026-01-01\n    reason: Not checkable.\n'
    d = head_diff(repo, text)
    assert d.removed[0].record == {"id": "users-800m", "on": dt.date(2026, 1, 1), "reason": "Not checkable."}
    [flag] = d.flags
    assert flag.explained and flag.explained_by == "removal note on 2026-01-01: Not checkable."
    assert unexplained(d) == []


def test_resolved_with_evidence(repo):
    text = resolve(BASE_TEXT, "agents-2025", "correct", dt.date(2025, 12, 20),
                   EvidenceItem("primary", "https://example.org/agents", "Agents shipped.", "Example",
                                dt.date(2025, 12, 19)))
    d = head_diff(repo, text)
    [r] = d.resolved
    assert (r.id, r.old, r.new, r.resolved_on) == ("agents-2025", "open", "correct", "2025-12-20")
    assert r.evidence == ({"type": "primary", "url": "https://example.org/agents", "publisher": "Example",
                           "published_on": "2025-12-19", "note": "Agents shipped."},)
    assert r.criteria.startswith("Correct if AI agents do paid work")
    assert d.flags == [] and d.edited == []
    assert (d.before.hit_rate, d.after.hit_rate) == (0.5, 2 / 3)
    assert d.after.counts == {"open": 2, "correct": 2, "wrong": 1}


def test_resolved_without_new_evidence_cannot_be_explained(repo):
    text = sub(BASE_TEXT, "status: correct", "status: wrong")
    text = amend(text, "        note: The speaker's own word, which is weak evidence.", "status")
    d = head_diff(repo, text)
    assert [(r.id, r.old, r.new, r.evidence) for r in d.resolved] == [("compute-triple", "correct", "wrong", ())]
    assert [(f.kind, f.explained) for f in d.flags] == [("verdict-change", True), ("no-evidence", False)]
    assert "cannot be explained by a note" in to_markdown(d, "main", "HEAD")


def test_reopened(repo):
    text = sub(BASE_TEXT, "    status: wrong\n    resolved_on: 2025-12-16\n", "    status: open\n")
    d = head_diff(repo, text)
    assert [(r.id, r.old, r.new) for r in d.reopened] == [("models-q1", "wrong", "open")]
    # The evidence left behind is an edit of its own; the status and date are the re-opening.
    assert [(e.id, [c.field for c in e.changes]) for e in d.edited] == []
    # Withdrawing a verdict rewrites the record: flagged until an amendment says why.
    assert [(f.kind, f.entry_id, f.explained) for f in d.flags] == [("verdict-change", "models-q1", False)]
    assert "verdict withdrawn (`wrong` → `open`)" in to_markdown(d, "main", "HEAD")
    d = compare(BASE_TEXT.encode(), amend(text, "        note: Dates the launch to April as well.", "status, resolved_on").encode())
    assert [(f.kind, f.explained) for f in d.flags] == [("verdict-change", True)]


@pytest.mark.parametrize(
    "old, new, field",
    [
        ("quote: ChatGPT now has 800 million weekly users.", "quote: ChatGPT now has 800 million users.", "quote"),
        ("said_on: 2024-11-01\n    quote: ChatGPT", "said_on: 2024-10-31\n    quote: ChatGPT", "said_on"),
        ("deadline: 2025\n    deadline_text: 2025年", "deadline: 2025-H2\n    deadline_text: 2025年", "deadline"),
    ],
)
def test_term_edit_without_amendment_is_flagged(repo, old, new, field):
    d = head_diff(repo, sub(BASE_TEXT, old, new))
    [flag] = d.flags
    assert (flag.kind, flag.field, flag.explained) == ("term-edit", field, False)
    [edit] = d.edited
    assert [c.field for c in edit.changes] == [field]


def test_term_edit_explained_by_a_new_amendment(repo):
    text = sub(BASE_TEXT, "weekly users.\n    summary", "weekly users\n    summary")
    text = amend(text, "    topics: [users]\n    status: open", "quote", "Dropped the full stop.")
    d = head_diff(repo, text)
    [flag] = d.flags
    assert flag.explained_by == "amendment on 2026-01-01: Dropped the full stop."
    assert [c.field for c in d.edited[0].changes] == ["quote", "amendments"]


def test_amendment_for_another_field_or_already_in_base_does_not_explain(repo):
    text = amend(BASE_TEXT, "    topics: [users]\n    status: open", "quote")
    commit(repo, text, "amendment in base")
    text = sub(text, "weekly users.\n    summary", "weekly users\n    summary")
    text = sub(text, "said_on: 2024-11-01\n    quote: ChatGPT", "said_on: 2024-10-31\n    quote: ChatGPT")
    text = sub(text, "        reason: A recorded reason.", "        reason: A recorded reason.\n"
                                                           '      - "on": 2026-01-02\n        fields: [said_on]\n'
                                                           "        reason: The day was wrong.")
    d = head_diff(repo, text)
    assert [(f.field, f.explained_by) for f in d.flags] == [
        ("quote", None),
        ("said_on", "amendment on 2026-01-02: The day was wrong."),
    ]


def test_id_change_is_not_an_add_and_remove(repo):
    d = head_diff(repo, sub(BASE_TEXT, "id: users-800m", "id: users-weekly"))
    assert d.added == [] and d.removed == [] and d.edited == []
    assert [(c.old_id, c.new_id) for c in d.id_changes] == [("users-800m", "users-weekly")]
    assert [(f.kind, f.entry_id, f.explained) for f in d.flags] == [("id-change", "users-weekly", False)]


def test_id_change_explained_by_an_amendment_on_the_new_entry(repo):
    text = sub(BASE_TEXT, "id: users-800m", "id: users-weekly")
    text = amend(text, "    topics: [users]\n    status: open", "id", "Clearer id.")
    d = head_diff(repo, text)
    assert [(f.kind, f.explained_by) for f in d.flags] == [("id-change", "amendment on 2026-01-01: Clearer id.")]


def test_other_edit_is_listed_but_not_flagged(repo):
    d = head_diff(repo, sub(BASE_TEXT, "weekly users.\n    topics", "weekly active users.\n    topics"))
    [edit] = d.edited
    assert [(c.field, c.old, c.new) for c in edit.changes] == [
        ("summary", "Altman says ChatGPT has 800 million weekly users.",
         "Altman says ChatGPT has 800 million weekly active users.")
    ]
    assert d.flags == []


def test_quoting_a_value_is_not_a_change(repo):
    text = sub(BASE_TEXT, "deadline: 2025\n    deadline_text: 2025年", 'deadline: "2025"\n    deadline_text: 2025年')
    text = sub(text, "said_on: 2024-11-01\n    quote: ChatGPT", 'said_on: "2024-11-01"\n    quote: ChatGPT')
    d = head_diff(repo, text)
    assert not d.changed and d.flags == []


# --- edge cases ------------------------------------------------------------------------------------


def test_identical_sides(repo):
    d = head_diff(repo, BASE_TEXT)
    assert not d.changed and d.problems == []
    assert to_markdown(d, "main", "HEAD") == "## Ledger changes: main → HEAD\n\nNo changes to the ledger.\n"


def test_base_without_claims_yaml(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    (repo / "README.md").write_text("ledger\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "start")
    commit(repo, BASE_TEXT, "add the ledger")
    assert read_at(repo, "HEAD~1", "claims.yaml") is None
    d = diff_revisions(repo, "HEAD~1", "HEAD")
    assert d.base_missing and [e["id"] for e in d.added] == [
        "agents-2025", "compute-triple", "models-q1", "science-two-years", "users-800m"
    ]
    assert "There is no ledger at HEAD\\~1: every entry is new." in to_markdown(d, "HEAD~1", "HEAD")


def test_head_that_does_not_parse_is_reported_with_its_place(repo):
    d = head_diff(repo, sub(BASE_TEXT, "topics: [users]", "topics: [users"))
    assert d.base_problems == [] and not d.changed
    [problem] = d.head_problems
    assert (problem.path, problem.code) == ("claims.yaml", "yaml-syntax")
    assert problem.line > 70
    md = to_markdown(d, "main", "HEAD")
    assert "❌ The ledger at head (HEAD) cannot be read" in md
    assert f"claims.yaml:{problem.line}:{problem.column}: [error]" in md


def test_base_with_a_duplicate_id_is_reported(repo):
    commit(repo, BASE_TEXT.replace("id: compute-triple", "id: agents-2025"), "broken base")
    d = head_diff(repo, BASE_TEXT)
    assert [p.code for p in d.base_problems] == ["duplicate-id"] and d.head_problems == []
    assert "❌ The ledger at base" in to_markdown(d, "main", "HEAD")


# --- Markdown --------------------------------------------------------------------------------------


def rich_head() -> str:
    text = resolve(BASE_TEXT, "agents-2025", "correct", dt.date(2025, 12, 20),
                   EvidenceItem("report", "https://example.org/agents", "Agents | shipped.", "Example *News*",
                                dt.date(2025, 12, 19)))
    text = sub(text, "status: correct\n    resolved_on: 2025-12-16", "status: wrong\n    resolved_on: 2025-12-16")
    text = sub(text, "    status: wrong\n    resolved_on: 2025-12-16\n    evidence:\n      - type: report", "    status: open\n    evidence:\n      - type: report")
    text = sub(text, "deadline: within 2 years", "deadline: within 3 years")
    text = amend(text, "    related: [agents-2025]", "deadline", "The transcript says three years.")
    text = sub(text, "We will triple compute again next year\n", "We will triple compute again next year, and then again\n")
    text = sub(text, USERS, "") + NEW_ENTRY + '\nremoved:\n  - id: users-800m\n    "on": 2026-01-01\n    reason: Not checkable.\n'
    return text


def test_golden_markdown(repo):
    d = head_diff(repo, rich_head())
    md = to_markdown(d, "main (abc1234)", "feature (def5678)")
    assert md == GOLDEN.read_text(encoding="utf-8")
    assert md == to_markdown(compare(BASE_TEXT.encode(), rich_head().encode()), "main (abc1234)", "feature (def5678)")


# --- criteria: written before the verdict, never moved beside it -----------------------------------

CRITERIA = "    criteria: Correct if the company's compute at the end of 2025"


def strict_diff(repo: Path, capsys) -> tuple[int, str]:
    from ledger.cli import main

    code = main(["diff", "HEAD~1", "HEAD", "--ledger", str(repo / "claims.yaml"), "--strict"])
    return code, capsys.readouterr().out


def test_criteria_changed_on_a_resolved_entry_fails_strict(repo, capsys):
    head_diff(repo, sub(BASE_TEXT, CRITERIA, "    criteria: Correct if compute at the end of 2025 merely grew"))
    code, out = strict_diff(repo, capsys)
    assert code == 1
    assert "❌ `compute-triple`: `criteria` changed on an entry resolved as `correct`; **not explained**" in out


def test_criteria_changed_with_an_amendment_passes_strict(repo, capsys):
    text = sub(BASE_TEXT, CRITERIA, "    criteria: Correct if compute at the end of 2025 merely grew")
    text = amend(text, "        note: The company's year-end filing puts compute at 3.1 times the 2024 level.",
                 "criteria", "The first criteria misread 翻三倍 as a target for the year.")
    d = head_diff(repo, text)
    assert [(f.kind, f.field, f.explained) for f in d.flags] == [("criteria-edit", "criteria", True)]
    code, out = strict_diff(repo, capsys)
    assert code == 0 and "✅ `compute-triple`: `criteria` changed" in out


def test_criteria_written_with_the_verdict_is_flagged(repo):
    text = sub(BASE_TEXT, "    deadline: within 2 years\n    deadline_text: 两年内\n    confidence: 0.7\n    status: open\n",
               "    deadline: within 2 years\n    deadline_text: 两年内\n    criteria: Correct if a discovery is made.\n"
               "    confidence: 0.7\n    status: wrong\n    resolved_on: 2026-11-02\n    evidence:\n"
               "      - type: primary\n        url: https://example.org/none\n        publisher: Example\n"
               "        published_on: 2026-11-02\n        note: No discovery.\n")
    d = head_diff(repo, text)
    assert [(f.kind, f.message) for f in d.flags] == [
        ("criteria-edit", "`criteria` written in the same change as its verdict")]


def test_criteria_added_to_an_open_entry_is_not_flagged(repo):
    text = sub(BASE_TEXT, "    deadline_text: 两年内\n", "    deadline_text: 两年内\n    criteria: Correct if a discovery is made.\n")
    d = head_diff(repo, text)
    assert d.flags == [] and [(e.id, [c.field for c in e.changes]) for e in d.edited] == [
        ("science-two-years", ["criteria"])]


def test_score_line_counts_predictions_only(repo):
    # users-800m is a claim: resolving it changes the counts, not the predictions' hit rate.
    text = sub(BASE_TEXT, "    topics: [users]\n    status: open\n",
               "    topics: [users]\n    status: correct\n    resolved_on: 2025-01-01\n    evidence:\n"
               "      - type: primary\n        url: https://example.org/users\n        publisher: Example\n"
               "        published_on: 2025-01-01\n        note: 800 million weekly users.\n")
    d = head_diff(repo, text)
    assert (d.before.hit_rate, d.after.hit_rate, d.after.scored) == (0.5, 0.5, 2)
    assert d.after.counts["correct"] == 2


# --- sides of any shape, invalid sides, renames ------------------------------------------------------

ODD = ["[just-a-string]", "just-a-string", "[[1, 2]]", "{a: 1}", "[]", "3", "[null]", "[{note: [1]}]",
       "[{url: [1], publisher: {a: 1}}]"]


@pytest.mark.parametrize("status", ["correct", "[correct]", "{a: b}", "7", "null"])
@pytest.mark.parametrize("evidence", ODD)
def test_sides_of_any_shape_are_compared(status, evidence):
    base = sub(BASE_TEXT, "status: open", f"evidence: {ODD[0]}\n    status: open")
    head = sub(BASE_TEXT, "status: open", f"status: {status}\n    resolved_on: 2026-01-01\n    evidence: {evidence}")
    d = compare(base.encode(), head.encode())
    assert not d.problems and d.head_invalid
    markdown = to_markdown(d, "base", "head")
    assert "does not validate" in markdown and "Scores" in markdown


def test_an_invalid_head_is_located_and_fails(repo, capsys):
    from ledger.cli import main

    commit(repo, sub(BASE_TEXT, "status: open", "status: open\n    evidence: [just-a-string]"))
    code = main(["diff", "HEAD~1", "HEAD", "--ledger", str(repo / "claims.yaml")])
    out = capsys.readouterr().out
    assert code == 1
    line = 1 + BASE_TEXT[: BASE_TEXT.index("status: open")].count("\n") + 1
    assert f"claims.yaml:{line}:16: [error] evidence must be a mapping, not 'just-a-string' (bad-type)" in out


def test_a_renamed_ledger_is_followed(repo):
    git(repo, "mv", "claims.yaml", "ledger.yaml")
    (repo / "ledger.yaml").write_text(sub(BASE_TEXT, "status: open", "status: open\n    checked_on: 2026-01-01"), encoding="utf-8")
    for head in (None, "HEAD"):
        if head:
            git(repo, "commit", "-qam", "rename")
        d = diff_revisions(repo, "HEAD~1" if head else "HEAD", head, "ledger.yaml")
        assert d.renamed == ("claims.yaml", "ledger.yaml") and not d.added and len(d.edited) == 1
        assert "renamed from `claims.yaml` to `ledger.yaml`" in to_markdown(d, "b", "h")
    # Asked for by its old name, the diff follows it forward.
    d = diff_revisions(repo, "HEAD~1", "HEAD", "claims.yaml")
    assert d.renamed == ("claims.yaml", "ledger.yaml") and not d.removed and len(d.edited) == 1


def test_evidence_changes_are_shown_item_by_item():
    removed = """      - type: primary
        url: https://example.org/compute-2025
        publisher: Example Corp
        published_on: 2025-12-10
        note: The company's year-end filing puts compute at 3.1 times the 2024 level.
"""
    text = sub(BASE_TEXT, removed, "")
    text = sub(text, "note: The speaker's own word, which is weak evidence.", "note: The speaker's own word, weak evidence.")
    text = sub(text, "        note: Dates the launch to April as well.\n",
               "        note: Dates the launch to April as well.\n      - type: report\n        url: https://example.org/third\n"
               "        publisher: Third\n        published_on: 2026-01-02\n        note: A third report.\n")
    md = to_markdown(compare(BASE_TEXT.encode(), text.encode()), "b", "h")
    assert ("  - evidence removed: `primary` Example Corp, 2025-12-10: <https://example.org/compute-2025> — The "
            "company's year-end filing puts compute at 3.1 times the 2024 level.") in md
    assert "  - evidence changed: `speaker` `later-2025`: “We did triple our compute this year, as we said we would.” — " \
           "The speaker's own word, which is weak evidence. → `speaker` `later-2025`: " in md
    assert "  - evidence added: `report` Third, 2026-01-02: <https://example.org/third> — A third report." in md


def test_changes_to_the_sources_are_summarised(repo):
    sources = repo / "seeds" / "sources.yaml"
    text = sources.read_text(encoding="utf-8")
    first_title = next(line for line in text.splitlines() if line.strip().startswith("title:"))
    sources.write_text(text.replace(first_title, "    title: A better title", 1) + """  - id: added-2026
    file: added.txt
    sha256: 0000000000000000000000000000000000000000000000000000000000000000
    title: Added
    language: en
    speakers: [Sam Altman]
""", encoding="utf-8")
    d = diff_revisions(repo, "HEAD", None)
    assert d.changed and d.sources == [("added-2026", "added", ()), ("talk-2024", "changed", ("title",))]
    md = to_markdown(d, "HEAD", "working tree")
    assert "**2 sources changed**" in md and "- `added-2026` added" in md and "- `talk-2024`: `title` changed" in md
