"""The published report: every output file rendered in memory, then written atomically.

`render` returns each file's bytes and writes nothing; the same entries and as-of date always give
the same bytes (no clock, stable sort orders, "\\n" line endings). `write` builds the new folder beside the
old one and swaps the two, so a failure or a kill leaves the previous report whole.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from pathlib import Path
from typing import Any, Iterable, Optional, Sequence

from ledger import atomic, chart, export, score
from ledger.escape import html as h, html_link, markdown as md, markdown_link, web_url
from ledger.deadlines import due, window
from ledger.model import Entry, Source
from ledger.vocabulary import SCORED_STATUSES

FILES = ("README.md", "claimreview.jsonld", "claims.csv", "index.html", "scoreboard.json", "timeline.png",
         "timeline.svg")
GROUPINGS = (("speaker", "Speaker"), ("topic", "Topic"), ("source", "Source"), ("kind", "Kind"),
             ("year", "Year said"))
RATING = {"correct": 5, "partly_correct": 3, "wrong": 1}  # ClaimReview's 1 (false) .. 5 (true)
DEFINITIONS = (
    "**Predictions** are forward-looking statements (plans, expectations, bets); **claims** are statements of "
    "checkable fact (figures, dates, launches). The headline hit rate and Brier score are over predictions only; "
    "claims are counted on their own line as true, partly true or false.",
    "**Hit rate** = (correct + ½ × partly correct) / (correct + partly correct + wrong), with a 95% Wilson "
    "score interval on the same counts, so 2 right out of 2 is not certainty.",
    "**Unresolvable** and **withdrawn** entries are counted and shown but not scored.",
    "**Brier score** = mean of (confidence − outcome)² over scored predictions that state a confidence, with "
    "outcome 1 for correct, ½ for partly correct, 0 for wrong; lower is better and always saying 50% scores 0.25.",
    "**Criteria**: what would count as correct, partly correct and wrong, written from the words as said before "
    "the outcome was looked up. **Checked**: the last day someone searched for evidence of an open entry.",
    "**Evidence** is typed: **primary** (the organisation's own announcement, filing, product page or data), "
    "**report** (independent reporting by a news organisation or research body) or **speaker** (the speaker's "
    "own later account). A verdict needs one primary item or reports from two publishers; the speaker's own "
    "word never carries a verdict alone.",
    "**Overdue** = open predictions whose deadline window ended before the as-of date; **overdue since** is the "
    "first day after the window. **Resolution rate** = resolved entries / all entries.",
    "**As of**: the last day on which anything this report says changed (a prediction fell overdue, an entry was "
    "checked or resolved); regenerating it later with nothing new leaves it as it is.",
    "**≈** before a date said: the source does not give the day, so the date is the best-supported one, by default "
    "the latest the documents allow (the entry's notes give the range and the records it rests on).",
)
AWAITING_ORDER = "never checked first, then least recently checked, then most overdue"
# A fixed sentence, whatever the git history: `ledger report --check` must not depend on it (`make report` runs
# `ledger history`, which writes history.md beside the report).
HISTORY_LINK = "How the record changed, commit by commit (every verdict given, changed or withdrawn, and when):"


# --- Formatting ------------------------------------------------------------------------------


def _num(value: Any) -> Any:
    """A JSON-ready scalar: numpy types unwrapped, NaN as null, floats to 4 places."""
    if value is None:
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float):
        return None if math.isnan(value) else round(value, 4)
    return value


def _pct(value: Any) -> str:
    value = _num(value)
    return "–" if value is None else f"{value * 100:.0f}%"


def _hit(row: dict[str, Any]) -> str:
    if row["hit_rate"] is None:
        return "–"
    return f"{_pct(row['hit_rate'])} ({_pct(row['hit_rate_low'])}–{_pct(row['hit_rate_high'])})"


def _brier(row: dict[str, Any]) -> str:
    return "–" if row["brier"] is None else f"{row['brier']:.3f} (n={row['brier_n']})"


def _rate(row: dict[str, Any]) -> str:
    return _pct(row["resolved"] / row["entries"]) if row["entries"] else "–"


def _status_label(status: str) -> str:
    return status.replace("_", " ")


def _plural(n: int, word: str, plural: Optional[str] = None) -> str:
    return f"{n:,} {word if n == 1 else plural or word + 's'}"


def _md_table(headers: Sequence[str], rows: Iterable[Sequence[str]], align: str = "") -> str:
    rows = list(rows)
    marks = ["---:" if a == "r" else "---" for a in align.ljust(len(headers), "l")]
    lines = ["| " + " | ".join(headers) + " |", "| " + " | ".join(marks) + " |"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines) + "\n"


# --- The data behind every view ----------------------------------------------------------------


class _Report:
    """Everything the views need, computed once."""

    def __init__(self, entries: list[Entry], sources: dict[str, Source], as_of: dt.date) -> None:
        self.as_of = as_of
        self.sources = sources
        self.entries = sorted(entries, key=lambda e: (e.said_on, e.id))
        frames = score.score(self.entries, as_of)
        self.overall = self._records(frames["overall"])["overall"]
        self.predictions = self._records(frames["predictions"])["predictions"]
        self.claims = self._records(frames["claims"])["claims"]
        self.scored = sum(self.predictions[s] for s in SCORED_STATUSES)  # the headline hit rate's n
        self.boards = {by: self._records(frames[by]) for by, _ in GROUPINGS}
        self.calibration = [{k: _num(v) for k, v in r.items()} for r in frames["calibration"].to_dict("records")]
        self.overdue = due(self.entries, as_of)[0]
        self.overdue_without_criteria = sum(d.entry.criteria is None for d in self.overdue)
        self.rows = chart.timeline_rows(self.entries, as_of)
        figure = chart.draw(self.rows, as_of)
        self.svg, self.png = chart.to_svg(figure), chart.to_png(figure)

    @staticmethod
    def _records(frame: Any) -> dict[str, dict[str, Any]]:
        # to_dict keeps each column's type; iterrows would turn the counts into floats.
        return {str(name): {k: _num(v) for k, v in row.items()} for name, row in frame.to_dict("index").items()}

    def group_label(self, by: str, name: str) -> str:
        if by == "source" and name in self.sources:
            s = self.sources[name]
            return f"{s.title_en or s.title} ({name})"
        if by == "kind":
            return {"prediction": "predictions", "claim": "claims"}.get(name, name)
        return name

    def deadline(self, e: Entry) -> str:
        if e.deadline is None:
            return "claim" if e.kind == "claim" else "no deadline"
        w = window(e.deadline, e.said_on)
        # A relative deadline's end depends on the day said, so spell it out.
        return f"{w.text} (ends {w.end.isoformat()})" if w.text.startswith("within") else w.text

    def status(self, e: Entry) -> str:
        label = _status_label(e.status)
        if e.resolved_on:
            return f"{label}, {e.resolved_on.isoformat()}"
        return f"{label}, checked {e.checked_on.isoformat()}" if e.checked_on else label

    def evidence(self, e: Entry) -> list[tuple[str, Optional[str], str]]:
        """Each piece of evidence as (label, url or None, what it says: type, date, “quote” and note)."""
        out: list[tuple[str, Optional[str], str]] = []
        for ev in e.evidence:
            # Two passages of one source share a label: the quote and note are what tell them apart.
            kind = f"[{ev.type}{', ' + ev.published_on.isoformat() if ev.published_on else ''}]"
            detail = " ".join(x for x in (kind, f"“{ev.quote}”" if ev.quote else "", ev.note) if x)
            if ev.url:
                host = re.sub(r"^https?://(www\.)?", "", ev.url).split("/")[0] or ev.url
                out.append((ev.publisher or host, ev.url, detail))
            elif ev.source:
                # The source id, not its title: titles run to a sentence and would bury the passage.
                s = self.sources.get(ev.source)
                out.append((ev.source, s.url if s else None, detail))
        return out

    def headline(self) -> list[str]:
        """The headline sentences, in Markdown; every score sits beside the resolution rate and overdue count."""
        o, p, c = self.overall, self.predictions, self.claims
        kinds = self.boards["kind"]
        mix = ", ".join(_plural(kinds[k]["entries"], k) for k in ("prediction", "claim") if k in kinds)
        context = f"predictions' resolution rate {_rate(p)}, {p['overdue']:,} overdue"
        lines = [
            f"**{_plural(o['entries'], 'entry', 'entries')}**" + (f" ({mix})" if mix else "")
            + f" · **{o['resolved']:,} resolved** (resolution rate {_rate(o)})"
            + f" · **{_plural(o['overdue'], 'open prediction')} past the deadline**",
        ]
        if p["hit_rate"] is None:
            lines.append(f"**Predictions' hit rate: none yet**, no prediction is resolved correct, partly correct "
                         f"or wrong ({context})")
        else:
            lines.append(
                f"**Predictions' hit rate {_pct(p['hit_rate'])}** (95% interval {_pct(p['hit_rate_low'])}–"
                f"{_pct(p['hit_rate_high'])}, from {_plural(self.scored, 'scored prediction')}; {context})"
            )
        if p["brier"] is None:
            lines.append(f"**Predictions' Brier score: none yet**, no scored prediction states a confidence ({context})")
        else:
            lines.append(
                f"**Predictions' Brier score {p['brier']:.3f}** (from {_plural(p['brier_n'], 'prediction')} with a "
                f"stated confidence; lower is better; {context})"
            )
        lines.append(
            f"**Claims: {c['resolved']:,} of {c['entries']:,} checked**: {c['correct']:,} true, "
            f"{c['partly_correct']:,} partly true, {c['wrong']:,} false, {c['unresolvable']:,} unresolvable "
            f"(not part of the hit rate)"
        )
        return lines


# --- Views -------------------------------------------------------------------------------------

_BOARD_HEADERS = ("Entries", "Resolved", "Resolution rate", "Overdue", "Correct", "Partly", "Wrong",
                  "Unresolvable", "Withdrawn", "Open", "Hit rate (95% interval)", "Brier (n)")


def _board_cells(row: dict[str, Any]) -> list[str]:
    return [f"{row['entries']:,}", f"{row['resolved']:,}", _rate(row), f"{row['overdue']:,}", f"{row['correct']:,}",
            f"{row['partly_correct']:,}", f"{row['wrong']:,}", f"{row['unresolvable']:,}",
            f"{row['withdrawn']:,}", f"{row['open']:,}", _hit(row), _brier(row)]


def _readme(r: _Report) -> str:
    out = ["# Ledger report", "",
           f"As of **{r.as_of.isoformat()}**. Generated by `ledger report` from `claims.yaml`: edit the ledger, "
           "not this file.", ""]
    if not r.entries:
        out += ["The ledger is empty: no entries have been recorded yet.", ""]
    out += [f"- {line}" for line in r.headline()] + [""]
    out += ["How to read this report:", ""] + [f"- {d}" for d in DEFINITIONS] + [""]

    out += ["## Awaiting resolution", ""]
    if r.overdue:
        out += [f"{_plural(len(r.overdue), 'open prediction')} past the deadline, {AWAITING_ORDER}; "
                f"{r.overdue_without_criteria:,} of them still without criteria:", ""]
        out.append(_md_table(
            ["Overdue since", "Deadline", "Said", "Checked", "Speaker", "Summary", "Id"],
            ([_since(d), md(d.window.text), d.entry.said_text, d.entry.checked_text, md(d.entry.speaker),
              md(d.entry.summary), md(d.entry.id)] for d in r.overdue), "r"))
    else:
        out += ["No open prediction is past its deadline.", ""]

    out += ["## Timeline", "", "![timeline](timeline.svg)", "",
            "Also as [PNG](timeline.png); the data as [CSV](claims.csv), [JSON scores](scoreboard.json) and "
            "[ClaimReview JSON-LD](claimreview.jsonld).", "",
            f"{HISTORY_LINK} [history.md](history.md).", ""]

    out += ["## Scoreboards", ""]
    for by, title in GROUPINGS:
        out += [f"### By {title.lower()}", ""]
        board = r.boards[by]
        if board:
            out.append(_md_table([title, *_BOARD_HEADERS],
                                 ([md(r.group_label(by, name)), *_board_cells(row)] for name, row in board.items()),
                                 "l" + "r" * 12))
        else:
            out += ["No entries.", ""]
    out += ["### Calibration", "",
            "Scored predictions with a stated confidence, by confidence: a well-calibrated speaker's mean outcome "
            "is close to the mean confidence.", ""]
    out.append(_md_table(["Confidence", "Entries", "Mean confidence", "Mean outcome"],
                         ([c["bin"], str(c["count"]), _pct(c["mean_confidence"]), _pct(c["mean_outcome"])]
                          for c in r.calibration), "lrrr"))

    out += ["## All entries", ""]
    if r.entries:
        out.append(_md_table(
            ["Id", "Said", "Speaker", "Summary", "Quote", "Deadline", "Status", "Criteria", "Evidence"],
            ([md(e.id), e.said_text, md(e.speaker), md(e.summary), md(e.quote), md(r.deadline(e)),
              md(r.status(e)), md(e.criteria or ""), "<br>".join(markdown_link(label, url) + (f": {md(detail)}" if detail else "")
                                        for label, url, detail in r.evidence(e))]
             for e in r.entries)))
    else:
        out += ["No entries.", ""]
    return "\n".join(out).rstrip("\n") + "\n"


def _scoreboard_json(r: _Report) -> str:
    data: dict[str, Any] = {"as_of": r.as_of.isoformat(), "overall": r.overall, "predictions": r.predictions,
                            "claims": r.claims}
    data.update({f"by_{by}": r.boards[by] for by, _ in GROUPINGS})
    data["calibration"] = r.calibration
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def _claimreview(r: _Report) -> str:
    reviews = []
    for e in r.entries:
        if e.status == "open":
            continue
        claim: dict[str, Any] = {"@type": "Claim", "author": {"@type": "Person", "name": e.speaker},
                                 "datePublished": e.said_on.isoformat()}
        source = r.sources.get(e.source)
        if source and web_url(source.url):
            claim["appearance"] = {"@type": "CreativeWork", "url": source.url, "headline": source.title}
        rating: dict[str, Any] = {"@type": "Rating", "alternateName": _status_label(e.status)}
        if e.status in SCORED_STATUSES:  # unresolvable and withdrawn are no verdict, so no value
            rating.update(ratingValue=RATING[e.status], bestRating=5, worstRating=1)
        review: dict[str, Any] = {"@type": "ClaimReview", "identifier": e.id, "claimReviewed": e.summary,
                                  "itemReviewed": claim, "reviewRating": rating}
        if e.resolved_on:
            review["datePublished"] = e.resolved_on.isoformat()
        urls = [url for _, url, _ in r.evidence(e) if web_url(url)]
        if urls:
            review["url"] = urls[0]
        reviews.append(review)
    return json.dumps({"@context": "https://schema.org", "@graph": reviews}, ensure_ascii=False, indent=2) + "\n"


# --- HTML --------------------------------------------------------------------------------------

_CSS = """
:root{--ink:#1f2328;--muted:#59636e;--line:#d1d9e0;--bg:#f6f8fa;--late:#b2182b}
*{box-sizing:border-box}
body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI","Noto Sans","Noto Sans CJK SC","PingFang SC",
"Microsoft YaHei",sans-serif;color:var(--ink);background:#fff}
main{max-width:1320px;margin:0 auto;padding:28px 24px 64px}
h1{font-size:28px;margin:0 0 4px}h2{font-size:20px;margin:40px 0 10px;padding-bottom:6px;
border-bottom:1px solid var(--line)}h3{font-size:16px;margin:24px 0 8px}
.asof{color:var(--muted);margin:0 0 20px}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(190px,1fr));gap:12px;margin:8px 0 12px}
.card{background:var(--bg);border:1px solid var(--line);border-radius:8px;padding:12px 14px}
.card b{display:block;font-size:26px;line-height:1.2}.card span{color:var(--muted);font-size:13px}
.card.warn b{color:var(--late)}
.note{color:var(--muted);font-size:13px;margin:4px 0}
ul.defs{color:var(--muted);font-size:13px;padding-left:18px;margin:8px 0}
figure{margin:0;overflow-x:auto;border:1px solid var(--line);border-radius:8px;padding:8px}
figure img{display:block;width:100%;min-width:900px;height:auto}
.wrap{overflow-x:auto;border:1px solid var(--line);border-radius:8px}
table{border-collapse:collapse;width:100%;font-size:13.5px}
th,td{padding:6px 9px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
tbody tr:last-child td{border-bottom:0}
th{background:var(--bg);cursor:pointer;user-select:none;vertical-align:bottom}
table.board td:first-child{white-space:nowrap}
th:after{content:" \\2195";color:#aab2bb;font-size:11px}
th[aria-sort=ascending]:after{content:" \\25B2";color:var(--ink)}
th[aria-sort=descending]:after{content:" \\25BC";color:var(--ink)}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}td.n{white-space:nowrap}
tbody tr:hover{background:#f9fafb}
td.q{min-width:240px;max-width:340px}td.s{min-width:220px;max-width:300px}td.nowrap{white-space:nowrap}
td.i{min-width:11em;max-width:15em;overflow-wrap:anywhere}td.e{min-width:200px}
.id{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:12px;color:var(--muted)}
.st{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;white-space:nowrap;
background:#eaeef2}
.st-correct{background:#d3f0e6;color:#00573f}.st-partly_correct{background:#fbe8c4;color:#7a4d00}
.st-wrong{background:#fadbd0;color:#8a2e00}.st-unresolvable{background:#e6e6e6;color:#444}
.st-withdrawn{background:#f4dcea;color:#7b2e5b}.st-open{background:#dceefb;color:#0b4f7c}
.late{color:var(--late);font-weight:600}
input[type=search]{width:100%;max-width:420px;padding:7px 10px;border:1px solid var(--line);border-radius:6px;
font:inherit;margin:0 0 10px}
"""

_JS = """
document.querySelectorAll("table.sortable").forEach(function (table) {
  table.querySelectorAll("th").forEach(function (th, col) {
    th.addEventListener("click", function () {
      var asc = th.getAttribute("aria-sort") !== "ascending";
      table.querySelectorAll("th").forEach(function (h) { h.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", asc ? "ascending" : "descending");
      var body = table.tBodies[0], rows = Array.prototype.slice.call(body.rows);
      var key = function (row) {
        var cell = row.cells[col], v = cell.getAttribute("data-v");
        if (v === null) { return cell.textContent.trim().toLowerCase(); }
        return v === "" ? -Infinity : Number(v);
      };
      rows.sort(function (a, b) {
        var x = key(a), y = key(b);
        return (x < y ? -1 : x > y ? 1 : 0) * (asc ? 1 : -1);
      });
      rows.forEach(function (row) { body.appendChild(row); });
    });
  });
});
var filter = document.getElementById("filter");
if (filter) {
  filter.addEventListener("input", function () {
    var q = filter.value.trim().toLowerCase();
    document.querySelectorAll("#entries tbody tr").forEach(function (row) {
      row.hidden = q !== "" && row.textContent.toLowerCase().indexOf(q) < 0;
    });
  });
}
"""


def _td(text: str, cls: str = "", sort: Any = None) -> str:
    """A cell of already-escaped HTML; `sort` is the value sorting uses instead of the text."""
    attrs = f' class="{cls}"' if cls else ""
    if sort is not None or cls == "n":
        value = _num(sort)
        attrs += f' data-v="{h("" if value is None else value)}"'
    return f"<td{attrs}>{text}</td>"


def _html_table(headers: Sequence[tuple[str, str]], rows: Iterable[str], ident: str = "", kind: str = "") -> str:
    head = "".join(f'<th class="{cls}" scope="col">{h(name)}</th>' for name, cls in headers)
    attr = f' id="{h(ident)}"' if ident else ""
    return (f'<div class="wrap"><table class="sortable {kind}"{attr}><thead><tr>{head}</tr></thead>\n<tbody>\n'
            + "".join(f"<tr>{row}</tr>\n" for row in rows) + "</tbody></table></div>\n")


def _badge(status: str, text: str) -> str:
    return f'<span class="st st-{h(status)}">{h(text)}</span>'


def _html_md(text: str) -> str:
    # The shared sentences use **bold** only; everything else in them is escaped.
    return re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", h(text))


def _index(r: _Report) -> str:
    o, p, c = r.overall, r.predictions, r.claims
    cards = [
        ("", f"{o['entries']:,}", "entries"),
        ("", f"{o['resolved']:,}", f"resolved · resolution rate {_rate(o)}"),
        ("warn" if o["overdue"] else "", f"{o['overdue']:,}", "open predictions past the deadline"),
        ("", _pct(p["hit_rate"]), f"predictions' hit rate · 95% interval {_pct(p['hit_rate_low'])}–"
         f"{_pct(p['hit_rate_high'])} · n={r.scored:,}" if p["hit_rate"] is not None
         else "predictions' hit rate · nothing scored yet"),
        ("", "–" if p["brier"] is None else f"{p['brier']:.3f}",
         f"predictions' Brier score · n={p['brier_n']:,} · lower is better"),
        ("", f"{c['resolved']:,} of {c['entries']:,}",
         f"claims checked · {c['correct']:,} true, {c['partly_correct']:,} partly, {c['wrong']:,} false"),
    ]
    out = [
        "<!doctype html>",
        '<html lang="en">',
        '<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Ledger report, as of {h(r.as_of.isoformat())}</title>",
        f"<style>{_CSS}</style></head>",
        "<body><main>",
        "<h1>Ledger report</h1>",
        f'<p class="asof">Predictions and checkable claims of AI leaders, as of <b>{h(r.as_of.isoformat())}</b>.</p>',
    ]
    if not r.entries:
        out.append('<p class="late">The ledger is empty: no entries have been recorded yet.</p>')
    out.append('<div class="cards">' + "".join(
        f'<div class="card {cls}"><b>{h(value)}</b><span>{h(caption)}</span></div>' for cls, value, caption in cards
    ) + "</div>")
    out.append(f'<p class="note">Every score is shown beside the resolution rate ({h(_rate(o))}) and the number of '
               f"open predictions past their deadline ({o['overdue']:,}): a score from few resolved entries says "
               "little.</p>")
    out.append('<ul class="defs">' + "".join(f"<li>{_html_md(d)}</li>" for d in DEFINITIONS) + "</ul>")

    out.append('<h2 id="awaiting">Awaiting resolution</h2>')
    if r.overdue:
        out.append(f'<p class="note">{h(_plural(len(r.overdue), "open prediction"))} past the deadline, '
                   f"{h(AWAITING_ORDER)}; {r.overdue_without_criteria:,} of them still without criteria.</p>")
        out.append(_html_table(
            [("Overdue since", ""), ("Deadline", ""), ("Said", ""), ("Checked", ""), ("Speaker", ""), ("Summary", ""),
             ("Id", "")],
            (_td(f'<span class="late">{_since(d)}</span>', "nowrap", -d.days) + _td(h(d.window.text), "nowrap")
             + _td(h(d.entry.said_text), "nowrap", d.entry.said_on.toordinal())
             + _td(h(d.entry.checked_text), "nowrap") + _td(h(d.entry.speaker), "nowrap")
             + _td(h(d.entry.summary), "s") + _td(f'<a class="id" href="#e-{h(d.entry.id)}">{h(d.entry.id)}</a>')
             for d in r.overdue)))
    else:
        out.append('<p class="note">No open prediction is past its deadline.</p>')

    out.append('<h2 id="timeline">Timeline</h2>')
    # Linked, not embedded: the chart is a file of its own beside the page, and base64 would make it a third larger.
    out.append(f'<figure><img src="timeline.svg" alt="Timeline of {h(_plural(len(r.rows), "prediction"))}, '
               f'as of {h(r.as_of.isoformat())}"></figure>')
    out.append(f'<p class="note">{h(HISTORY_LINK)} <a href="history.md">history.md</a>.</p>')

    out.append('<h2 id="scoreboards">Scoreboards</h2>')
    out.append('<p class="note">Click a column heading to sort. Hit rates show the 95% interval.</p>')
    for by, title in GROUPINGS:
        out.append(f"<h3>By {h(title.lower())}</h3>")
        board = r.boards[by]
        if not board:
            out.append('<p class="note">No entries.</p>')
            continue
        headers = [(title, ""), *((name, "n") for name in _BOARD_HEADERS)]
        sort_keys = ("entries", "resolved", None, "overdue", "correct", "partly_correct", "wrong", "unresolvable",
                     "withdrawn", "open", "hit_rate", "brier")
        out.append(_html_table(headers, (
            _td(h(r.group_label(by, name)))
            + "".join(_td(h(cell), "n", row[k] if k else (row["resolved"] / row["entries"] if row["entries"] else None))
                      for cell, k in zip(_board_cells(row), sort_keys))
            for name, row in board.items()), kind="board"))
    out.append("<h3>Calibration</h3>")
    out.append(_html_table(
        [("Confidence", ""), ("Entries", "n"), ("Mean confidence", "n"), ("Mean outcome", "n")],
        (_td(h(c["bin"])) + _td(h(c["count"]), "n", c["count"]) + _td(h(_pct(c["mean_confidence"])), "n",
                                                                     c["mean_confidence"])
         + _td(h(_pct(c["mean_outcome"])), "n", c["mean_outcome"]) for c in r.calibration)))

    out.append('<h2 id="entries-heading">All entries</h2>')
    if r.entries:
        out.append('<input type="search" id="filter" placeholder="Filter entries by any text…" '
                   'aria-label="Filter entries">')
        rows, overdue = [], {d.entry.id for d in r.overdue}
        for e in r.entries:
            late = e.id in overdue
            status = _badge(e.status, _status_label(e.status))
            if e.resolved_on:
                status += f'<br><span class="note">{h(e.resolved_on.isoformat())}</span>'
            elif e.checked_on:
                status += f'<br><span class="note">checked {h(e.checked_on.isoformat())}</span>'
            if late:
                status += '<br><span class="late">overdue</span>'
            rows.append(
                f'<td class="i"><a class="id" id="e-{h(e.id)}" href="#e-{h(e.id)}">{h(e.id)}</a></td>'
                + _td(h(e.said_text), "nowrap", e.said_on.toordinal()) + _td(h(e.speaker), "nowrap") + _td(h(e.summary), "s")
                + _td(h(e.quote), "q") + _td(h(r.deadline(e))) + _td(status, "nowrap") + _td(h(e.criteria or ""), "s")
                + _td("<br>".join(html_link(label, url) + (f": {h(detail)}" if detail else "")
                                 for label, url, detail in r.evidence(e)), "e")
            )
        out.append(_html_table([("Id", ""), ("Said", ""), ("Speaker", ""), ("Summary", ""), ("Quote", ""),
                                ("Deadline", ""), ("Status", ""), ("Criteria", ""), ("Evidence", "")], rows, "entries"))
    else:
        out.append('<p class="note">No entries.</p>')
    out.append(f'<p class="note">Generated by <code>ledger report</code> as of {h(r.as_of.isoformat())}. '
               "Also available: README.md, claims.csv, scoreboard.json, claimreview.jsonld, timeline.svg, "
               "timeline.png.</p>")
    out.append(f"</main><script>{_JS}</script></body></html>")
    return "\n".join(out) + "\n"


# --- Public API --------------------------------------------------------------------------------


def _since(d: Any) -> str:
    # A date, not a count of days: the report must not change only because a day went by.
    return (d.window.end + dt.timedelta(days=1)).isoformat()


def stable_as_of(entries: list[Entry], recorded: Optional[dt.date], today: dt.date) -> dt.date:
    """The as-of date for a report made today: the recorded one while nothing the report says has changed since.

    Only two things move with the date: which predictions are overdue, and dates in the ledger that lie after
    the recorded day (a check or a verdict recorded since). While neither moved, the committed report stays as
    it is, byte for byte.
    """
    if recorded is None or recorded > today:
        return today
    latest = max((d for e in entries for d in _dates(e)), default=recorded)
    candidate = max(recorded, latest)
    if candidate > today:
        return today
    overdue = {d.entry.id for d in due(entries, candidate)[0]}
    return candidate if overdue == {d.entry.id for d in due(entries, today)[0]} else today


def _dates(e: Entry) -> list[dt.date]:
    found = [e.said_on, *(d for d in (e.resolved_on, e.checked_on) if d is not None)]
    found += [ev.published_on for ev in e.evidence if ev.published_on is not None]
    found += [a.on for a in e.amendments]
    return found


def render(entries: list[Entry], sources: dict[str, Source], as_of: dt.date) -> dict[str, bytes]:
    """Every report file's bytes by file name; writes nothing, and the same input gives the same bytes."""
    r = _Report(entries, sources, as_of)
    texts = {
        "README.md": _readme(r),
        "claimreview.jsonld": _claimreview(r),
        "claims.csv": export.to_csv(export.rows(r.entries, as_of)),
        "index.html": _index(r),
        "scoreboard.json": _scoreboard_json(r),
    }
    outputs = {name: text.encode("utf-8") for name, text in texts.items()}
    outputs.update({"timeline.png": r.png, "timeline.svg": r.svg})
    return {name: outputs[name] for name in FILES}


def write(outputs: dict[str, bytes], out_dir: Path) -> None:
    """Replace the report in `out_dir` with `outputs` as a whole: a reader, or a crash, finds the complete old
    report or the complete new one, never a mix (atomic.replace_dir)."""
    for name in outputs:
        if name in ("", ".", "..") or Path(name).name != name or "/" in name or "\\" in name:
            raise ValueError(f"report file name {name!r} must be a plain file name inside the output directory")
    atomic.replace_dir(out_dir, outputs, 0o644)  # a published report is world-readable


def stale(outputs: dict[str, bytes], out_dir: Path) -> list[str]:
    """Names of the files in `outputs` that are missing from `out_dir` or differ from it."""
    changed = []
    for name, data in outputs.items():
        path = out_dir / name
        if not path.is_file() or path.read_bytes() != data:
            changed.append(name)
    return sorted(changed)


def recorded_as_of(out_dir: Path) -> Optional[dt.date]:
    """The as-of date of the report in `out_dir`, from its scoreboard.json; None if there is none."""
    try:
        data = json.loads((out_dir / "scoreboard.json").read_text(encoding="utf-8"))
        return dt.date.fromisoformat(data["as_of"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
