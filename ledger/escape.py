"""Ledger text made inert for each output language: HTML, Markdown, terminal text, CSV, GitHub workflow
commands and links.

The ledger quotes other people's words and links other people's pages, and anyone can propose an entry, so no
string from it may act in an output: no markup, no link to anything but a web page, no escape sequence for the
reader's terminal, no formula for the reader's spreadsheet. Every writer of a format escapes through here.
"""

from __future__ import annotations

import html as _html
import re
from typing import Any, Iterable, Optional
from urllib.parse import quote as _urlquote

# Characters a reader cannot see but that act on what they see: C0 and C1 controls and DEL (escape sequences,
# bell, carriage return), bidirectional overrides and isolates (which reorder the text around them), and the
# invisible separators and zero-width characters that make two different strings look the same.
_C0_C1 = "\x00-\x1f\x7f-\x9f"
_INVISIBLE = "\u061c\u200b\u200e\u200f\u2028\u2029\u202a-\u202e\u2060\u2066-\u2069\ufeff"
_CONTROL = re.compile(f"[{_C0_C1}{_INVISIBLE}]")
_CONTROL_BUT_LINES = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_INVISIBLE}]")  # tab and newline kept
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~$])")
_NEWLINES = re.compile(r"\r\n|\r|\n")
# An absolute http(s) address with a dotted host; what may follow is anything but space (links encode the rest).
WEB_URL = re.compile(r"https?://[^\s/?#]+\.[^\s/?#]+(?:[/?#]\S*)?", re.IGNORECASE)
# OWASP's rule for CSV injection: a cell starting with one of these is read as a formula (or, for tab, CR and LF,
# may be after a spreadsheet strips them); the full-width forms are read the same way by some spreadsheets.
FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r", "\n", "\x00", "＝", "＋", "－", "＠")


def visible(char: str) -> str:
    """A character as the escape a reader can see: \\x1b, \\u202e."""
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal(text: Any) -> str:
    """One line for a terminal or a CI log: every control and invisible character shown as an escape."""
    return _CONTROL.sub(lambda m: visible(m.group()), str(text))


def terminal_lines(text: Any) -> str:
    """Text of several lines for a terminal: newlines and tabs kept, every other control shown as an escape."""
    return _CONTROL_BUT_LINES.sub(lambda m: visible(m.group()), str(text))


def html(text: Any) -> str:
    """Text for HTML content or a quoted attribute: markup escaped, controls shown as escapes."""
    return _html.escape(terminal_lines(text), quote=True)


def markdown(text: Any) -> str:
    """Text for GitHub Markdown, a table cell included: specials backslash-escaped, & as an entity, line breaks
    as <br>, controls shown as escapes."""
    text = _MD_SPECIAL.sub(r"\\\1", str(text)).replace("&", "&amp;")
    text = _NEWLINES.sub("<br>", text)
    # The escape's own backslash is escaped, so that Markdown shows it.
    return _CONTROL.sub(lambda m: "\\" + visible(m.group()), text)


def markdown_code(text: Any, table: bool = False) -> str:
    """Text as a Markdown code span on one line; inside a table `|` is escaped, the one escape a span allows."""
    text = terminal(" ".join(str(text).split())).replace("`", "'")
    return f"`{text.replace('|', chr(92) + '|') if table else text}`"


def markdown_block(lines: Iterable[str], info: str = "text") -> list[str]:
    """Lines as a fenced code block whose fence no line can close: longer than any run of backticks in them."""
    body = [terminal(line) for line in lines]
    longest = max((len(run) for line in body for run in re.findall(r"`+", line)), default=0)
    fence = "`" * max(3, longest + 1)
    return [fence + info, *body, fence]


def web_url(url: Optional[str]) -> Optional[str]:
    """The URL if it is an absolute http(s) address, else None: only web pages may become links."""
    if isinstance(url, str) and WEB_URL.fullmatch(url) and not _CONTROL.search(url):
        return url
    return None


def _link_target(url: str) -> str:
    # Inside <…> a Markdown address may hold parentheses, not angle brackets, quotes or (in a table) pipes.
    return _urlquote(url, safe="/:?#[]@!$&'()*+,;=%~-._").replace("|", "%7C")


def markdown_link(label: str, url: Optional[str]) -> str:
    """A Markdown link to a web page, or the label alone when the URL is not one."""
    safe = web_url(url)
    return f"[{markdown(label)}](<{_link_target(safe)}>)" if safe else markdown(label)


def markdown_file_link(label: str, target: str) -> str:
    """A Markdown link to a file of the repository by its relative address (`../claims.yaml#L12`); anything
    with a scheme, or that is not relative, gives the label alone."""
    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:|^[/\\]", target) or _CONTROL.search(target):
        return markdown(label)
    return f"[{markdown(label)}](<{_link_target(target)}>)"


def markdown_autolink(url: Optional[str]) -> str:
    """A web address as a Markdown autolink, or as plain text when it is not a web address."""
    safe = web_url(url)
    return f"<{_link_target(safe)}>" if safe else markdown(url or "")


def csv_cell(text: str) -> str:
    """A CSV cell no spreadsheet reads as a formula: one that starts with a formula character gets a leading '."""
    return "'" + text if text.startswith(FORMULA_LEADS) else text


def github_data(text: Any) -> str:
    """The message of a GitHub workflow command: %, CR and LF encoded, other controls shown as escapes."""
    text = terminal_lines(text).replace("\t", "\\x09")
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def github_property(text: Any) -> str:
    """A property of a GitHub workflow command (file=, title=): as a message, with : and , encoded too."""
    return github_data(text).replace(":", "%3A").replace(",", "%2C")


def json_script(text: str) -> str:
    """JSON text for the inside of an HTML <script> element: nothing in it can close the element or open a
    comment, and the JSON means the same (each escape is a JSON escape of the same character)."""
    return (text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))
