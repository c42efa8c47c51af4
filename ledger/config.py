"""The `[tool.ledger]` table of pyproject.toml: who publishes the report, and where.

ClaimReview names the fact-checking organisation (`author`) and the page each review is on (`url`); neither can
be read from the ledger, so the project states them once here.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional
from urllib.parse import urlsplit

from ledger.escape import web_url
from ledger.problem import Problem

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

FILE = "pyproject.toml"
KEYS = {
    "publisher": "the organisation that publishes the fact checks (ClaimReview's author)",
    "publisher_url": "the organisation's web address",
    "report_url": "the web address where index.html is published (each ClaimReview's url is it plus #e-ID)",
}
# Reserved for examples (RFC 2606 and RFC 6761): an address under them is a placeholder, not a publication.
_PLACEHOLDER_HOSTS = re.compile(r"(^|\.)(example|invalid|localhost|test)$|(^|\.)example\.(com|net|org)$")


@dataclass(frozen=True)
class Site:
    """Where the report is published and by whom."""

    publisher: str
    publisher_url: str
    report_url: str

    def entry_url(self, ident: str) -> str:
        """The public address of one entry: its permalink on the published page."""
        return f"{self.report_url.split('#')[0]}#e-{ident}"

    def placeholders(self) -> list[str]:
        """The keys whose address is a reserved example address, so the report is not yet really published."""
        return [key for key in ("publisher_url", "report_url")
                if _PLACEHOLDER_HOSTS.search((urlsplit(getattr(self, key)).hostname or "").lower())]


def _line_of(text: str, key: Optional[str]) -> int:
    # tomllib keeps no positions: find the key inside the table, or the table's header.
    lines = text.splitlines()
    header = next((i for i, line in enumerate(lines) if re.match(r"\s*\[\s*tool\.ledger\s*\]", line)), None)
    if header is None:  # `ledger = …` under [tool], or `tool.ledger = …`
        return next((i + 1 for i, line in enumerate(lines) if re.match(r"\s*(tool\s*\.\s*)?ledger\s*=", line)), 1)
    if key is not None:
        for i in range(header + 1, len(lines)):
            if re.match(r"\s*\[", lines[i]):
                break
            if re.match(rf"\s*\"?{re.escape(key)}\"?\s*=", lines[i]):
                return i + 1
    return header + 1


def read(path: Path, shown: Optional[str] = None) -> tuple[Optional[Site], list[Problem]]:
    """The site from `path`'s [tool.ledger] table; None without problems when the file or the table is absent."""
    name = shown or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None, []
    except (OSError, UnicodeDecodeError) as err:
        return None, [Problem(name, 1, 1, "unreadable-file", f"cannot read {name}: {err}")]
    try:
        data: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        found = re.search(r"\(at line (\d+), column (\d+)\)", str(err))
        line, column = (int(found.group(1)), int(found.group(2))) if found else (1, 1)
        return None, [Problem(name, line, column, "toml-syntax", str(err).split(" (at line")[0])]
    table = data.get("tool", {}).get("ledger") if isinstance(data.get("tool"), dict) else None
    if table is None:
        return None, []
    if not isinstance(table, dict):
        return None, [Problem(name, _line_of(text, None), 1, "bad-config", "tool.ledger must be a table")]
    problems = [Problem(name, _line_of(text, key), 1, "bad-config", f"unknown key '{key}' in [tool.ledger]; "
                        f"the keys are {', '.join(KEYS)}") for key in table if key not in KEYS]
    for key, meaning in KEYS.items():
        value = table.get(key)
        if key not in table:
            problems.append(Problem(name, _line_of(text, None), 1, "bad-config",
                                    f"[tool.ledger] needs '{key}': {meaning}"))
        elif not isinstance(value, str) or not value.strip():
            problems.append(Problem(name, _line_of(text, key), 1, "bad-config", f"'{key}' must be text: {meaning}"))
        elif key.endswith("_url") and not web_url(value):
            problems.append(Problem(name, _line_of(text, key), 1, "bad-config",
                                    f"'{key}' must be an absolute http(s) address, not '{value}'"))
    if problems:
        return None, problems
    return Site(table["publisher"].strip(), table["publisher_url"], table["report_url"]), []
