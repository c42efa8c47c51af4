"""A draft entry for claims.yaml from a sentence of a source, and appending it without touching other bytes."""

from __future__ import annotations

import datetime as dt
import difflib
import os
import re
import stat
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from ledger import atomic, cues, load, passages, phrases
from ledger.problem import Problem
from ledger.sources import normalise, normalise_mapped
from ledger.speakers import Registry
from ledger.yamltext import flow_list, scalar

FILL_IN = "FILL IN"
_STOP = {"the", "a", "an", "and", "or", "of", "to", "in", "on", "we", "i", "it", "is", "be", "will", "that", "this",
         "for", "with", "our", "are", "was", "by", "at", "as", "so", "but", "not", "you", "they", "he", "she"}


class NewEntryError(Exception):
    """A draft that cannot be made or appended: no such line, several sentences, an unknown source."""


@dataclass
class Draft:
    """A new entry's fields, with the reason for each guess; None where the curator must fill in."""

    id: str
    kind: str
    kind_reason: str
    speaker: Optional[str]
    speaker_reason: str
    attribution: str
    source: str
    said_on: Optional[dt.date]
    said_on_approximate: bool
    quote: str
    line: int
    summary: Optional[str] = None
    topics: list[str] = field(default_factory=list)
    deadline: Optional[str] = None
    deadline_text: Optional[str] = None


def pick_sentence(text: str, line: Optional[int], quote: Optional[str]) -> passages.Sentence:
    """The one whole sentence named by a line, a phrase in it, or both."""
    if quote:
        found = passages.find(text, quote)
        if line is not None:
            found = [s for s in found if s.line <= line <= s.line + s.text.count("\n") + text[s.start:s.end].count("\n")]
        if not found:
            raise NewEntryError(f"'{quote}' does not occur in the source" + (f" at line {line}" if line else "")
                                + ": `ledger find` shows where words occur")
    elif line is not None:
        found = passages.at_line(text, line)
        if not found:
            raise NewEntryError(f"no sentence starts at line {line}")
    else:
        raise NewEntryError("give --line, --quote, or both")
    if len(found) > 1:
        listing = "; ".join(f"line {s.line}: {s.text[:40]}…" for s in found[:6])
        raise NewEntryError(f"{len(found)} sentences match ({listing}): add --quote with words of the one you mean")
    return found[0]


def _label_speakers(text: str, speakers: list[str], entries: list[Any], source_id: str) -> dict[str, str]:
    """What each transcript label stands for: a speaker's name, or what earlier entries of the source say."""
    mapped = normalise_mapped(text)
    starts = passages._line_starts(text)
    votes: dict[str, Counter[str]] = {}
    for e in entries:
        if not isinstance(e, dict) or e.get("source") != source_id or e.get("attribution") != "direct":
            continue
        at = mapped.text.find(normalise(str(e.get("quote", ""))))
        if at < 0 or not isinstance(e.get("speaker"), str):
            continue
        label = passages.speaker_label(text, passages.line_of(starts, mapped.original(at, at + 1)[0]))
        if label:
            votes.setdefault(label, Counter())[e["speaker"]] += 1
    return {label: counter.most_common(1)[0][0] for label, counter in votes.items()}


def _speaker(label: Optional[str], speakers: list[str], learned: dict[str, str],
             registry: Optional[Registry] = None) -> tuple[Optional[str], str]:
    if label is None:
        return None, "no speaker label above this line"
    for name in speakers:
        if label == name or label.endswith(name):
            return name, f"transcript label '{label}'"
    registered = registry.name_for(label) if registry is not None else None
    if registered in speakers:
        return registered, f"transcript label '{label}', another name of '{registered}' in seeds/speakers.yaml"
    if label in learned:
        return learned[label], f"transcript label '{label}', as earlier entries of this source read it"
    close = difflib.get_close_matches(label, speakers, n=1, cutoff=0.8)
    if close:
        return close[0], f"transcript label '{label}'"
    return None, f"transcript label '{label}' is none of the source's speakers"


def _deadline(sentence: str, said_on: Optional[dt.date]) -> tuple[Optional[str], Optional[str]]:
    """The first time expression of the sentence that reads as a deadline (not before said_on), or a vague one."""
    if said_on is None:
        return None, None
    vague = None
    for mention in phrases.find(sentence, said_on):
        if isinstance(mention.result, phrases.Reading):
            return mention.result.deadline, mention.text
        if mention.result.code == "vague" and vague is None:
            vague = mention.text
    return None, vague


def suggest_id(source_id: str, source_year: Optional[int], quote: str, line: int, entries: list[Any],
               taken: set[str]) -> str:
    """A new unique id: the prefix earlier entries of the source use, then words of the quote (or its line)."""
    prefixes = Counter(str(e["id"]).split("-")[0] for e in entries
                       if isinstance(e, dict) and e.get("source") == source_id and isinstance(e.get("id"), str))
    if prefixes:
        prefix = prefixes.most_common(1)[0][0]
    else:
        head = re.sub(r"[^a-z0-9]", "", source_id.split("-")[0]) or "src"
        prefix = head + (f"{source_year % 100:02d}" if source_year else "")
    words = [w.lower() for w in re.findall(r"[A-Za-z][A-Za-z0-9.]*[A-Za-z0-9]|\d+", quote)]
    words = [re.sub(r"[^a-z0-9]", "", w) for w in words if w.lower() not in _STOP][:3]
    stem = "-".join([prefix, *[w for w in words if w]] or [prefix]) if words else f"{prefix}-line{line}"
    candidate, n = stem, 2
    while candidate in taken:
        candidate, n = f"{stem}-{n}", n + 1
    return candidate


def draft(text: str, source: dict[str, Any], entries: list[Any], taken: set[str], sentence: passages.Sentence,
          registry: Optional[Registry] = None) -> Draft:
    """A draft entry for a sentence of a source: every field that can be read from the source, guessed."""
    source_id = str(source["id"])
    speakers = [s for s in source.get("speakers") or [] if isinstance(s, str)]
    said_on = source.get("event_date") or source.get("published_on")
    said_on = said_on if isinstance(said_on, dt.date) else None
    label = passages.speaker_label(text, sentence.line)
    learned = _label_speakers(text, speakers, entries, source_id) if label and label not in speakers else {}
    speaker, speaker_reason = _speaker(label, speakers, learned, registry)
    if speaker is None and len(speakers) == 1:
        speaker, speaker_reason = speakers[0], "the source's only speaker"
    marker, figure = cues.future_marker(sentence.text), cues.figure(sentence.text)
    kind, kind_reason = (("prediction", f"'{marker}'") if marker else ("claim", f"the figure '{figure}'") if figure
                         else ("prediction", "nothing: no future marker or figure found, check"))
    deadline, deadline_text = _deadline(sentence.text, said_on)
    if deadline and kind == "claim":
        kind, kind_reason = "prediction", f"the deadline '{deadline_text}'"
    ident = suggest_id(source_id, said_on.year if said_on else None, sentence.text, sentence.line, entries, taken)
    # Without a label, the attribution earlier entries of the source have (a narrator's script is 'reported').
    usual = Counter(e.get("attribution") for e in entries if isinstance(e, dict) and e.get("source") == source_id)
    attribution = "direct" if label or not usual else str(usual.most_common(1)[0][0])
    return Draft(ident, kind, kind_reason, speaker, speaker_reason, attribution,
                 source_id, said_on, bool(source.get("event_date_approximate")) and said_on is not None,
                 sentence.text, sentence.line, deadline=deadline, deadline_text=deadline_text)


def to_yaml(d: Draft, indent: int = 2, comments: bool = True) -> str:
    """The draft as a claims.yaml list item; guesses carry a comment, fields left to fill say FILL IN."""
    pad = " " * (indent + 2)
    lines = [f"{' ' * indent}- id: {d.id}  # suggested: rename it to say what the entry is about"]
    lines.append(f"{pad}kind: {d.kind}  # guessed from {d.kind_reason}")
    lines.append(f"{pad}speaker: {scalar(d.speaker)}  # from the {d.speaker_reason}" if d.speaker
                 else f"{pad}speaker:  # {FILL_IN}: {d.speaker_reason}")
    lines.append(f"{pad}attribution: {d.attribution}  # direct, reported or secondary: check")
    lines.append(f"{pad}source: {d.source}")
    lines.append(f"{pad}said_on: {d.said_on.isoformat()}" if d.said_on
                 else f"{pad}said_on:  # {FILL_IN}: the source gives no event_date")
    if d.said_on_approximate:
        lines.append(f"{pad}said_on_approximate: true  # the source's event_date is approximate: say so in notes")
    lines.append(f"{pad}quote: {scalar(d.quote)}  # line {d.line}")
    lines.append(f"{pad}summary: {scalar(d.summary)}" if d.summary
                 else f"{pad}summary:  # {FILL_IN}: one faithful English sentence")
    lines.append(f"{pad}topics: {flow_list(d.topics)}" if d.topics
                 else f"{pad}topics: []  # {FILL_IN}: from docs/format.md")
    if d.deadline:
        lines.append(f"{pad}deadline: {scalar(d.deadline)}")
    if d.deadline_text:
        lines.append(f"{pad}deadline_text: {scalar(d.deadline_text)}")
    lines.append(f"{pad}status: open")
    if not comments:  # what goes into the ledger: the comments were for the one who reviews the draft
        lines = [re.sub(r"  # (?:suggested|guessed|from the|direct, reported|the source's|line \d).*$", "", line)
                 for line in lines]
    return "\n".join(lines) + "\n"


def appended(text: str, item: str) -> str:
    """claims.yaml text with `item` added at the end of `entries:`, before any later top-level key."""
    crlf = "\r\n" in text
    body = text.replace("\r\n", "\n") if crlf else text
    m = re.search(r"^entries:[ \t]*(#.*)?\n", body, re.MULTILINE)
    if not m:
        raise NewEntryError("the ledger has no block list under 'entries:' to append to")
    later = re.search(r"^[^\s#-]", body[m.end():], re.MULTILINE)
    if later is None:
        new = (body if body.endswith("\n") else body + "\n") + "\n" + item
    else:
        lines = body[: m.end() + later.start()].splitlines(keepends=True)
        i = len(lines)
        # Blank and comment lines just above the next top-level key belong to it.
        while i > 1 and (not lines[i - 1].strip() or lines[i - 1].startswith("#")):
            i -= 1
        cut = sum(len(line) for line in lines[:i])
        new = body[:cut] + "\n" + item + body[cut:]
    return new.replace("\n", "\r\n") if crlf else new


def append_file(path: Path, item: str, as_of: dt.date, sources: Optional[Path] = None) -> list[Problem]:
    """Append an entry to a ledger file; the file changes only if the result validates, else its problems."""
    from ledger.validate import check, sources_path

    try:
        raw = load.read_regular(path, load.LEDGER_LIMIT)
    except load.Unreadable as err:
        return [Problem(str(path), 1, 1, err.code, err.message)]
    doc, problems = load.parse(raw, str(path))
    if doc is None or problems:
        return problems
    bom = "\ufeff" if doc.text.startswith("\ufeff") else ""
    new_text = bom + appended(doc.text[len(bom):], item)
    new_doc, problems = load.parse(new_text.encode("utf-8"), str(path))
    sources = sources or sources_path(path)
    sources_doc, source_problems = load.read(sources)
    problems += source_problems
    if new_doc is not None:
        problems += check(new_doc, sources_doc, sources.parent, as_of).problems
        before = doc.data.get("entries") if isinstance(doc.data, dict) else None
        after = new_doc.data.get("entries") if isinstance(new_doc.data, dict) else None
        if not problems and (not isinstance(before, list) or not isinstance(after, list) or after[:-1] != before
                             or len(after) != len(before) + 1):
            raise NewEntryError(f"appending to {path} would change more than one new entry: add it by hand")
    if problems:
        return sorted(problems)
    target = Path(os.path.realpath(path))
    atomic.replace(target, new_text.encode("utf-8"), stat.S_IMODE(target.stat().st_mode))
    return []
