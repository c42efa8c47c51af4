"""Sentences of a source that look like predictions or checkable claims and that no entry quotes yet."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from ledger import cues, passages
from ledger.sources import normalise, normalise_mapped


@dataclass(frozen=True)
class Measure:
    """How well the cues pick out what curators recorded: listed sentences, those quoted, and entries seen."""

    listed: int
    listed_quoted: int
    quoted: int
    quoted_listed: int


def quoted_spans(text: str, quotes: Iterable[str]) -> list[tuple[int, int]]:
    """Where in the file each quote that occurs in it stands."""
    mapped = normalise_mapped(text)
    spans = []
    for quote in quotes:
        needle = normalise(quote)
        at = mapped.text.find(needle) if needle else -1
        while at >= 0:
            spans.append(mapped.original(at, at + len(needle)))
            at = mapped.text.find(needle, at + 1)
    return spans


def _covered(sentence: passages.Sentence, spans: list[tuple[int, int]]) -> bool:
    return any(start < sentence.end and end > sentence.start for start, end in spans)


def uncovered(text: str, quotes: Iterable[str]) -> list[passages.Sentence]:
    """The sentences that look checkable and overlap no quote, in order."""
    spans = quoted_spans(text, quotes)
    return [s for s in passages.sentences(text) if cues.checkable(s.text) and not _covered(s, spans)]


def measure(text: str, quotes: Iterable[str]) -> Measure:
    """Precision and recall of the cues against the entries a source already has."""
    spans = quoted_spans(text, quotes)
    all_sentences = passages.sentences(text)
    listed = [s for s in all_sentences if cues.checkable(s.text)]
    quoted = [s for s in all_sentences if _covered(s, spans)]
    return Measure(len(listed), sum(1 for s in listed if _covered(s, spans)), len(quoted),
                   sum(1 for s in quoted if cues.checkable(s.text)))
