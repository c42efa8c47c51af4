"""The report's index.html: one self-contained page for readers, every ledger string escaped."""

from __future__ import annotations

import re
from typing import Any, Iterable, Sequence

from ledger.escape import html as h, html_link
from ledger.summary import (AWAITING_ORDER, BOARD_HEADERS, DEFINITIONS, GROUPINGS, HISTORY_LINK, Report, board_cells,
                            num, partial_note, pct, plural, rate, since, status_label, timeline_caption)


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
figure{margin:8px 0;border:1px solid var(--line);border-radius:8px;padding:8px;max-width:918px}
figure img,figure svg{display:block;width:100%;height:auto}
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
        value = num(sort)
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
    # The shared sentences use **bold** and `code` only; everything else in them is escaped.
    return re.sub(r"`(.+?)`", r"<code>\1</code>", re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", h(text)))


def render(r: Report) -> str:
    """index.html's text."""
    o, p, c = r.overall, r.predictions, r.claims
    cards = [
        ("", f"{o['entries']:,}", "entries"),
        ("", f"{o['resolved']:,}", f"resolved · resolution rate {rate(o)}"),
        ("warn" if o["overdue"] else "", f"{o['overdue']:,}", "open predictions past the deadline"),
        ("", pct(p["hit_rate"]), f"predictions' hit rate · 95% interval {pct(p['hit_rate_low'])}–"
         f"{pct(p['hit_rate_high'])} · n={r.scored:,}" if p["hit_rate"] is not None
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
    # Each chart opens full size on a tap: on a phone, the page's width is too small to read it.
    out.append('<figure class="chart"><a href="scorecard.svg"><img src="scorecard.svg" alt="Scorecard: each '
               'speaker\'s entries by verdict, with the number of entries"></a></figure>')
    out.append(f'<p class="note">Every score is shown beside the resolution rate ({h(rate(o))}) and the number of '
               f"open predictions past their deadline ({o['overdue']:,}): a score from few resolved entries says "
               "little.</p>")
    out.append('<ul class="defs">' + "".join(f"<li>{_html_md(d)}</li>" for d in DEFINITIONS) + "</ul>")

    out.append('<h2 id="awaiting">Awaiting resolution</h2>')
    if r.overdue:
        out.append(f'<p class="note">{h(plural(len(r.overdue), "open prediction"))} past the deadline, '
                   f"{h(AWAITING_ORDER)}; {r.overdue_without_criteria:,} of them still without criteria.</p>")
        out.append(_html_table(
            [("Overdue since", ""), ("Deadline", ""), ("Said", ""), ("Checked", ""), ("Speaker", ""), ("Summary", ""),
             ("Id", "")],
            (_td(f'<span class="late">{since(d)}</span>', "nowrap", -d.days) + _td(h(d.window.text), "nowrap")
             + _td(h(d.entry.said_text), "nowrap", d.entry.said_on.toordinal())
             + _td(h(d.entry.checked_text), "nowrap") + _td(h(d.entry.speaker), "nowrap")
             + _td(h(d.entry.summary), "s")
             + _td(f'<a class="id" href="#e-{h(d.entry.id)}">{h(d.entry.id)}</a>' if d.entry.id in r.listed_ids
                   else f'<span class="id">{h(d.entry.id)}</span>')
             for d in r.overdue)))
    else:
        out.append('<p class="note">No open prediction is past its deadline.</p>')

    out.append('<h2 id="timeline">Timeline</h2>')
    out.append(f'<p class="note">{h(timeline_caption(r))} Each row links to its entry below.</p>')
    # Inline, so that each row's link and tooltip work; the file beside the page is the same drawing.
    svg = r.svg["timeline"].decode("utf-8")
    out.append('<figure class="chart" role="img" aria-label="Timeline of '
               f'{h(plural(len(r.rows), "prediction"))} with a deadline or a verdict, as of {h(r.as_of.isoformat())}">'
               + svg[svg.index("<svg"):] + '<figcaption class="note"><a href="timeline.svg">Open the timeline full '
               "size</a></figcaption></figure>")
    out.append(f'<p class="note">{h(HISTORY_LINK)} <a href="history.md">history.md</a>.</p>')

    out.append('<h2 id="scoreboards">Scoreboards</h2>')
    out.append('<p class="note">Click a column heading to sort. Hit rates show the 95% interval.</p>')
    for by, title in GROUPINGS:
        out.append(f"<h3>By {h(title.lower())}</h3>")
        board = r.boards[by]
        if not board:
            out.append('<p class="note">No entries.</p>')
            continue
        headers = [(title, ""), *((name, "n") for name in BOARD_HEADERS)]
        sort_keys = ("entries", "resolved", None, "overdue", "correct", "partly_correct", "wrong", "unresolvable",
                     "withdrawn", "open", "hit_rate", "brier")
        out.append(_html_table(headers, (
            _td(h(r.group_label(by, name)))
            + "".join(_td(h(cell), "n", row[k] if k else (row["resolved"] / row["entries"] if row["entries"] else None))
                      for cell, k in zip(board_cells(row), sort_keys))
            for name, row in board.items()), kind="board"))
    out.append("<h3>Calibration</h3>")
    out.append('<figure class="chart"><a href="calibration.svg"><img src="calibration.svg" alt="Calibration chart: '
               f'stated confidence against how often it came true, {h(plural(r.calibrated, "resolved prediction"))} '
               'with a confidence"></a></figure>')
    out.append(_html_table(
        [("Confidence", ""), ("Entries", "n"), ("Mean confidence", "n"), ("Mean outcome", "n")],
        (_td(h(c["bin"])) + _td(h(c["count"]), "n", c["count"]) + _td(h(pct(c["mean_confidence"])), "n",
                                                                     c["mean_confidence"])
         + _td(h(pct(c["mean_outcome"])), "n", c["mean_outcome"]) for c in r.calibration)))

    out.append('<h2 id="entries-heading">All entries</h2>')
    if len(r.listed) < len(r.entries):
        out.append(f'<p class="note">{_html_md(partial_note(r, "claims.csv"))}</p>')
    if r.entries:
        out.append('<input type="search" id="filter" placeholder="Filter entries by any text…" '
                   'aria-label="Filter entries">')
        rows, overdue = [], {d.entry.id for d in r.overdue}
        for e in r.listed:
            late = e.id in overdue
            status = _badge(e.status, status_label(e.status))
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
               "Also available: README.md, claims.csv, scoreboard.json, claimreview.jsonld, and each chart as "
               "SVG and PNG.</p>")
    out.append(f"</main><script>{_JS}</script></body></html>")
    return "\n".join(out) + "\n"
