"""Tables for a terminal and for Markdown: columns aligned by display width, the last one cut to fit a terminal."""

from __future__ import annotations

from typing import Optional, Sequence

from wcwidth import wcswidth, wcwidth

from ledger import escape

GAP = "  "


def width(text: str) -> int:
    """Columns a terminal gives the text: two for a CJK character, none for a combining mark."""
    n = wcswidth(text)
    # -1 means a character with no width of its own; escape.terminal has already shown controls as escapes.
    return n if n >= 0 else sum(max(wcwidth(c), 0) for c in text)


def _cut(text: str, room: int) -> str:
    """The text in at most `room` columns, an ellipsis marking the cut."""
    if width(text) <= room:
        return text
    out, used = "", 0
    for c in text:
        w = max(wcwidth(c), 0)
        if used + w > room - 1:
            break
        out, used = out + c, used + w
    return out + "…"


def text_table(headers: Sequence[str], rows: Sequence[Sequence[str]], columns: Optional[int] = None) -> str:
    """Left-aligned columns; with `columns` (a terminal's width) the last column is cut so no line wraps."""
    cells = [list(headers)] + [[escape.terminal(c) for c in row] for row in rows]
    widths = [max(width(r[i]) for r in cells) for i in range(len(headers))]
    lead = sum(widths[:-1]) + len(GAP) * (len(headers) - 1)
    lines = []
    for r in cells:
        last = r[-1] if columns is None else _cut(r[-1], max(columns - lead, 10))
        line = "".join(c + " " * (w - width(c)) + GAP for c, w in zip(r[:-1], widths)) + last
        lines.append(line.rstrip())
    return "\n".join(lines) + "\n"


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A GitHub Markdown table, every cell escaped."""
    cells = [[escape.markdown(c) for c in row] for row in rows]
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in cells]) + "\n"
