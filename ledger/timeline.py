"""The timeline chart: one row per prediction that has a deadline or a verdict, from the day said to its end.

`timeline_rows` is the data (pure, tested); `draw` turns it into a matplotlib Figure. Open predictions with no
deadline are not rows: nothing on a time axis can be said of them, so the caption counts them and the tables
list them. Above THRESHOLD rows one row each would be a wall, so `draw` shows counts by speaker and by
deadline quarter instead (see `aggregate`). In the SVG each row links to its entry and carries its summary
as a tooltip (`with_tooltips`).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, Optional

from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import PercentFormatter
from matplotlib.transforms import blended_transform_factory

from ledger import escape
from ledger.chart import (INK, LATE, MUTED, GRID, STATES, WIDTH, DPI, bar_style, days, header, plural, style, to_png,
                          to_svg, year_axis)
from ledger.deadlines import window
from ledger.model import Entry

THRESHOLD = 150  # rows drawn one by one up to this many predictions
TOP_SPEAKERS = 20  # the aggregate view folds the rest into one bar
LABEL_CHARS = 40  # the longest label; a longer summary is cut at a word
HORIZON = 5  # years after the as-of date the row view shows; rows ending later are cut and labelled
_WINDOW_FILL = (0.337, 0.706, 0.914, 0.3)  # Okabe-Ito sky blue at 30%; alpha in the colour keeps edges solid


@dataclass(frozen=True)
class Row:
    """One prediction on the timeline."""

    id: str
    speaker: str
    label: str
    summary: str
    said_on: dt.date
    deadline: Optional[str]
    start: Optional[dt.date]  # the deadline window; None when there is no deadline
    end: Optional[dt.date]
    status: str
    resolved_on: Optional[dt.date]
    days_overdue: int  # 0 unless open and past the end of its window

    @property
    def overdue(self) -> bool:
        """Whether the prediction is open and its deadline window has ended."""
        return self.days_overdue > 0

    @property
    def state(self) -> str:
        """The status, with open split into overdue, running and no deadline."""
        if self.status != "open":
            return self.status
        if self.end is None:
            return "no_deadline"
        return "overdue" if self.overdue else "open"


@dataclass(frozen=True)
class Aggregate:
    """Counts by state for predictions too many to draw one by one."""

    total: int
    by_speaker: list[tuple[str, dict[str, int]]]  # most predictions first; the rest in one 'N others' bar
    by_quarter: list[tuple[dt.date, dict[str, int]]]  # quarter in which the deadline window ends
    no_deadline: int = 0


def short_label(summary: str, speaker: str = "", limit: int = LABEL_CHARS) -> str:
    """The summary in at most `limit` characters, cut at a word boundary with an ellipsis when it is longer.

    The rows stand under their speaker's name, so an opening "Altman says (that)" is left out of the label.
    """
    text = " ".join(summary.split())
    surname = speaker.split()[-1] if speaker.split() else ""
    opening = re.match(rf"{re.escape(surname)} (?:is \w+ that |\w+(?:s|ed) (?:that )?)", text) if surname else None
    if opening and len(text) > opening.end():
        text = text[opening.end()].upper() + text[opening.end() + 1 :]
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:.-") + "…"


def undrawn(entries: list[Entry]) -> int:
    """Open predictions without a deadline: counted in the caption, not drawn."""
    return sum(e.kind == "prediction" and e.deadline is None and e.status == "open" for e in entries)


def timeline_rows(entries: list[Entry], as_of: dt.date) -> list[Row]:
    """Predictions with a deadline or a verdict as rows, by speaker (most rows first), then soonest end first."""
    rows = []
    for e in entries:
        if e.kind != "prediction" or (e.deadline is None and e.status == "open"):
            continue
        w = window(e.deadline, e.said_on) if e.deadline is not None else None
        late = (as_of - w.end).days if w and e.status == "open" else 0
        rows.append(Row(e.id, e.speaker, e.label or short_label(e.summary, e.speaker), e.summary, e.said_on,
                        w.text if w else None, w.start if w else None, w.end if w else None, e.status,
                        e.resolved_on, max(late, 0)))
    counts: dict[str, int] = {}
    for r in rows:
        counts[r.speaker] = counts.get(r.speaker, 0) + 1
    return sorted(rows, key=lambda r: (-counts[r.speaker], r.speaker, r.end is None, r.end or r.said_on, r.said_on,
                                       r.id))


def _quarter(day: dt.date) -> dt.date:
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def aggregate(rows: list[Row], top: int = TOP_SPEAKERS) -> Aggregate:
    """Counts by state per speaker (the `top` with most predictions, the rest folded) and per deadline quarter."""
    speakers: dict[str, dict[str, int]] = {}
    quarters: dict[dt.date, dict[str, int]] = {}
    for r in rows:
        mix = speakers.setdefault(r.speaker, {})
        mix[r.state] = mix.get(r.state, 0) + 1
        if r.end is not None:
            mix = quarters.setdefault(_quarter(r.end), {})
            mix[r.state] = mix.get(r.state, 0) + 1
    order = sorted(speakers, key=lambda s: (-sum(speakers[s].values()), s))
    by_speaker = [(s, speakers[s]) for s in order[:top]]
    rest = order[top:]
    if rest:
        folded: dict[str, int] = {}
        for s in rest:
            for state, n in speakers[s].items():
                folded[state] = folded.get(state, 0) + n
        by_speaker.append((f"{len(rest)} other speakers", folded))
    return Aggregate(len(rows), by_speaker, sorted(quarters.items()), sum(r.end is None for r in rows))


# --- Drawing ---------------------------------------------------------------------------------


def draw(rows: list[Row], as_of: dt.date, not_drawn: int = 0) -> Figure:
    """The timeline as a Figure: one row per prediction, or counts when there are more than THRESHOLD."""
    with style():
        if not rows:
            fig = Figure(figsize=(WIDTH, 1.3), dpi=DPI)
            header(fig, 1.3, f"Timeline, as of {as_of.isoformat()}",
                   "No prediction has a deadline or a verdict yet"
                   + (f"; {plural(not_drawn, 'open prediction')} without a deadline are listed in the tables."
                      if not_drawn else "."))
            return fig
        if len(rows) > THRESHOLD:
            return _draw_aggregate(aggregate(rows), as_of, not_drawn)
        return _draw_rows(rows, as_of, not_drawn)


def _legend(rows: list[Row]) -> list[Any]:
    handles: list[Any] = [Line2D([], [], color=MUTED, lw=1.2, label="said → deadline"),
                          Patch(facecolor=_WINDOW_FILL, label="deadline window")]
    for s in ("correct", "partly_correct", "wrong", "unresolvable", "withdrawn"):
        if any(r.status == s for r in rows):
            colour, marker, text = STATES[s]
            handles.append(Line2D([], [], ls="", marker=marker, markersize=7, markerfacecolor=colour,
                                  markeredgecolor="white", label=text))
    if any(r.overdue for r in rows):
        handles.append(Patch(facecolor=_WINDOW_FILL, edgecolor=LATE, linewidth=1.4, label="open, overdue"))
    return handles


def _draw_rows(rows: list[Row], as_of: dt.date, not_drawn: int) -> Figure:
    # Layout in inches so text keeps its size however many rows there are.
    groups: list[tuple[str, list[Row]]] = []
    for r in rows:
        if not groups or groups[-1][0] != r.speaker:
            groups.append((r.speaker, []))
        groups[-1][1].append(r)
    row_h, top, bottom, left, right = 0.25, 1.45, 0.45, 3.1, 0.15
    height = top + bottom + row_h * (len(rows) + 1.5 * len(groups) + 0.3)
    fig = Figure(figsize=(WIDTH, height), dpi=DPI)
    ax = fig.add_axes((left / WIDTH, bottom / height, 1 - (left + right) / WIDTH, 1 - (top + bottom) / height))

    first = min(r.said_on for r in rows)
    last = max([as_of + dt.timedelta(days=120)] + [d for r in rows for d in (r.end, r.resolved_on) if d])
    # One far deadline (say 2050) would squeeze every other bar into a sliver: cut the axis at HORIZON
    # years after the as-of date and label the rows that run past it.
    last = min(last, dt.date(as_of.year + HORIZON, 12, 31))
    xlim = (days(first) - 60, days(last) + 30)
    ax.set_xlim(*xlim)
    in_label = blended_transform_factory(fig.transFigure, ax.transData)

    y, ticks, labels, colours = 0.0, [], [], []
    for speaker, members in groups:
        y += 0.5
        overdue = sum(r.overdue for r in members)
        note = plural(len(members), "prediction") + (f", {overdue} overdue" if overdue else "")
        fig.text(0.15 / WIDTH, y, f"{speaker}  ", transform=in_label, fontsize=10, fontweight="bold", color=INK,
                 va="center")
        fig.text(1 - right / WIDTH, y, note, transform=in_label, fontsize=8.5, color=MUTED, va="center", ha="right")
        ax.axhline(y + 0.5, color="#CCCCCC", linewidth=0.8, zorder=0, clip_on=False,
                   xmin=-(left - 0.15) / (WIDTH - left - right))
        y += 1.0
        for r in members:
            _draw_row(ax, r, y, as_of, xlim)
            ticks.append(y)
            labels.append(r.label)
            colours.append(LATE if r.overdue else INK)
            y += 1.0
    ax.set_ylim(y - 0.3, -0.2)
    ax.set_yticks(ticks, labels, fontsize=8.5)
    ax.tick_params(axis="y", length=0, pad=5)
    for tick, colour in zip(ax.get_yticklabels(), colours):
        tick.set_color(colour)
    year_axis(ax)
    ax.axvline(days(as_of), color=INK, linewidth=1.1, zorder=4)
    ax.annotate(f"as of {as_of.isoformat()}", xy=(days(as_of), 1), xycoords=("data", "axes fraction"),
                xytext=(0, 6), textcoords="offset points", fontsize=8.5, fontweight="bold", color=INK,
                ha="center", va="bottom", arrowprops={"arrowstyle": "-", "color": INK, "lw": 1.1,
                                                     "shrinkA": 0, "shrinkB": 0})
    resolved = sum(r.status != "open" for r in rows)
    overdue = sum(r.overdue for r in rows)
    header(fig, height, f"Timeline, as of {as_of.isoformat()}",
           f"{plural(len(rows), 'prediction')} with a deadline or a verdict · {resolved:,} resolved · "
           f"{overdue:,} overdue" + (f" · {not_drawn:,} open without a deadline not drawn" if not_drawn else ""))
    fig.legend(handles=_legend(rows), loc="upper left", ncol=7, frameon=False, fontsize=8.5,
               bbox_to_anchor=(0.1 / WIDTH, 1 - 0.75 / height), handlelength=1.8, columnspacing=1.1)
    return fig


def _draw_row(ax: Any, r: Row, y: float, as_of: dt.date, xlim: tuple[float, float]) -> None:
    # The limits are set by hand: add_artist spares each patch the extent that add_patch computes for autoscaling,
    # and `xlim` spares asking the axes, which would autoscale y again after every row.
    said, span = days(r.said_on), xlim[1] - xlim[0]
    # The whole row is a link to its entry, with the summary as its tooltip (added to the SVG afterwards).
    hit = Rectangle((xlim[0], y - 0.5), span, 1.0, facecolor="white", alpha=0.0, edgecolor="none",
                    zorder=7, gid=f"row-{r.id}")
    hit.set_url(f"index.html#e-{r.id}")
    ax.add_artist(hit)
    ax.plot([said], [y], marker="|", markersize=7, color=MUTED, zorder=3)
    if r.end is None:
        assert r.resolved_on is not None  # rows without a deadline are drawn only with a verdict
        ax.plot([said, days(r.resolved_on)], [y, y], color=MUTED, lw=1.2, ls=(0, (3, 2)), zorder=2)
    else:
        start, end = days(r.start or r.said_on), days(r.end) + 1  # a window includes its last day
        edge = xlim[1]
        if end > edge:
            end = edge
            ax.text(edge - span * 0.004, y, f"ends {r.end.isoformat()} ▸", fontsize=7.5, color=INK, ha="right",
                    va="center", zorder=6, bbox={"boxstyle": "square,pad=0.15", "facecolor": "white",
                                                 "edgecolor": "none", "alpha": 0.85})
        ax.add_artist(Rectangle((start, y - 0.34), max(end - start, span * 0.002), 0.68, facecolor=_WINDOW_FILL,
                                 edgecolor=LATE if r.overdue else "none", linewidth=1.3, zorder=1))
        if r.overdue:
            ax.plot([end, days(as_of)], [y, y], color=LATE, lw=1, ls=(0, (1, 1.5)), zorder=2)
            ax.text(days(as_of) + span * 0.006, y, f"overdue since {r.end + dt.timedelta(days=1)}", fontsize=7.5,
                    color=LATE, fontweight="bold", va="center")
        ax.plot([said, end], [y, y], color=MUTED, lw=1.2, solid_capstyle="butt", zorder=2)
    if r.resolved_on is not None and r.status in STATES:
        colour, marker, _ = STATES[r.status]
        when = days(r.resolved_on)
        if r.end is not None and when > days(r.end) + 1:  # resolved after the window closed: show the wait
            ax.plot([days(r.end) + 1, when], [y, y], color=colour, lw=0.9, ls=(0, (1, 1.5)), zorder=2)
        ax.plot([when], [y], marker=marker, markersize=8, markerfacecolor=colour, markeredgecolor="white",
                markeredgewidth=0.8, ls="", zorder=5)


def _draw_aggregate(agg: Aggregate, as_of: dt.date, not_drawn: int) -> Figure:
    states = [s for s in STATES if any(s in mix for _, mix in agg.by_speaker)]
    speaker_h = 0.3 * len(agg.by_speaker) + 0.4
    top, gap, bottom, quarter_h = 1.4, 0.9, 0.5, 3.0
    height = top + speaker_h + gap + quarter_h + bottom
    fig = Figure(figsize=(WIDTH, height), dpi=DPI)
    left, right = 2.4, 0.6
    ax1 = fig.add_axes((left / WIDTH, (bottom + quarter_h + gap) / height, 1 - (left + right) / WIDTH,
                        speaker_h / height))
    ax2 = fig.add_axes((left / WIDTH, bottom / height, 1 - (left + right) / WIDTH, quarter_h / height))

    # Shares, not counts: a folded 'others' bar would otherwise squash every named speaker.
    names = [name for name, _ in agg.by_speaker]
    totals = [sum(mix.values()) for _, mix in agg.by_speaker]
    offsets = [0.0] * len(names)
    for s in states:
        widths = [100 * mix.get(s, 0) / total for (_, mix), total in zip(agg.by_speaker, totals)]
        ax1.barh(range(len(names)), widths, left=offsets, height=0.72, **bar_style(s))
        offsets = [o + w for o, w in zip(offsets, widths)]
    for i, total in enumerate(totals):
        ax1.text(100.6, i, f"{total:,}", va="center", fontsize=8.5, color=MUTED)
    ax1.set_yticks(range(len(names)), names, fontsize=9)
    ax1.set_ylim(len(names) - 0.4, -0.6)
    ax1.set_xlim(0, 100)
    ax1.xaxis.set_major_formatter(PercentFormatter())
    ax1.tick_params(axis="y", length=0)
    ax1.tick_params(axis="x", labelsize=8, labelcolor=MUTED)
    ax1.set_title("Each speaker's predictions by status (number at the right)", loc="left",
                  fontsize=10, fontweight="bold", color=INK)
    for side in ("top", "right", "left", "bottom"):
        ax1.spines[side].set_visible(False)

    # As in the row view, deadlines past the horizon would squeeze the rest: they share one bar at the end.
    horizon = dt.date(as_of.year + HORIZON + 1, 1, 1)
    quarters = [(q, mix) for q, mix in agg.by_quarter if q < horizon]
    later: dict[str, int] = {}
    for q, mix in agg.by_quarter:
        if q >= horizon:
            for state, n in mix.items():
                later[state] = later.get(state, 0) + n
    if later:
        quarters.append((horizon, later))
    centres = [days(q) + 45 for q, _ in quarters]
    base = [0] * len(centres)
    for s in states:
        counts = [mix.get(s, 0) for _, mix in quarters]
        shown = [i for i, c in enumerate(counts) if c]  # an empty hatched bar would still draw its edge
        ax2.bar([centres[i] for i in shown], [counts[i] for i in shown], bottom=[base[i] for i in shown], width=78,
                **bar_style(s))
        base = [b + c for b, c in zip(base, counts)]
    year_axis(ax2)
    if later:
        ax2.text(centres[-1], base[-1], f"ends {horizon.year}\nor later", ha="center", va="bottom", fontsize=8,
                 color=INK)
        ax2.set_xlim(right=centres[-1] + 50)  # the year label of the 'later' bar would be misleading
    ax2.margins(y=0.12)
    ax2.grid(axis="y", color=GRID)
    ax2.tick_params(axis="y", labelsize=8, labelcolor=MUTED)
    ax2.axvline(days(as_of), color=INK, linewidth=1.1)
    ax2.text(days(as_of), 1.0, f" as of {as_of.isoformat()}", transform=blended_transform_factory(
        ax2.transData, ax2.transAxes), fontsize=8.5, fontweight="bold", va="bottom", ha="center")
    ax2.set_title("Predictions by the quarter their deadline ends", loc="left", fontsize=10, fontweight="bold",
                  color=INK, pad=14)

    overdue = sum(mix.get("overdue", 0) for _, mix in agg.by_speaker)
    resolved = sum(n for _, mix in agg.by_speaker for s, n in mix.items() if s in STATES and STATES[s][1])
    header(fig, height, f"Timeline, as of {as_of.isoformat()}: counts by status",
           f"{agg.total:,} predictions with a deadline or a verdict, too many for one row each · {resolved:,} "
           f"resolved · {overdue:,} overdue" + (f" · {not_drawn:,} without a deadline" if not_drawn else ""))
    fig.legend(handles=[Patch(**bar_style(s), label=STATES[s][2]) for s in states], loc="upper left",
               ncol=len(states), frameon=False, fontsize=8.5, bbox_to_anchor=(0.1 / WIDTH, 1 - 0.75 / height))
    return fig


def files(rows: list[Row], as_of: dt.date, not_drawn: int = 0) -> dict[str, bytes]:
    """The timeline drawn, as the report's files: 'svg' (with tooltips) and 'png'."""
    fig = draw(rows, as_of, not_drawn)
    # zlib level 3, not 6: this PNG is the last file the report waits for, and at 3 it is written in
    # half the time and here no larger (the other charts grow at 3, and nothing waits for them).
    return {"png": to_png(fig, compress_level=3), "svg": with_tooltips(to_svg(fig), rows)}


def with_tooltips(svg: bytes, rows: list[Row]) -> bytes:
    """The SVG with each row's summary as the tooltip of its link (matplotlib writes no <title> itself)."""
    summaries = {f"row-{r.id}": f"{r.summary} ({r.id})" for r in rows}

    def title(m: re.Match[str]) -> str:
        text = summaries.get(m.group(1))
        return m.group(0) + (f"\n    <title>{escape.html(text)}</title>" if text is not None else "")

    return re.sub(r'<g id="(row-[^"]*)">', title, svg.decode("utf-8")).encode("utf-8")
