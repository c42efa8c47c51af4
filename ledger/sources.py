"""Archived source documents: their checksums, their text, and finding quotes in them."""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass
from typing import Optional

_HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# Some archived pages print the pinyin after each traditional character: 網(wǎng). One syllable is at
# most six letters and carries a tone mark, which keeps English glosses such as 代理(agent) in the text.
_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ"
_PINYIN = f"a-zü{_TONED}"
_RUBY = re.compile(rf"(?<=[{_HAN}])\((?=[{_PINYIN}]{{1,6}}\))[{_PINYIN}]*[{_TONED}][{_PINYIN}]*\)")
_CJK = rf"\u3000-\u303f{_HAN}\uff00-\uffef"
_SPACE = re.compile(r"\s+")
# A line break inside Chinese text is a wrap, not a space.
_GAP = re.compile(rf"(?<=[{_CJK}]) (?=[{_CJK}])")


def normalise(text: str) -> str:
    """The form in which quotes are compared: no ruby, NFKC, one space for any whitespace, none between CJK."""
    text = _RUBY.sub("", text)
    text = unicodedata.normalize("NFKC", text)
    text = _SPACE.sub(" ", text)
    return _GAP.sub("", text).strip()


PROBE = 300


@dataclass(frozen=True)
class Near:
    """The passage of a source closest to a quote that is not in it."""

    passage: str
    similarity: float


def closest(quote: str, text: str) -> Optional[Near]:
    """The passage of normalised `text` most like normalised `quote`, by difflib's ratio."""
    if not quote or not text:
        return None
    # difflib is quadratic in the worst case: the search looks at the quote's opening words only, so a long
    # (or hostile) quote costs no more than a sentence. A hint needs only where the passage starts.
    quote = quote[:PROBE]
    matcher = difflib.SequenceMatcher(None, text, quote, autojunk=False)
    best: Optional[Near] = None
    # Anchor candidate windows on the longest shared runs, then score each whole window.
    for block in sorted(matcher.get_matching_blocks(), key=lambda b: -b.size)[:8]:
        if block.size == 0:
            continue
        start = max(0, block.a - block.b)
        passage = text[start : start + len(quote)]
        ratio = difflib.SequenceMatcher(None, passage, quote, autojunk=False).ratio()
        if best is None or ratio > best.similarity:
            best = Near(passage, ratio)
    return best


class Archive:
    """Normalised source texts, read once each."""

    def __init__(self) -> None:
        self._texts: dict[str, str] = {}

    def add(self, source_id: str, text: str) -> None:
        """Register the text of a source."""
        self._texts[source_id] = normalise(text)

    def has(self, source_id: str) -> bool:
        """Whether the text of this source is known."""
        return source_id in self._texts

    def contains(self, source_id: str, quote: str) -> bool:
        """Whether the quote occurs in the source under the matching rule."""
        return normalise(quote) in self._texts[source_id]

    def nearest(self, source_id: str, quote: str) -> Optional[Near]:
        """The closest passage of the source to a quote that does not occur in it."""
        return closest(normalise(quote), self._texts[source_id])
