"""ledger add-source: the archived copy, its hash, the stub appended to sources.yaml, and refusals."""

import hashlib
import shutil

import pytest

from conftest import ROOT
from ledger.addsource import archive_name, detect_language
from ledger.cli import main


@pytest.fixture
def repo(tmp_path):
    (tmp_path / "seeds").mkdir()
    for path in (ROOT / "seeds").iterdir():
        shutil.copy(path, tmp_path / "seeds" / path.name)
    shutil.copy(ROOT / "claims.yaml", tmp_path / "claims.yaml")
    return tmp_path


DOC = "Interview with Jane Roe\n\nHost: What next?\nJane Roe: We will ship a new model next year.\n".encode()


def _add(repo, doc, *extra):
    path = repo / "roe.txt"
    path.write_bytes(doc)
    return main(["add-source", str(path), "--sources", str(repo / "seeds" / "sources.yaml"), *extra])


def test_copy_is_byte_identical_and_the_list_only_grows(repo, capsys):
    before = (repo / "seeds" / "sources.yaml").read_bytes()
    assert _add(repo, DOC, "--id", "roe-2026", "--event-date", "2026-03-03", "--speaker", "Jane Roe") == 0
    digest = hashlib.sha256(DOC).hexdigest()
    copy = repo / "seeds" / f"005_{digest[:16]}.txt"
    assert copy.read_bytes() == DOC
    after = (repo / "seeds" / "sources.yaml").read_bytes()
    assert after.startswith(before)
    added = after[len(before):].decode()
    assert f"sha256: {digest}" in added and "file: 005_" in added and "speakers: [Jane Roe]" in added
    assert "language: en  # detected" in added
    out = capsys.readouterr().out
    # The title is still to fill: validate flags it, and nothing else.
    assert out.count("\n") == 1 and "title must be a string" in out


def test_validate_flags_the_fields_left_to_fill(repo, capsys):
    assert _add(repo, DOC, "--id", "roe-2026") == 0
    capsys.readouterr()
    assert main(["validate", str(repo / "claims.yaml"), "--as-of", "2026-11-23"]) == 1
    out = capsys.readouterr().out
    assert "(bad-type)" in out and "speakers needs at least one item (empty-field)" in out


def test_refuses_a_file_already_archived(repo, capsys):
    existing = (ROOT / "seeds" / "002_268fc395df3c77a6.txt").read_bytes()
    before = (repo / "seeds" / "sources.yaml").read_bytes()
    assert _add(repo, existing, "--id", "again") == 1
    assert "already archived, byte for byte, as source 'son-altman-tokyo-2025'" in capsys.readouterr().err
    assert (repo / "seeds" / "sources.yaml").read_bytes() == before
    assert sorted(p.name for p in (repo / "seeds").iterdir()) == sorted(p.name for p in (ROOT / "seeds").iterdir())


def test_refuses_an_id_taken_and_a_bad_id(repo, capsys):
    before = (repo / "seeds" / "sources.yaml").read_bytes()
    assert _add(repo, DOC, "--id", "big-technology-2025-12") == 1
    assert "already taken" in capsys.readouterr().err
    assert _add(repo, DOC, "--id", "Not A Slug") == 1
    assert "lowercase slug" in capsys.readouterr().err
    assert (repo / "seeds" / "sources.yaml").read_bytes() == before
    assert sorted(p.name for p in (repo / "seeds").iterdir()) == sorted(p.name for p in (ROOT / "seeds").iterdir())


def test_refuses_text_that_is_not_utf8(repo, capsys):
    assert _add(repo, "你好".encode("gb18030"), "--id", "gbk") == 1
    assert "not UTF-8" in capsys.readouterr().err


@pytest.mark.parametrize(("name", "code"), [
    ("000_247029f88bd06639.txt", "zh-Hans"),
    ("001_7ad330722fb8ba49.txt", "zh-Hans"),
    ("002_268fc395df3c77a6.txt", "zh-Hans"),
    ("003_d74ec53154f51464.txt", "zh-Hans"),
    ("004_9dfb21377327b351.txt", "zh-Hant"),
])
def test_language_of_the_real_sources(name, code):
    assert detect_language((ROOT / "seeds" / name).read_text(encoding="utf-8")).code == code


def test_language_of_english_and_short_texts():
    assert detect_language("We will triple compute next year.").code == "en"
    assert detect_language("我們會在明年發布新模型，這個時候會說").code == "zh-Hant"
    assert detect_language("我们会在明年发布新模型，这个时候会说").code == "zh-Hans"


def test_archive_name_follows_the_numbering(tmp_path):
    (tmp_path / "007_abc.txt").write_text("x")
    (tmp_path / "sources.yaml").write_text("")
    assert archive_name(tmp_path, "f" * 64, ".TXT") == "008_ffffffffffffffff.txt"
    assert archive_name(tmp_path, "0" * 64, ".weird suffix") == "008_0000000000000000.txt"


def test_new_speakers_are_registered_and_another_name_of_a_known_one_refused(repo, capsys):
    registry = repo / "seeds" / "speakers.yaml"
    before = registry.read_bytes()
    assert _add(repo, DOC, "--id", "roe-2026", "--title", "T", "--speaker", "Jane Roe", "--speaker", "Sam Altman") == 0
    assert registry.read_bytes() == before + b"  - name: Jane Roe\n"  # Sam Altman is registered already
    assert "added Jane Roe to" in capsys.readouterr().err
    sources = (repo / "seeds" / "sources.yaml").read_bytes()
    assert _add(repo, DOC + b"more", "--id", "roe-2027", "--title", "T", "--speaker", "孙正义") == 1
    assert "'孙正义' is another name of 'Masayoshi Son' in seeds/speakers.yaml" in capsys.readouterr().err
    assert (repo / "seeds" / "sources.yaml").read_bytes() == sources
    assert registry.read_bytes() == before + b"  - name: Jane Roe\n"
