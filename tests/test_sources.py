"""Quote matching: the normalisation rule, the closest passage, and the real archive."""

import pytest

from ledger.sources import Archive, closest, normalise


@pytest.mark.parametrize(("raw", "expected"), [
    # Pinyin ruby after traditional characters is dropped, tone marks and ü included.
    ("網(wǎng)易首頁", "網易首頁"),
    ("紅色警報(bào)和綠(lǜ)色", "紅色警報和綠色"),
    # An English gloss is longer than one syllable, or follows no Han character: kept.
    ("推理(inference)模型", "推理(inference)模型"),
    ("GPT-5(high)", "GPT-5(high)"),
    # NFKC: full-width letters, digits and brackets become their ASCII forms.
    ("ＧＰＴ－５（ｈｉｇｈ）", "GPT-5(high)"),
    # A line break inside Chinese text is a wrap; between English words it is a space.
    ("我们会在\n明年发布", "我们会在明年发布"),
    ("we will\n  triple compute", "we will triple compute"),
    ("  leading and trailing\t", "leading and trailing"),
])
def test_normalise(raw, expected):
    assert normalise(raw) == expected


def test_archive_matches_under_the_rule_and_only_then():
    archive = Archive()
    archive.add("s", "標題\n我們會在明年第一季度發(fā)布新模型，網(wǎng)友會喜歡。\n")
    assert archive.has("s") and not archive.has("other")
    assert archive.contains("s", "我們會在明年第一季度發布新模型,網友會喜歡。")
    assert not archive.contains("s", "我們會在明年第二季度發布新模型")


def test_nearest_passage_points_at_the_typo():
    archive = Archive()
    archive.add("s", "前文。今年是‘代理(agent)’的原年。后文还有很多别的内容。")
    near = archive.nearest("s", "今年是‘代理(agent)’的元年。")
    assert near is not None and near.passage == "今年是‘代理(agent)’的原年。"
    assert 0.9 < near.similarity < 1


def test_closest_of_nothing_is_none():
    assert closest("", "text") is None and closest("quote", "") is None


def test_closest_looks_at_the_opening_of_a_long_quote_only():
    from ledger.sources import PROBE

    text = "".join(f"第{i}句话说的是另一件事。" for i in range(2000))
    quote = text[3000:3100] + "后面是一段根本不在来源里的很长的文字" * 10000
    near = closest(quote, text)
    assert near is not None and len(near.passage) <= PROBE and near.passage.startswith(text[3000:3100])
