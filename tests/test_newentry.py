"""ledger new: the draft read from a source, and --append keeping every other byte of claims.yaml."""

import shutil

import pytest
import yaml

from conftest import ROOT
from ledger import newentry
from ledger.cli import main


@pytest.fixture
def repo(tmp_path):
    shutil.copytree(ROOT / "seeds", tmp_path / "seeds")
    shutil.copy(ROOT / "claims.yaml", tmp_path / "claims.yaml")
    return tmp_path


def _new(repo, *args):
    # The real ledger, as it stands: checked no earlier than its latest check, whatever day that is.
    return main(["new", "--ledger", str(repo / "claims.yaml"), "--as-of", "today", *args])


def test_draft_from_a_labelled_transcript_line(repo, capsys):
    assert _new(repo, "--source", "20vc-devday-london-2024", "--quote", "我们希望全面改进") == 0
    out = capsys.readouterr().out
    assert "    quote: 我们希望全面改进，但我们特别重视推理模型的发展。  # line 47\n" in out
    assert "    speaker: Sam Altman  # from the transcript label 'Sam Altman'\n" in out
    assert "    said_on: 2024-11-04\n    said_on_approximate: true" in out
    assert "    kind: prediction  # guessed from '希望'\n" in out
    assert "  - id: devday24-line47  # suggested" in out


def test_label_read_through_the_registry_or_earlier_entries_and_a_deadline(repo, capsys):
    # 孙正义 is none of the source's speaker names: seeds/speakers.yaml says whose other name it is...
    assert _new(repo, "--source", "son-altman-tokyo-2025", "--quote", "Sam,谢谢你") == 0
    assert ("speaker: Masayoshi Son  # from the transcript label '孙正义', another name of 'Masayoshi Son' in "
            "seeds/speakers.yaml") in capsys.readouterr().out
    # ...and without the registry, the source's earlier entries read it as Masayoshi Son.
    (repo / "seeds" / "speakers.yaml").unlink()
    assert _new(repo, "--source", "son-altman-tokyo-2025", "--quote", "Sam,谢谢你") == 0
    assert "speaker: Masayoshi Son  # from the transcript label '孙正义', as earlier entries" in capsys.readouterr().out
    assert _new(repo, "--source", "big-technology-2025-12", "--quote", "明年 Q1") == 0
    out = capsys.readouterr().out
    assert "    deadline: 2026-Q1\n    deadline_text: 在明年 Q1\n" in out
    assert "    speaker:  # FILL IN: no speaker label above this line\n" in out


def test_append_keeps_every_other_byte_and_validates(repo, capsys):
    before = (repo / "claims.yaml").read_bytes()
    assert _new(repo, "--source", "20vc-devday-london-2024", "--quote", "我们希望全面改进", "--append",
                "--summary", "Altman says OpenAI improves across the board, reasoning models first.",
                "--topic", "models") == 0
    after = (repo / "claims.yaml").read_bytes()
    at = before.index(b"\nremoved:")
    # The new entry is the only thing inserted, before the blank line above `removed:`.
    assert after.startswith(before[:at]) and after.endswith(before[at:])
    inserted = after[at : len(after) - len(before) + at].decode()
    assert inserted.startswith("\n  - id: devday24-line47\n") and "#" not in inserted
    data = yaml.safe_load(after)
    assert data["entries"][-1]["quote"] == "我们希望全面改进，但我们特别重视推理模型的发展。"
    assert main(["validate", str(repo / "claims.yaml"), "--as-of", "today"]) == 0


def test_append_refused_while_fields_are_unfilled(repo, capsys):
    before = (repo / "claims.yaml").read_bytes()
    assert _new(repo, "--source", "20vc-devday-london-2024", "--quote", "我们希望全面改进", "--append") == 1
    out = capsys.readouterr().out
    assert "summary must be a string" in out and "topics needs at least one item" in out
    assert (repo / "claims.yaml").read_bytes() == before


def test_ids_are_unique_and_follow_the_source_prefix():
    entries = [{"id": "tokyo25-a", "source": "s"}, {"id": "tokyo25-gpt-5", "source": "s"}]
    taken = {"tokyo25-a", "tokyo25-gpt-5"}
    assert newentry.suggest_id("s", 2025, "GPT-5 会很好", 3, entries, taken) == "tokyo25-gpt-5-2"
    assert newentry.suggest_id("roe-interview", 2026, "我们会", 9, [], set()) == "roe26-line9"


def test_several_sentences_need_words_to_choose(repo, capsys):
    assert _new(repo, "--source", "son-altman-tokyo-2025", "--line", "62") == 1
    assert "2 sentences match" in capsys.readouterr().err


def test_appended_at_the_end_when_entries_is_the_last_key():
    assert newentry.appended("entries:\n  - id: a\n", "  - id: b\n") == "entries:\n  - id: a\n\n  - id: b\n"
    crlf = newentry.appended("entries:\r\n  - id: a\r\nremoved: []\r\n", "  - id: b\n")
    assert crlf == "entries:\r\n  - id: a\r\n\r\n  - id: b\r\nremoved: []\r\n"
