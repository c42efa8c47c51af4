"""Sentences of archived sources: splitting, speaker labels, find, and the closest-passage hint."""

import pytest

from conftest import FIXTURES, ROOT
from ledger import passages
from ledger.sources import normalise, normalise_mapped

SEEDS = ROOT / "seeds"
TALK = (FIXTURES / "seeds" / "talk.txt").read_text(encoding="utf-8")


def _seed(name: str) -> str:
    return (SEEDS / name).read_text(encoding="utf-8")


@pytest.mark.parametrize("text", [
    "網(wǎng)易首頁，  他說:\n我们会在\n明年发布。",
    "ＧＰＴ－５（ｈｉｇｈ） ｶﾞ e\u0301 \u1100\u1161\u11a8x",
    "  leading\t\tand trailing  \n",
    TALK,
])
def test_mapped_normalisation_is_the_quote_rule(text):
    mapped = normalise_mapped(text)
    assert mapped.text == normalise(text)
    assert len(mapped.starts) == len(mapped.ends) == len(mapped.text)


@pytest.mark.parametrize("path", sorted(SEEDS.glob("*.txt")), ids=lambda p: p.name)
def test_mapped_normalisation_of_every_real_source(path):
    text = path.read_text(encoding="utf-8")
    assert normalise_mapped(text).text == normalise(text)


def test_mapping_leads_back_to_the_original_characters():
    text = "他說:網(wǎng)易，\n很好。"
    mapped = normalise_mapped(text)
    at = mapped.text.index("易, 很")
    start, end = mapped.original(at, at + 4)
    assert text[start:end] == "易，\n很"


def test_sentences_split_at_end_punctuation_and_keep_the_original_text():
    found = passages.sentences(TALK)
    texts = [s.text for s in found]
    assert "我认为2025年将是AI代理真正开始为人们工作的一年。" in texts
    # Wrapped English stays one sentence, and its line break is a space.
    assert "We will triple compute again next year, and then again the year after." in texts
    # Speaker labels are not part of the sentence.
    assert "你觉得明年会怎样？" in texts
    assert [s.line for s in found if s.text.startswith("We will")] == [4]


def test_a_script_of_unpunctuated_lines_is_a_sentence_a_line():
    text = _seed("003_d74ec53154f51464.txt")
    assert passages.sentences(text)[1].text == "最近OpenAI的热度不小"


def test_a_paragraph_wrapped_across_lines_is_joined():
    # 001 separates paragraphs by blank lines and wraps inside them: "像 O1\n这样的较小模型".
    found = passages.find(_seed("001_7ad330722fb8ba49.txt"), "这样的较小模型")
    assert [(s.line, s.text) for s in found] == [(43, "未来，OpenAI 的焦点会是像 O1 这样的较小模型，还是更大的模型？")]


def test_labels_recur_and_a_label_alone_on_its_line_counts():
    text = _seed("001_7ad330722fb8ba49.txt")
    lines = text.split("\n")
    assert passages.speaker_label(text, 47) == "Sam Altman"  # `**Sam Altman：` on line 46, words on 47
    assert passages.speaker_label(text, 43) == "主持人"
    assert passages.speaker_label(text, 39) == "嘉宾Sam Altman"
    assert lines[45].startswith("**Sam Altman")
    found = passages.find(text, "我们希望全面改进")
    assert found[0].text == "我们希望全面改进，但我们特别重视推理模型的发展。"


def test_find_on_a_real_source_gives_the_verbatim_sentence_and_its_line():
    text = _seed("004_9dfb21377327b351.txt")
    found = passages.find(text, "先说红色警报")  # no match: Simplified for a Traditional source
    assert found == []
    found = passages.find(text, "先說“紅色警報”這件事吧")
    assert [(s.line, s.text) for s in found] == [(36, "先說“紅色警報(bào)”這件事吧。")]
    # Every sentence found matches under the quote rule, so it can be pasted as a quote.
    archive_text = normalise(text)
    assert all(normalise(s.text) in archive_text for s in found)


def test_find_in_the_tokyo_transcript_keeps_full_width_punctuation():
    text = _seed("002_268fc395df3c77a6.txt")
    found = passages.find(text, "今年是 代理(agent) 的原年")
    assert len(found) == 0  # the source has quotation marks around 代理(agent)
    found = passages.find(text, "的原年")
    assert [s.line for s in found] == [62]
    assert found[0].text.startswith("今年是‘代理(agent)’的原年")


def test_every_quote_in_the_ledger_is_found_by_its_own_words():
    import yaml

    sources = {s["id"]: s["file"] for s in yaml.safe_load((SEEDS / "sources.yaml").read_text())["sources"]}
    entries = yaml.safe_load((ROOT / "claims.yaml").read_text(encoding="utf-8"))["entries"]
    texts = {k: _seed(v) for k, v in sources.items()}
    for entry in entries[:40]:
        found = passages.find(texts[entry["source"]], entry["quote"])
        assert found, entry["id"]
        assert all(normalise(entry["quote"]) in normalise(s.text) for s in found), entry["id"]


def test_nearest_gives_the_whole_sentence_as_the_file_has_it():
    near = passages.nearest(TALK, "我們會在明年第二季度發布新模型")
    assert near is not None
    assert near.passage == "我們會在明年第一季度發布新模型，網(wǎng)友會喜歡。"
    assert 0.9 < near.similarity < 1


def test_nearest_in_a_wall_of_text_stays_short():
    text = "字" * 5000 + "我们明年会发布新模型" + "字" * 5000
    near = passages.nearest(text, "我们后年会发布新模型")
    assert near is not None and len(near.passage) <= 2 * passages.MAX_HINT


def test_paste_form_joins_lines_the_way_quotes_match():
    assert passages.paste_form("我们会在\n  明年发布") == "我们会在明年发布"
    assert passages.paste_form("we will\n  triple") == "we will triple"
    assert passages.paste_form("像 O1\n这样") == "像 O1 这样"
