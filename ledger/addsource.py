"""Archive a new source: copy it into seeds/ under the naming convention and append its stub to sources.yaml."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from ledger import atomic, load, speakers
from ledger.problem import Problem
from ledger.vocabulary import ID_PATTERN
from ledger.yamltext import flow_list, scalar

# Characters whose Simplified and Traditional forms differ, among the most frequent in either script.
SIMPLIFIED = "们这说会为个来时对过发还么样实现进经后里开关动长问点头东车见边让给话该认应体优产业务员网络价钱图让义币总"
TRADITIONAL = "們這說會為個來時對過發還麼樣實現進經後裡開關動長問點頭東車見邊讓給話該認應體優產業務員網絡價錢圖讓義幣總"
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]")
_NUMBERED = re.compile(r"(\d{3,})_")
FILL_IN = "FILL IN"


class AddSourceError(Exception):
    """A source that cannot be added: already archived, an id taken, an unreadable file."""


@dataclass(frozen=True)
class Language:
    """The language and script of a document, and the counts the guess rests on."""

    code: str
    reason: str


def detect_language(text: str) -> Language:
    """zh-Hans, zh-Hant or en, from the share of Han characters and of script-specific forms among them."""
    han = len(_HAN.findall(text))
    latin = len(_LATIN.findall(text))
    if han * 2 < latin or han < 10:
        return Language("en", f"{han} Han characters against {latin} Latin letters")
    simplified = sum(text.count(c) for c in SIMPLIFIED)
    traditional = sum(text.count(c) for c in TRADITIONAL)
    code = "zh-Hant" if traditional > simplified else "zh-Hans"
    return Language(code, f"{traditional} Traditional-only and {simplified} Simplified-only forms of common characters")


def archive_name(seeds: Path, digest: str, suffix: str) -> str:
    """The next file name under the convention `NNN_<first 16 hex digits of the sha256><suffix>`."""
    numbers = [int(m.group(1)) for p in seeds.iterdir() for m in [_NUMBERED.match(p.name)] if m]
    number = max(numbers, default=-1) + 1
    suffix = suffix.lower() if re.fullmatch(r"\.[A-Za-z0-9]{1,8}", suffix) else ".txt"
    return f"{number:03d}_{digest[:16]}{suffix}"


@dataclass
class Stub:
    """What is known of a new source; None or empty fields are left for the curator to fill in."""

    id: str
    title: Optional[str] = None
    title_en: Optional[str] = None
    outlet: Optional[str] = None
    author: Optional[str] = None
    url: Optional[str] = None
    video_url: Optional[str] = None
    published_on: Optional[dt.date] = None
    event: Optional[str] = None
    event_date: Optional[dt.date] = None
    event_date_approximate: bool = False
    language: Optional[str] = None
    speakers: list[str] = field(default_factory=list)


def stub_text(stub: Stub, file: str, digest: str, language: Language, indent: int) -> str:
    """The YAML of a new sources.yaml item, fields still to fill marked `# FILL IN` (validate flags them)."""
    pad = " " * (indent + 2)
    lines = [f"{' ' * indent}- id: {scalar(stub.id)}", f"{pad}file: {scalar(file)}", f"{pad}sha256: {digest}"]
    lines.append(f"{pad}title: {scalar(stub.title)}" if stub.title
                 else f"{pad}title:  # {FILL_IN}: the title as the document gives it (ledger validate flags it until then)")
    for key in ("title_en", "outlet", "author", "url", "video_url", "published_on", "event", "event_date"):
        value = getattr(stub, key)
        if value is not None:
            lines.append(f"{pad}{key}: {scalar(value)}")
    if stub.event_date_approximate:
        lines.append(f"{pad}event_date_approximate: true")
    if stub.language:
        lines.append(f"{pad}language: {scalar(stub.language)}")
    else:
        lines.append(f"{pad}language: {language.code}  # detected ({language.reason}): check it")
    lines.append(f"{pad}speakers: {flow_list(stub.speakers)}" if stub.speakers
                 else f"{pad}speakers: []  # {FILL_IN}: who speaks in it, as entries will name them (flagged until then)")
    lines.append(f"{pad}notes:  # {FILL_IN}: what in the file is not the article; how the dates were established")
    return "\n".join(lines) + "\n"


def _item_indent(text: str) -> int:
    m = re.search(r"^( *)- ", text, re.MULTILINE)
    return len(m.group(1)) if m else 2


def appended(text: str, item: str) -> str:
    """sources.yaml text with `item` added at the end of its list, every existing byte kept."""
    if not text.strip():
        return "sources:\n" + item
    if not re.search(r"^sources:[ \t]*(#.*)?$", text, re.MULTILINE) or re.search(r"^[a-z_]+:", text.split("sources:", 1)[1], re.MULTILINE):
        raise AddSourceError("seeds/sources.yaml is not one block list under 'sources:' ending the file: add the source by hand")
    sep = "" if text.endswith("\n") else "\n"
    blank = "\n" if re.search(r"\n\n\s*- ", text) else ""  # the file's own habit of a blank line between items
    return text + sep + blank + item


@dataclass(frozen=True)
class Added:
    """A source archived: its file in seeds/, its hash, the detected language, and what is left to fill."""

    file: str
    sha256: str
    language: Language
    problems: list[Problem]
    registered: list[str]  # speakers new to seeds/speakers.yaml, appended to it


def _register(seeds: Path, registry: Optional[speakers.Registry], names: list[str]) -> list[str]:
    """Append the speakers the registry does not know to seeds/speakers.yaml, atomically; the names appended."""
    if registry is None:  # no registry, or one validate will complain about: left to the curator
        return []
    new = [n for n in dict.fromkeys(names) if registry.name_for(n) is None]
    if new:
        path = Path(os.path.realpath(seeds / speakers.FILE))
        text = path.read_text(encoding="utf-8")
        text += ("" if text.endswith("\n") else "\n") + "".join(f"  - name: {scalar(n)}\n" for n in new)
        atomic.replace(path, text.encode("utf-8"), stat.S_IMODE(os.stat(path).st_mode))
    return new


def _archived_hashes(seeds: Path, recorded: dict[str, str]) -> dict[str, str]:
    """sha256 -> what holds it: every hash recorded in sources.yaml and every file in seeds/."""
    found = {digest: f"source '{ident}'" for ident, digest in recorded.items()}
    for path in sorted(seeds.iterdir()):
        if path.is_file() and path.name != "sources.yaml" and not path.name.startswith("."):
            found.setdefault(hashlib.sha256(path.read_bytes()).hexdigest(), f"seeds/{path.name}")
    return found


def add_source(document: Path, sources_path: Path, stub: Stub) -> Added:
    """Copy `document` into seeds/ and append its stub to sources.yaml; both files are written atomically."""
    from ledger.validate import check_sources
    from ledger.sources import Archive

    if not re.fullmatch(ID_PATTERN, stub.id):
        raise AddSourceError(f"id '{stub.id}' must be a lowercase slug of letters, digits and hyphens")
    try:
        data = load.read_regular(document, load.SOURCE_LIMIT)
    except load.Unreadable as err:
        raise AddSourceError(f"{document} {err.message}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise AddSourceError(f"{document} is not UTF-8 text: convert it first (quotes are matched in UTF-8 text)") from None
    seeds = sources_path.parent
    try:
        raw = load.read_regular(sources_path, load.LEDGER_LIMIT)
    except load.Unreadable as err:
        raise AddSourceError(f"{sources_path} {err.message}") from None
    doc, problems = load.parse(raw, str(sources_path))
    if doc is None:
        raise AddSourceError(f"{sources_path} cannot be read: {problems[0] if problems else 'empty'}; fix it first")
    items = doc.data.get("sources") if isinstance(doc.data, dict) else None
    items = items if isinstance(items, list) else []
    recorded = {i["id"]: i.get("sha256") for i in items if isinstance(i, dict) and isinstance(i.get("id"), str)}
    if stub.id in recorded:
        raise AddSourceError(f"the id '{stub.id}' is already taken in {sources_path}: choose another")
    registry = speakers.read(seeds)
    for speaker in stub.speakers:
        known = registry.name_for(speaker) if registry is not None else None
        if known is not None and known != speaker:
            raise AddSourceError(f"'{speaker}' is another name of '{known}' in seeds/{speakers.FILE}: give --speaker "
                                 f"'{known}'")
    digest = hashlib.sha256(data).hexdigest()
    holder = _archived_hashes(seeds, {k: v for k, v in recorded.items() if isinstance(v, str)}).get(digest)
    if holder:
        raise AddSourceError(f"{document} is already archived, byte for byte, as {holder} (sha256 {digest})")
    name = archive_name(seeds, digest, document.suffix)
    language = detect_language(text)
    new_text = appended(doc.text, stub_text(stub, name, digest, language, _item_indent(doc.text)))
    new_doc, new_problems = load.parse(new_text.encode("utf-8"), str(sources_path))
    if new_doc is None or new_problems or len(new_doc.data["sources"]) != len(items) + 1:
        raise AddSourceError(f"appending to {sources_path} would not give a valid list: add the source by hand")
    # The new file is staged under its final name before the list names it, and removed if the list cannot be.
    target = seeds / name
    tmp = atomic.stage(target, data, 0o644 & ~_umask())
    try:
        try:
            os.link(tmp, target)  # fails rather than overwrite a file that appeared meanwhile
        except FileExistsError:
            raise AddSourceError(f"{target} appeared meanwhile: run the command again") from None
        except OSError:  # a file system without hard links
            if target.exists():
                raise AddSourceError(f"{target} appeared meanwhile: run the command again") from None
            os.rename(tmp, target)
    finally:
        atomic.discard([tmp])
    try:
        mode = stat.S_IMODE(os.stat(sources_path).st_mode)
        _, left = check_sources(new_doc, seeds, Archive())
        atomic.replace(Path(os.path.realpath(sources_path)), new_text.encode("utf-8"), mode)
    except BaseException:
        atomic.discard([str(target)])
        raise
    registered = _register(seeds, registry, list(stub.speakers))
    first_new = len(doc.text.splitlines()) + 1
    left = [p for p in left if p.line >= first_new and p.code != "unregistered-speaker"]
    return Added(name, digest, language, left, registered)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
