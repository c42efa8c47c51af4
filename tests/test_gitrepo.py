"""ledger.gitrepo: the git questions ledger diff asks, in throwaway repositories."""

import pytest

from ledger.gitdiff import diff_revisions
from ledger.gitrepo import SHALLOW, GitError, default_base, read_at
from test_gitdiff import BASE_TEXT, NEW_ENTRY, commit, git, repo, sub  # noqa: F401  (repo is a fixture)


def test_read_at_working_tree_and_missing_file(repo):
    (repo / "claims.yaml").write_text("changed\n")
    assert read_at(repo, None, "claims.yaml") == b"changed\n"
    assert read_at(repo, "HEAD", "claims.yaml") == BASE_TEXT.encode("utf-8")
    assert read_at(repo, None, "nothing.yaml") is None
    assert read_at(repo, "HEAD", "nothing.yaml") is None
    with pytest.raises(GitError, match="is a tree, not a file"):
        read_at(repo, "HEAD", "seeds")


def test_unknown_revision(repo):
    with pytest.raises(GitError, match="unknown revision 'no-such-branch'"):
        read_at(repo, "no-such-branch", "claims.yaml")
    with pytest.raises(GitError, match="unknown revision '--output=x'"):
        read_at(repo, "--output=x", "claims.yaml")


def test_not_a_repository(tmp_path):
    (tmp_path / "claims.yaml").write_text(BASE_TEXT)
    with pytest.raises(GitError, match="is not a git repository"):
        default_base(tmp_path)
    with pytest.raises(GitError, match="is not a git repository"):
        read_at(tmp_path, "HEAD", "claims.yaml")


def test_default_base_is_the_merge_base_with_main(repo):
    fork = git(repo, "rev-parse", "HEAD")
    git(repo, "checkout", "-q", "-b", "feature")
    commit(repo, BASE_TEXT + NEW_ENTRY, "on the branch")
    git(repo, "checkout", "-q", "main")
    commit(repo, sub(BASE_TEXT, "weekly users.\n    topics", "weekly active users.\n    topics"), "on main")
    git(repo, "checkout", "-q", "feature")
    assert default_base(repo) == fork
    d = diff_revisions(repo)
    assert [e["id"] for e in d.added] == ["agents-later"] and d.edited == []


def test_shallow_clone_cannot_find_the_merge_base(repo, tmp_path):
    git(repo, "checkout", "-q", "-b", "feature")
    commit(repo, BASE_TEXT + NEW_ENTRY, "on the branch")
    git(repo, "checkout", "-q", "main")
    commit(repo, BASE_TEXT + "\n", "on main")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", "--no-single-branch", "--branch", "feature", f"file://{repo}", str(clone))
    with pytest.raises(GitError) as err:
        default_base(clone)
    assert str(err.value) == SHALLOW
    assert "git fetch --unshallow" in SHALLOW


# --- the history questions: one log, one cat-file process, files at a revision ----------------------------------


def test_first_parent_log_lists_only_commits_that_changed_the_file(repo):
    from ledger.gitrepo import first_parent_log

    first = git(repo, "rev-parse", "HEAD")
    (repo / "README.md").write_text("not the ledger\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "readme")
    second = commit(repo, BASE_TEXT + NEW_ENTRY, "add")
    log = first_parent_log(repo, "claims.yaml")
    assert [(c.hash, c.time, c.author) for c in log] == [
        (first, "2026-01-01T12:00:00+00:00", "Ledger Test"), (second, "2026-01-01T12:00:00+00:00", "Ledger Test")]
    assert first_parent_log(repo, "nothing.yaml") == []
    with pytest.raises(GitError, match="unknown revision"):
        first_parent_log(repo, "claims.yaml", "no-such-branch")


def test_blob_reader_answers_many_questions_in_one_process(repo):
    from ledger.gitrepo import BlobReader

    head = git(repo, "rev-parse", "HEAD")
    with BlobReader(repo) as blobs:
        sha, data = blobs.read(f"{head}:claims.yaml")
        assert data == BASE_TEXT.encode("utf-8") and sha == git(repo, "rev-parse", f"{head}:claims.yaml")
        assert blobs.read(f"{head}:nothing.yaml") is None
        assert blobs.read(f"{head}:seeds") is None  # a tree, not a file
        assert blobs.read(f"{head}:claims.yaml")[1] == data


def test_export_files_writes_a_revision_without_touching_the_work_tree(repo, tmp_path):
    from ledger.gitrepo import export_files

    old = git(repo, "rev-parse", "HEAD")
    (repo / "seeds" / "link.txt").symlink_to("talk.txt")
    commit(repo, BASE_TEXT + NEW_ENTRY, "add")
    written = export_files(repo, old, ["claims.yaml", "reports/scoreboard.json"], ["seeds"], tmp_path / "out")
    assert written == ["claims.yaml", "seeds/later.txt", "seeds/sources.yaml", "seeds/talk.txt"]
    assert (tmp_path / "out" / "claims.yaml").read_text(encoding="utf-8") == BASE_TEXT
    assert (repo / "claims.yaml").read_text(encoding="utf-8") == BASE_TEXT + NEW_ENTRY
    head = export_files(repo, "HEAD", [], ["seeds"], tmp_path / "head")
    assert "seeds/link.txt" not in head  # a symbolic link could point anywhere: left out
