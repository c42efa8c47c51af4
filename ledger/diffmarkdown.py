"""`ledger diff` as Markdown for a pull-request comment or a job summary, every ledger value escaped."""

from __future__ import annotations

from typing import Any, Optional

from ledger import escape
from ledger.gitdiff import LedgerDiff, Scores, _code, _get, _status_order, _text, unexplained

_SHORT = 80
_SHOWN_PROBLEMS = 20


_HINTS = {
    "term-edit": "add an `amendments` item with `fields: [{field}]` and a reason",
    "criteria-edit": "write criteria before resolving (in an earlier change), or add an `amendments` item with "
                     "`fields: [criteria]` and a reason",
    "id-change": "add an `amendments` item with `fields: [id]` and a reason",
    "removed": "add the id to the top-level `removed:` list with a reason",
    "no-evidence": "add evidence: a url, or a source with a quote",
    "verdict-change": "add an `amendments` item with `fields: [status]` and the reason "
                      "(`ledger resolve --change` or `--reopen` with `--reason` records it)",
}


def _md(value: Any, limit: Optional[int] = _SHORT) -> str:
    """A value shortened and escaped for Markdown, `|` included so it is safe in a table cell."""
    text = _text(value)
    if limit and len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return escape.markdown(text)


def _evidence(ev: Any) -> str:
    """One evidence item as a line a reviewer can check: type, publisher, date, link or passage, note."""
    if not isinstance(ev, dict):
        return _md(ev)
    url, source = ev.get("url"), ev.get("source")
    label = ", ".join(_md(ev[k], None) for k in ("publisher", "published_on") if ev.get(k) is not None)
    text = f"{_code(ev.get('type', 'untyped'))} " + (f"{label}: " if label else "")
    if url is not None:
        text += escape.markdown_autolink(str(url))
    else:
        text += f"{_code(source)}: “{_md(ev.get('quote'))}”"
    return text + (f" — {_md(ev['note'], None)}" if ev.get("note") else "")


def _evidence_changes(old: Any, new: Any) -> list[str]:
    """Evidence compared item by item: removed, changed (same link or source) and added."""
    before = old if isinstance(old, list) else [] if old is None else [old]
    after = new if isinstance(new, list) else [] if new is None else [new]
    added = [x for x in after if x not in before]

    def key(ev: Any) -> str:
        return str(ev.get("url") or ev.get("source")) if isinstance(ev, dict) else repr(ev)

    out = []
    for gone in (x for x in before if x not in after):
        match = next((x for x in added if key(x) == key(gone)), None)
        if match is None:
            out.append(f"  - evidence removed: {_evidence(gone)}")
        else:
            added.remove(match)
            out.append(f"  - evidence changed: {_evidence(gone)} → {_evidence(match)}")
    return out + [f"  - evidence added: {_evidence(x)}" for x in added]


def _headline(d: LedgerDiff) -> str:
    parts = [
        (len(d.added), "added"),
        (len(d.resolved), "resolved"),
        (len(d.reopened), "re-opened"),
        (len(d.edited), "edited"),
        (len(d.removed), "removed"),
        (len(d.id_changes), "id changed"),
        (len(d.sources), "source changed" if len(d.sources) == 1 else "sources changed"),
    ]
    line = ", ".join(f"{n} {word}" for n, word in parts if n)
    if d.flags:
        open_flags = len(unexplained(d))
        line += f" · ⚠ {len(d.flags)} flagged, {open_flags} unexplained" if open_flags else f" · {len(d.flags)} flagged, all explained"
    return f"**{line}**"


def _rate(s: Scores) -> str:
    return f"{s.hit_rate:.0%} ({s.scored} scored)" if s.hit_rate is not None else "– (none scored)"


def to_markdown(d: LedgerDiff, base_label: str, head_label: str) -> str:
    """The diff as Markdown for a pull-request comment or a GitHub job summary."""
    out = [f"## Ledger changes: {_md(base_label, None)} → {_md(head_label, None)}", ""]
    for side, label, problems in (("base", base_label, d.base_problems), ("head", head_label, d.head_problems)):
        if problems:
            out += [f"❌ The ledger at {side} ({_md(label, None)}) cannot be read, so nothing was compared:", ""]
            out += escape.markdown_block(str(p) for p in problems) + [""]
    if d.problems:
        return "\n".join(out)
    if d.renamed:
        out += [f"The ledger was renamed from {_code(d.renamed[0])} to {_code(d.renamed[1])}; its entries are "
                "compared across the rename.", ""]
    for side, label, problems in (("base", base_label, d.base_invalid), ("head", head_label, d.head_invalid)):
        if problems:
            shown = problems[:_SHOWN_PROBLEMS]
            more = len(problems) - len(shown)
            out += [f"{'❌' if side == 'head' else '⚠'} The ledger at {side} ({_md(label, None)}) does not validate "
                    f"({len(problems)} problem{'s' if len(problems) != 1 else ''}); it is compared as it is:", ""]
            out += escape.markdown_block([*(str(p) for p in shown), *([f"… and {more} more"] if more else [])]) + [""]
    if d.base_missing and not d.head_missing:
        out += [f"There is no ledger at {_md(base_label, None)}: every entry is new.", ""]
    if d.head_missing and not d.base_missing:
        out += [f"The ledger was deleted at {_md(head_label, None)}.", ""]
    if not d.changed:
        return "\n".join(out + ["No changes to the ledger.", ""])
    out += [_headline(d), ""]
    if d.flags:
        out += ["### ⚠ Needs attention", ""]
        for f in d.flags:
            if f.explained:
                out.append(f"- ✅ {_code(f.entry_id)}: {f.message}; explained by {_md(f.explained_by, 160)}")
            else:
                verdict = "cannot be explained by a note" if f.kind == "no-evidence" else "**not explained**"
                hint = _HINTS[f.kind].format(field=f.field)
                out.append(f"- ❌ {_code(f.entry_id)}: {f.message}; {verdict}: {hint}")
        out.append("")
    if d.added:
        out += ["### Added", "", "| id | speaker | said on | summary | deadline | status |", "|---|---|---|---|---|---|"]
        for added in d.added:
            cells = [_code(added["id"], table=True)] + [_md(_get(added, n)) if added.get(n) is not None else "" for n in
                                        ("speaker", "said_on", "summary", "deadline", "status")]
            out.append("| " + " | ".join(cells) + " |")
        out.append("")
    if d.resolved:
        out += ["### Resolved", ""]
        for r in d.resolved:
            on = f" on {_md(r.resolved_on)}" if r.resolved_on is not None else ""
            out.append(f"- {_code(r.id)}: {_code(r.old)} → {_code(r.new)}{on}")
            out.append(f"  - criteria: {_md(r.criteria, None) if r.criteria is not None else '(none)'}")
            out += [f"  - evidence: {_evidence(ev)}" for ev in r.evidence] or ["  - no new evidence"]
        out.append("")
    if d.reopened:
        out += ["### Re-opened", ""] + [f"- {_code(r.id)}: {_code(r.old)} → {_code(r.new)}" for r in d.reopened] + [""]
    if d.edited:
        out += ["### Edited", ""]
        for edit in d.edited:
            out.append(f"- {_code(edit.id)}")
            for c in edit.changes:
                out += _evidence_changes(c.old, c.new) if c.field == "evidence" else \
                    [f"  - {_code(c.field)}: {_md(c.old)} → {_md(c.new)}"]
        out.append("")
    if d.removed:
        out += ["### Removed", ""]
        for gone in d.removed:
            who = ", ".join(_md(_get(gone.entry, n)) for n in ("speaker", "said_on") if gone.entry.get(n) is not None)
            why = (f"removal recorded on {_md(gone.record.get('on'))}: {_md(gone.record.get('reason'))}" if gone.record
                   else "removal **not recorded** in `removed:`")
            out.append(f"- {_code(gone.id)} ({who}): {_md(_get(gone.entry, 'summary'))} — {why}")
        out.append("")
    if d.sources:
        out += ["### Sources (`seeds/sources.yaml`)", ""]
        for ident, what, fields in d.sources:
            detail = f": {', '.join(_code(f) for f in fields)} changed" if fields else f" {what}"
            out.append(f"- {_code(ident)}{detail}")
        out.append("")
    out += ["### Scores", "", "| | before | after |", "|---|---:|---:|", f"| entries | {d.before.total} | {d.after.total} |"]
    for status in _status_order({*d.before.counts, *d.after.counts}):
        out.append(f"| {_code(status, table=True)} | {d.before.counts.get(status, 0)} | {d.after.counts.get(status, 0)} |")
    out += [f"| predictions' hit rate | {_rate(d.before)} | {_rate(d.after)} |", ""]
    return "\n".join(out)
