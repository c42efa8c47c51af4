"""YAML text for values appended to a hand-kept file: plain where YAML reads it back unchanged, else quoted."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any, Sequence

import yaml

_PLAIN_START = re.compile(r"[^\s'\"#&*!|>%@`{}\[\],?:\-]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff]")


def _reads_back(text: str, value: str) -> bool:
    try:
        return bool(yaml.safe_load(f"k: {text}\n") == {"k": value})
    except yaml.YAMLError:
        return False


def scalar(value: Any, flow: bool = False) -> str:
    """One value as YAML text that reads back as the same value."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    special = ",[]{}" if flow else ""
    if (text and _PLAIN_START.match(text) and ": " not in text and " #" not in text and not text.endswith((":", " "))
            and not _CONTROL.search(text) and not any(c in text for c in special) and _reads_back(text, text)):
        return text
    if not _CONTROL.search(text):
        return "'" + text.replace("'", "''") + "'"
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar


def flow_list(values: Sequence[Any]) -> str:
    """A list as `[a, b]`."""
    return "[" + ", ".join(scalar(v, flow=True) for v in values) + "]"
