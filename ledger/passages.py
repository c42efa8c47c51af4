"""Sentences of an archived source as the file has them: splitting, speaker labels, and finding a phrase."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Optional

from ledger.sources import Mapped, Near, closest, normalise, normalise_mapped

_CLOSERS = "”’」』）)\\]】\"'》"
# A sentence ends at Chinese or full-width end punctuation, or at ASCII ! ? . followed by a space, a line end or
# (for ! and ?) Chinese text; an ASCII ? inside a URL ("s?__biz=") does not end one.
_END = re.compile(rf"[。！？．]+[{_CLOSERS}]*|[!?]+[{_CLOSERS}]*(?![A-Za-z0-9_=&%/.-])|\.[{_CLOSERS}]*(?=\s|$)")
# A transcript's speaker label at the start of a line: `孙正义:`, `  Sam Altman:`, `**主持人：**`.
_LABEL = re.compile(r"[ \t\u3000]*\**([^\s*:：，,。！？!?#>|\[(（][^:：，,。！？!?\n]{0,24}?)\**[ \t]*[:：][ \t]*\**[ \t]*")
# A line break between English words or figures is a wrap inside a sentence, not its end.
_WRAP_BEFORE = re.compile(r"[A-Za-z0-9,;:\-–]$")
_WRAP_AFTER = re.compile(r"^[A-Za-z0-9(]")
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
_LINE_BREAK_SPACE = re.compile(r"[ \t\u3000]*\n\s*")
MAX_HINT = 400  # characters of a closest-passage hint, at most, around the passage itself


@dataclass(frozen=True)
class Sentence:
    """One sentence: where it stands in the file (offsets, 1-based line) and its text ready to paste."""

    start: int
    end: int
    line: int
    text: str


def paste_form(raw: str) -> str:
    """Text of the file as one line: a line break becomes a space, or nothing inside Chinese text.

    Quote matching reads a line break as a space and drops a space between CJK characters, so the result
    matches exactly where the file's text does.
    """

    def join(m: re.Match[str]) -> str:
        before, after = raw[m.start() - 1 : m.start()], raw[m.end() : m.end() + 1]
        return "" if _CJK.match(before) and _CJK.match(after) else " "

    return _LINE_BREAK_SPACE.sub(join, raw).strip()


def labels(text: str) -> dict[int, tuple[str, int]]:
    """Transcript speaker labels: {0-based line: (label, offset where the words after it begin)}.

    Only a label that opens at least two lines counts, so a sentence that happens to end in a colon is no label.
    """
    found: dict[int, tuple[str, int]] = {}
    offset = 0
    lines = text.split("\n")
    for number, line in enumerate(lines):
        m = _LABEL.match(line)
        if m:
            end = offset + m.end()
            if m.end() >= len(line.rstrip()) and number + 1 < len(lines):
                # `**Sam Altman：` alone on its line: the words (after any `**`) start on the next one.
                following = lines[number + 1]
                end = offset + len(line) + 1 + len(following) - len(following.lstrip(" \t*"))
            found[number] = (m.group(1).strip(), end)
        offset += len(line) + 1
    counts = Counter(label for label, _ in found.values())
    recurring = {label for label, n in counts.items() if n >= 2}
    # `嘉宾Sam Altman` on a first turn, `Sam Altman` on the others: one speaker.
    return {n: v for n, v in found.items() if any(v[0].endswith(label) for label in recurring)}


def _line_starts(text: str) -> list[int]:
    return [0] + [m.end() for m in re.finditer("\n", text)]


def line_of(starts: list[int], offset: int) -> int:
    """The 1-based line of an offset, given where each line starts."""
    lo, hi = 0, len(starts)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if starts[mid] <= offset:
            lo = mid
        else:
            hi = mid
    return lo + 1


def sentences(text: str) -> list[Sentence]:
    """The sentences of a text in order: split at end punctuation, blank lines, and line ends that are no wrap."""
    cuts = {0, len(text)}
    cuts.update(m.end() for m in _END.finditer(text))
    lines = text.split("\n")
    filled = [i for i, line in enumerate(lines[:-1]) if line.strip()]
    # A document that separates paragraphs by blank lines wraps its lines anywhere: a single line break there
    # is no end. Elsewhere (a transcript with one turn a line, a script with one phrase a line) it is.
    wrapped = len(filled) > 0 and sum(1 for i in filled if not lines[i + 1].strip()) * 3 > len(filled)
    offset = 0
    for i, line in enumerate(lines[:-1]):
        offset += len(line) + 1
        following = lines[i + 1].lstrip()
        wrap = wrapped or (_WRAP_BEFORE.search(line.rstrip()) and _WRAP_AFTER.match(following))
        if not wrap or not following or not line.strip():
            cuts.add(offset)
    labelled = labels(text)
    starts = _line_starts(text)
    for number, (_, after) in labelled.items():
        cuts.update((starts[number], after))  # the label is not part of the sentence
    label_spans = [(starts[n], after) for n, (_, after) in labelled.items()]
    out: list[Sentence] = []
    ordered = sorted(cuts)
    for a, b in zip(ordered, ordered[1:]):
        if any(s <= a and b <= e for s, e in label_spans):
            continue
        raw = text[a:b]
        stripped = raw.strip()
        if not stripped:
            continue
        start = a + len(raw) - len(raw.lstrip())
        end = start + len(stripped)
        out.append(Sentence(start, end, line_of(starts, start), paste_form(stripped)))
    return out


def covering(all_sentences: list[Sentence], start: int, end: int) -> list[Sentence]:
    """The sentences that overlap the span [start, end) of the text."""
    return [s for s in all_sentences if s.start < max(end, start + 1) and s.end > start]


def _merged(text: str, parts: list[Sentence]) -> Sentence:
    first, last = parts[0], parts[-1]
    return Sentence(first.start, last.end, first.line, paste_form(text[first.start : last.end]))


def find(text: str, phrase: str, mapped: Optional[Mapped] = None) -> list[Sentence]:
    """The whole sentences of `text` holding `phrase` under the quote-matching rule, each once, in order."""
    needle = normalise(phrase)
    if not needle:
        return []
    mapped = mapped or normalise_mapped(text)
    all_sentences = sentences(text)
    found: dict[int, Sentence] = {}
    at = mapped.text.find(needle)
    while at >= 0:
        start, end = mapped.original(at, at + len(needle))
        parts = covering(all_sentences, start, end)
        if parts:
            found.setdefault(parts[0].start, _merged(text, parts))
        at = mapped.text.find(needle, at + 1)
    return [found[k] for k in sorted(found)]


def nearest(text: str, quote: str, mapped: Optional[Mapped] = None) -> Optional[Near]:
    """The closest passage to a quote that is not in `text`: its whole sentences as the file has them."""
    mapped = mapped or normalise_mapped(text)
    near = closest(normalise(quote), mapped.text)
    if near is None:
        return None
    start, end = mapped.original(near.start, near.start + len(near.passage))
    parts = covering(sentences(text), start, end)
    if parts and parts[0].start >= start - MAX_HINT and parts[-1].end <= end + MAX_HINT:
        passage = _merged(text, parts).text
    else:  # no sentence ends near it (a wall of unpunctuated text): the passage itself
        passage = paste_form(text[start:end])
    return Near(passage, near.similarity, near.start)


def at_line(text: str, line: int) -> list[Sentence]:
    """The sentences that start on a 1-based line."""
    return [s for s in sentences(text) if s.line == line]


def speaker_label(text: str, line: int) -> Optional[str]:
    """The transcript label of the turn a 1-based line belongs to: the last label at or above it."""
    labelled = labels(text)
    above = [n for n in labelled if n <= line - 1]
    return labelled[max(above)][0] if above else None
