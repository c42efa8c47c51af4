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


@dataclass(frozen=True)
class Mapped:
    """A normalised text and, for each of its characters, the span of the original text it came from."""

    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def original(self, start: int, end: int) -> tuple[int, int]:
        """The span of the original text that normalised characters [start, end) came from."""
        if start >= end:
            at = self.starts[start] if start < len(self.starts) else (self.ends[-1] if self.ends else 0)
            return at, at
        return self.starts[start], self.ends[end - 1]


_Chars = list[tuple[str, int, int]]  # (normalised character, original start, original end)


def _sub(chars: _Chars, pattern: re.Pattern[str], replacement: str) -> _Chars:
    """`pattern.sub(replacement, ...)` on mapped characters; a replacement maps to the span it replaced."""
    text = "".join(c for c, _, _ in chars)
    out: _Chars = []
    pos = 0
    for m in pattern.finditer(text):
        out.extend(chars[pos : m.start()])
        if replacement and m.end() > m.start():
            out.append((replacement, chars[m.start()][1], chars[m.end() - 1][2]))
        pos = m.end()
    out.extend(chars[pos:])
    return out


def _independent(previous: str, char: str) -> bool:
    """Whether NFKC may treat `char` apart from the text before it (no composition across them)."""
    code = ord(char)
    if code < 0x300 or 0x3400 <= code <= 0x9FFF or 0x3000 <= code <= 0x303F:
        return True  # never the second half of a composition
    if unicodedata.combining(char):
        return False
    pair = previous + char
    return unicodedata.normalize("NFKC", pair) == unicodedata.normalize("NFKC", previous) + unicodedata.normalize(
        "NFKC", char)


def normalise_mapped(text: str) -> Mapped:
    """`normalise(text)` together with where each of its characters stands in `text`."""
    chars: _Chars = _sub([(c, i, i + 1) for i, c in enumerate(text)], _RUBY, "")
    # NFKC cluster by cluster, a cluster being a character and those that compose with it.
    composed: _Chars = []
    i = 0
    while i < len(chars):
        j = i + 1
        cluster = chars[i][0]
        while j < len(chars) and not _independent(cluster, chars[j][0]):
            cluster += chars[j][0]
            j += 1
        start, end = chars[i][1], chars[j - 1][2]
        composed.extend((c, start, end) for c in unicodedata.normalize("NFKC", cluster))
        i = j
    chars = _sub(_sub(composed, _SPACE, " "), _GAP, "")
    while chars and chars[0][0] == " ":
        chars.pop(0)
    while chars and chars[-1][0] == " ":
        chars.pop()
    return Mapped("".join(c for c, _, _ in chars), tuple(s for _, s, _ in chars), tuple(e for _, _, e in chars))


PROBE = 300


@dataclass(frozen=True)
class Near:
    """The passage of a source closest to a quote that is not in it."""

    passage: str
    similarity: float
    start: int = 0  # where the passage starts in the normalised text


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
            best = Near(passage, ratio, start)
    return best


class Archive:
    """Normalised source texts, read once each."""

    def __init__(self) -> None:
        self._texts: dict[str, str] = {}
        self._raw: dict[str, str] = {}
        self._mapped: dict[str, Mapped] = {}

    def add(self, source_id: str, text: str) -> None:
        """Register the text of a source."""
        self._raw[source_id] = text
        self._texts[source_id] = normalise(text)

    def raw(self, source_id: str) -> str:
        """The text of the source as the file has it."""
        return self._raw[source_id]

    def mapped(self, source_id: str) -> Mapped:
        """The normalised text of the source with its offsets in the file; worked out when first needed."""
        if source_id not in self._mapped:
            self._mapped[source_id] = normalise_mapped(self._raw[source_id])
        return self._mapped[source_id]

    def has(self, source_id: str) -> bool:
        """Whether the text of this source is known."""
        return source_id in self._texts

    def contains(self, source_id: str, quote: str) -> bool:
        """Whether the quote occurs in the source under the matching rule."""
        return normalise(quote) in self._texts[source_id]

    def nearest(self, source_id: str, quote: str) -> Optional[Near]:
        """The closest passage of the source to a quote that does not occur in it."""
        return closest(normalise(quote), self._texts[source_id])
