"""The ledger's data model: entries, evidence, amendments and sources, as pydantic models."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal, Optional, Union

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema, model_validator

from ledger.vocabulary import (
    ATTRIBUTIONS, DEADLINE_PATTERN, EVIDENCE_TYPES, ID_PATTERN, KINDS, SHA256_PATTERN, STATUSES, TOPICS,
)

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_date(value: Any) -> dt.date:
    # YAML gives an unquoted 2025-02-03 as a date; a quoted one stays a string.
    # Integers are refused on purpose: pydantic would read them as Unix times.
    if isinstance(value, dt.datetime):
        raise ValueError("must be a date (YYYY-MM-DD), not a date and time")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"'{value}' is not a real calendar date") from None
    raise ValueError(f"must be a date written YYYY-MM-DD, not {describe(value)}")


def describe(value: Any) -> str:
    """Name a YAML value for an error message, e.g. "the boolean true"."""
    if value is None:
        return "empty (null)"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int):
        return f"the integer {value}"
    if isinstance(value, float):
        return f"the number {value}"
    if isinstance(value, str):
        return f"'{value}'"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


IsoDate = Annotated[dt.date, BeforeValidator(_iso_date)]


def _deadline(value: Any) -> str:
    # Unquoted, YAML reads 2026 as an integer and 2026-03-31 as a date: both are fine.
    from ledger.deadlines import canonical, window

    if isinstance(value, bool) or not isinstance(value, (str, int, dt.date)):
        raise ValueError(f"must be a deadline such as 2026-Q1 or 'within 2 years', not {describe(value)}")
    text = canonical(value)
    window(text, dt.date(2000, 1, 1))  # raises ValueError with the reason
    return text


Deadline = Annotated[
    Union[str, int, dt.date],
    BeforeValidator(_deadline),
    WithJsonSchema(
        {
            "description": "YYYY-MM-DD, YYYY-MM, YYYY-Qn, YYYY-Hn, YYYY, or 'within N years|months|weeks'",
            "anyOf": [{"type": "string", "pattern": DEADLINE_PATTERN}, {"type": "integer"}],
        }
    ),
]
Text = Annotated[str, Field(min_length=1)]
Slug = Annotated[str, Field(pattern=ID_PATTERN)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Evidence(_Strict):
    """What an entry's verdict rests on: a web page, or a passage of an archived source."""

    type: Literal[EVIDENCE_TYPES]  # type: ignore[valid-type]
    url: Optional[Text] = None
    publisher: Optional[Text] = None
    published_on: Optional[IsoDate] = None
    source: Optional[Slug] = None
    quote: Optional[Text] = None
    note: Text

    @model_validator(mode="after")
    def _needs_something(self) -> "Evidence":
        if not self.url and not self.source:
            raise ValueError("evidence needs a 'url', or a 'source' with a 'quote'")
        if self.source and not self.quote:
            raise ValueError("evidence from a 'source' needs the 'quote' that shows the outcome")
        if self.quote and not self.source:
            raise ValueError("an evidence 'quote' needs the 'source' it is quoted from")
        return self


class Amendment(_Strict):
    """A recorded reason for changing an entry's terms after it was first recorded."""

    on: IsoDate
    fields: list[Text] = Field(min_length=1)
    reason: Text


class Entry(_Strict):
    """One statement: who said what, where and when, and how it turned out."""

    id: Slug
    kind: Literal[KINDS]  # type: ignore[valid-type]
    speaker: Text
    attribution: Literal[ATTRIBUTIONS]  # type: ignore[valid-type]
    source: Slug
    said_on: IsoDate
    # True when the source does not give the day: said_on is then the best-supported day, notes give the range.
    said_on_approximate: bool = False
    quote: Text
    summary: Text
    # A short name for the timeline's row; without it, the summary is cut at a word.
    label: Optional[Annotated[str, Field(min_length=1, max_length=40)]] = None
    topics: list[Literal[TOPICS]] = Field(min_length=1)  # type: ignore[valid-type]
    deadline: Optional[Deadline] = None
    deadline_text: Optional[Text] = None
    # What would count as correct, partly correct and wrong, written from the words as said before the outcome.
    criteria: Optional[Text] = None
    confidence: Optional[Annotated[float, Field(ge=0, le=1, strict=True)]] = None
    status: Literal[STATUSES]  # type: ignore[valid-type]
    resolved_on: Optional[IsoDate] = None
    evidence: list[Evidence] = []
    # The last day someone looked for evidence of how it turned out; `notes` says what was searched.
    checked_on: Optional[IsoDate] = None
    related: list[Slug] = []
    notes: Optional[Text] = None
    amendments: list[Amendment] = []

    @property
    def said_text(self) -> str:
        """said_on as readers see it: '≈2025-12-31' when the source does not give the day."""
        return ("≈" if self.said_on_approximate else "") + self.said_on.isoformat()

    @property
    def checked_text(self) -> str:
        """checked_on as readers see it, 'never' when nobody has looked for the outcome yet."""
        return self.checked_on.isoformat() if self.checked_on else "never"


class Removal(_Strict):
    """A note that an entry was taken out of the ledger, and why (its history stays in git)."""

    id: Slug
    on: IsoDate
    reason: Text


class Ledger(_Strict):
    """The whole of claims.yaml."""

    entries: list[Entry]
    removed: list[Removal] = []


class Source(_Strict):
    """One archived source document in seeds/."""

    id: Slug
    file: Text
    sha256: Annotated[str, Field(pattern=SHA256_PATTERN)]
    title: Text
    title_en: Optional[Text] = None
    outlet: Optional[Text] = None
    author: Optional[Text] = None
    url: Optional[Text] = None
    video_url: Optional[Text] = None
    published_on: Optional[IsoDate] = None
    event: Optional[Text] = None
    event_date: Optional[IsoDate] = None
    # True when the documents do not give the day: event_date is then the best-supported day (notes say how).
    event_date_approximate: bool = False
    language: Text
    speakers: list[Text] = Field(min_length=1)
    notes: Optional[Text] = None


class Speaker(_Strict):
    """One person in seeds/speakers.yaml: the name the ledger uses, and the other ways sources write it."""

    name: Text
    role: Optional[Text] = None
    also: list[Text] = []


class SpeakerList(_Strict):
    """The whole of seeds/speakers.yaml."""

    speakers: list[Speaker]


class SourceList(_Strict):
    """The whole of seeds/sources.yaml."""

    sources: list[Source]


def json_schema() -> dict[str, Any]:
    """The JSON Schema of claims.yaml, as published in schema/claims.schema.json for editors."""
    schema = Ledger.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "ledger claims.yaml"
    return schema


if __name__ == "__main__":
    import json

    print(json.dumps(json_schema(), indent=2, ensure_ascii=False))
