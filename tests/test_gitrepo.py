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
