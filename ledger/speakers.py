"""The speakers registry, seeds/speakers.yaml: one name for each person, and the other ways sources write it.

With it, `Sam Altmann` (a typo) and `奥特曼` (another script) are caught where an entry or a source names a
speaker, so that one person is one row of every scoreboard.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from pydantic import ValidationError

from ledger import load
from ledger.model import Speaker, SpeakerList

FILE = "speakers.yaml"


def fold(name: str) -> str:
    """A name as compared: NFKC, case folded, without spaces or the dots that join Chinese renderings of names."""
    return re.sub(r"[\s·・•.]+", "", unicodedata.normalize("NFKC", name).casefold())


@dataclass
class Registry:
    """The registered speakers, by name, and every folded name or other name, to the name it stands for."""

    speakers: dict[str, Speaker] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)

    def add(self, speaker: Speaker) -> list[str]:
        """Register a speaker; the names already taken by another speaker, if any."""
        taken = []
        self.speakers.setdefault(speaker.name, speaker)
        for written in (speaker.name, *speaker.also):
            owner = self.names.setdefault(fold(written), speaker.name)
            if owner != speaker.name or (written == speaker.name and self.speakers[speaker.name] is not speaker):
                taken.append(written)
        return taken

    def name_for(self, written: str) -> Optional[str]:
        """The registered name a label or name in a source stands for, if any."""
        return self.names.get(fold(written))

    def problem(self, written: str) -> Optional[tuple[str, str]]:
        """(code, message) when `written` is not a registered name as it should be written; None when it is."""
        if written in self.speakers:
            return None
        name = self.name_for(written)
        if name is not None:
            return "speaker-alias", f"'{written}' is another name of '{name}': write '{name}' (seeds/{FILE})"
        close = difflib.get_close_matches(written, list(self.speakers), n=1, cutoff=0.8)
        hint = f" (did you mean '{close[0]}'?)" if close else f": add the person to seeds/{FILE}"
        return "unregistered-speaker", f"speaker '{written}' is not in seeds/{FILE}{hint}"


def read(seeds: Path) -> Optional[Registry]:
    """The registry in a seeds folder for tools that only consult it; None when absent or invalid (validate says why)."""
    doc, problems = load.read(seeds / FILE) if (seeds / FILE).is_file() else (None, [])
    if doc is None or problems:
        return None
    try:
        speakers = SpeakerList.model_validate(doc.data).speakers
    except ValidationError:
        return None
    registry = Registry()
    for speaker in speakers:
        registry.add(speaker)
    return registry
