"""The timeline chart: one row per prediction, from the day it was said to the end of its deadline.

`timeline_rows` is the data (pure, tested); `draw` turns it into a matplotlib Figure; `to_svg` and
`to_png` give byte-for-byte repeatable files. Above THRESHOLD predictions one row each would be
unreadable, so `draw` shows counts by speaker and by deadline quarter instead (see `aggregate`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import logging
import warnings
from dataclasses import dataclass
from typing import Any, Iterator, Optional

import matplotlib

matplotlib.use("Agg")  # before anything imports pyplot; no display, same output everywhere

import matplotlib.dates as mdates  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch, Rectangle  # noqa: E402
from matplotlib.ticker import NullFormatter, PercentFormatter  # noqa: E402
from matplotlib.transforms import blended_transform_factory  # noqa: E402

from ledger.deadlines import window  # noqa: E402
from ledger.model import Entry  # noqa: E402

THRESHOLD = 200  # rows drawn one by one up to this many predictions (the real ledger has about 125)
TOP_SPEAKERS = 20  # the aggregate view folds the rest into one bar
DPI = 150
WIDTH = 15.0  # inches
LABEL_CHARS = 84
HORIZON = 5  # years after the as-of date the row view shows; rows ending later are cut and labelled
CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN",
             "WenQuanYi Zen Hei", "WenQuanYi Micro Hei")

# Okabe-Ito colours, each outcome also with its own marker shape.
STATES: dict[str, tuple[str, str, str]] = {  # state: (colour, marker, legend label)
    "correct": ("#009E73", "o", "correct"),
    "partly_correct": ("#E69F00", "D", "partly correct"),
    "wrong": ("#D55E00", "X", "wrong"),
    "unresolvable": ("#7F7F7F", "s", "unresolvable"),
    "withdrawn": ("#CC79A7", "v", "withdrawn"),
    "overdue": ("#B2182B", "", "open, overdue"),
    "open": ("#56B4E9", "", "open, running"),
    "no_deadline": ("#BBBBBB", "", "open, no deadline"),
}
INK, MUTED, GRID, LATE = "#222222", "#666666", "#E6E6E6", "#B2182B"
_WINDOW_FILL = (0.337, 0.706, 0.914, 0.3)  # Okabe-Ito sky blue at 30%; alpha in the colour keeps edges solid


@dataclass(frozen=True)
class Row:
    """One prediction on the timeline."""

    id: str
    speaker: str
    label: str
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


def label(summary: str, ident: str, limit: int = LABEL_CHARS) -> str:
    """'Summary… (id)', the summary cut at a word boundary so the whole fits in `limit` characters."""
    room = max(12, limit - len(ident) - 3)
    text = " ".join(summary.split())
    if len(text) > room:
        cut = text[: room - 1]
        if " " in cut[room // 2 :]:
            cut = cut[: cut.rindex(" ")]
        text = cut.rstrip(" ,;:.-") + "…"
    return f"{text} ({ident})"


def timeline_rows(entries: list[Entry], as_of: dt.date) -> list[Row]:
    """The predictions as rows, grouped by speaker (most predictions first), then by deadline end, then undated."""
    rows = []
    for e in entries:
        if e.kind != "prediction":
            continue
        w = window(e.deadline, e.said_on) if e.deadline is not None else None
        late = (as_of - w.end).days if w and e.status == "open" else 0
        rows.append(Row(e.id, e.speaker, label(e.summary, e.id), e.said_on, w.text if w else None,
                        w.start if w else None, w.end if w else None, e.status, e.resolved_on, max(late, 0)))
    counts: dict[str, int] = {}
    for r in rows:
        counts[r.speaker] = counts.get(r.speaker, 0) + 1
    # Dated rows first, soonest end on top: the overdue and the coming due lead each group.
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


def _fonts() -> list[str]:
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    # A CJK fallback, when one is installed, keeps Chinese names from rendering as boxes.
    return ["DejaVu Sans", *[name for name in CJK_FONTS if name in installed][:1]]


@contextlib.contextmanager
def style() -> Iterator[None]:
    """The charts' shared look: fonts with a CJK fallback, fixed SVG ids, no math parsing of quoted text."""
    rc: dict[str, Any] = {
        "font.family": _fonts(),
        "font.size": 9,
        "text.parse_math": False,  # summaries quote money: "$5 to $3" is text, not a formula
        "svg.hashsalt": "ledger",  # clip-path ids from a fixed salt, not a random one
        "svg.fonttype": "path",  # glyphs as paths: the same look without the viewer's fonts
        "axes.edgecolor": "#BBBBBB",
        "axes.labelcolor": INK,
        "xtick.color": MUTED,
        "ytick.color": INK,
        "figure.facecolor": "white",
        "savefig.facecolor": "white",
    }
    # Some CJK fonts come in one weight, and font_manager logs each substitution.
    log = logging.getLogger("matplotlib.font_manager")
    level = log.level
    log.setLevel(logging.ERROR)
    try:
        with matplotlib.rc_context(rc), warnings.catch_warnings():  # type: ignore[arg-type]  # stubs want literal keys
            # DejaVu Sans lacks CJK glyphs; without a fallback font the box is the answer, not a warning.
            warnings.filterwarnings("ignore", message=r"Glyph .* missing from")
            yield
    finally:
        log.setLevel(level)


def _days(day: dt.date) -> float:
    return float(mdates.date2num(day))


def _year_axis(ax: Any) -> None:
    ax.xaxis.set_major_locator(mdates.YearLocator())
    ax.xaxis.set_major_formatter(NullFormatter())
    ax.xaxis.set_minor_locator(mdates.MonthLocator(bymonth=7, bymonthday=1))
    ax.xaxis.set_minor_formatter(mdates.DateFormatter("%Y"))
    ax.tick_params(axis="x", which="minor", length=0, labelsize=9, labelcolor=MUTED)
    ax.tick_params(axis="x", which="major", length=4, color="#BBBBBB")
    ax.grid(axis="x", which="major", color=GRID, linewidth=0.8)
    ax.set_axisbelow(True)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)


def _header(fig: Figure, height: float, title: str, subtitle: str) -> None:
    fig.text(0.25 / WIDTH, 1 - 0.3 / height, title, fontsize=15, fontweight="bold", color=INK, va="top")
    fig.text(0.25 / WIDTH, 1 - 0.68 / height, subtitle, fontsize=9.5, color=MUTED, va="top")


def _empty(as_of: dt.date) -> Figure:
    fig = Figure(figsize=(WIDTH, 2.2), dpi=DPI)
    _header(fig, 2.2, f"Predictions timeline, as of {as_of.isoformat()}", "The ledger holds no predictions yet.")
    return fig


def _legend_handles(states: list[str], rows_view: bool, late: bool = True, undated: bool = True) -> list[Any]:
    handles: list[Any] = []
    if rows_view:
        handles += [
            Line2D([], [], color=MUTED, lw=1.2, label="said → end of deadline"),
            Patch(facecolor=_WINDOW_FILL, label="deadline window"),
        ]
        for s in states:
            colour, marker, text = STATES[s]
            if marker:
                handles.append(Line2D([], [], ls="", marker=marker, markersize=7, markerfacecolor=colour,
                                      markeredgecolor="white", label=f"resolved {text}"))
        if late:
            handles.append(Patch(facecolor=_WINDOW_FILL, edgecolor=LATE, linewidth=1.4, label="open, past deadline"))
        if undated:
            handles.append(Line2D([], [], color=MUTED, lw=1.2, ls=(0, (3, 2)), label="no deadline"))
    else:
        for s in states:
            colour, _, text = STATES[s]
            handles.append(Patch(**_bar_style(s), label=text))
    return handles


def _bar_style(state: str) -> dict[str, Any]:
    colour = STATES[state][0]
    if state == "overdue":  # hatched so it never depends on telling red from vermillion
        return {"facecolor": "white", "edgecolor": colour, "hatch": "////", "linewidth": 0.8}
    return {"facecolor": colour, "edgecolor": "white", "linewidth": 0.5}


def draw(rows: list[Row], as_of: dt.date) -> Figure:
    """The timeline as a Figure: one row per prediction, or counts when there are more than THRESHOLD."""
    with style():
        if not rows:
            return _empty(as_of)
        if len(rows) > THRESHOLD:
            return _draw_aggregate(aggregate(rows), as_of)
        return _draw_rows(rows, as_of)


def _subtitle(rows: list[Row]) -> str:
    speakers = len({r.speaker for r in rows})
    resolved = sum(r.status != "open" for r in rows)
    overdue = sum(r.overdue for r in rows)
    return (f"{len(rows)} prediction{'s' * (len(rows) != 1)} by {speakers} speaker{'s' * (speakers != 1)}"
            f" · {resolved} resolved · {overdue} open past the deadline"
            " · each bar runs from the day it was said to the end of its deadline")


def _draw_rows(rows: list[Row], as_of: dt.date) -> Figure:
    # Layout in inches so text keeps its size however many rows there are.
    groups: list[tuple[str, list[Row]]] = []
    for r in rows:
        if not groups or groups[-1][0] != r.speaker:
            groups.append((r.speaker, []))
        groups[-1][1].append(r)
    slots = len(rows) + 1.6 * len(groups)
    tall = len(rows) > 25  # a tall chart repeats its years at the top
    row_h, top, bottom, left, right = 0.27, 1.75 if tall else 1.5, 0.55, 5.6, 0.3
    height = top + bottom + row_h * (slots + 1)
    fig = Figure(figsize=(WIDTH, height), dpi=DPI)
    ax = fig.add_axes((left / WIDTH, bottom / height, 1 - (left + right) / WIDTH, 1 - (top + bottom) / height))

    first = min(r.said_on for r in rows)
    last = max([as_of + dt.timedelta(days=200)] + [d for r in rows for d in (r.end, r.resolved_on) if d])
    # One far deadline (say 2050) would squeeze every other bar into a sliver: cut the axis at HORIZON
    # years after the as-of date and label the rows that run past it.
    last = min(last, dt.date(as_of.year + HORIZON, 12, 31))
    ax.set_xlim(_days(first) - 75, _days(last) + 45)
    span = ax.get_xlim()[1] - ax.get_xlim()[0]
    in_label = blended_transform_factory(fig.transFigure, ax.transData)

    y, ticks, labels, colours = 0.0, [], [], []
    for speaker, members in groups:
        y += 0.6
        overdue = sum(r.overdue for r in members)
        note = f"{len(members)} prediction{'s' * (len(members) != 1)}" + (f", {overdue} overdue" if overdue else "")
        fig.text(0.25 / WIDTH, y, speaker, transform=in_label, fontsize=10.5, fontweight="bold", color=INK,
                 va="center")
        ax.text(-0.005, y, note, transform=blended_transform_factory(ax.transAxes, ax.transData), fontsize=8,
                color=MUTED, va="center", ha="right")
        ax.axhline(y - 0.55, color="#CCCCCC", linewidth=0.8, zorder=0, clip_on=False,
                   xmin=-(left - 0.25) / (WIDTH - left - right))
        y += 1.0
        for r in members:
            _draw_row(ax, r, y, as_of, span)
            ticks.append(y)
            labels.append(r.label)
            colours.append(LATE if r.overdue else INK)
            y += 1.0
    ax.set_ylim(y, -0.2)
    ax.set_yticks(ticks, labels, fontsize=8.2)
    ax.tick_params(axis="y", length=0, pad=6)
    for tick, colour in zip(ax.get_yticklabels(), colours):
        tick.set_color(colour)
    _year_axis(ax)
    ax.axvline(_days(as_of), color=INK, linewidth=1.1, zorder=4)
    ax.annotate(f"as of {as_of.isoformat()}", xy=(_days(as_of), 1), xycoords=("data", "axes fraction"),
                xytext=(0, 20 if tall else 8), textcoords="offset points", fontsize=8.5, fontweight="bold", color=INK,
                ha="center", va="bottom", arrowprops={"arrowstyle": "-", "color": INK, "lw": 1.1,
                                                     "shrinkA": 0, "shrinkB": 0})
    if tall:
        ax.tick_params(axis="x", which="minor", labeltop=True)

    _header(fig, height, f"Predictions timeline, as of {as_of.isoformat()}", _subtitle(rows))
    states = [s for s in ("correct", "partly_correct", "wrong", "unresolvable", "withdrawn")
              if any(r.status == s for r in rows)]
    fig.legend(handles=_legend_handles(states, True, any(r.overdue for r in rows),
                                       any(r.end is None for r in rows)), loc="upper left", ncol=9, frameon=False, fontsize=8.5,
               bbox_to_anchor=(0.2 / WIDTH, 1 - 1.0 / height), handlelength=2.2, columnspacing=1.4)
    return fig


def _draw_row(ax: Any, r: Row, y: float, as_of: dt.date, span: float) -> None:
    said = _days(r.said_on)
    ax.plot([said], [y], marker="|", markersize=7, color=MUTED, zorder=3)
    if r.end is None and r.resolved_on is not None:
        ax.plot([said, _days(r.resolved_on)], [y, y], color=MUTED, lw=1.2, ls=(0, (3, 2)), zorder=2)
    elif r.end is None:
        # No deadline: a dashed line fading out towards the as-of date, never "due".
        stop = _days(as_of)
        pieces = 10
        for i in range(pieces):
            a = said + (stop - said) * i / pieces
            b = said + (stop - said) * (i + 1) / pieces
            ax.plot([a, b], [y, y], color=MUTED, lw=1.2, ls=(0, (3, 2)), alpha=0.9 - 0.075 * i, zorder=2)
        ax.annotate("", xy=(stop, y), xytext=(stop - span * 0.012, y), zorder=2,
                    arrowprops={"arrowstyle": "-|>", "color": MUTED, "alpha": 0.4, "lw": 1})
    else:
        start, end = _days(r.start or r.said_on), _days(r.end) + 1  # a window includes its last day
        edge = ax.get_xlim()[1]
        if end > edge:
            end = edge
            ax.text(edge - span * 0.004, y, f"ends {r.end.isoformat()} ▸", fontsize=7.5, color=INK, ha="right",
                    va="center", zorder=6, bbox={"boxstyle": "square,pad=0.15", "facecolor": "white",
                                                 "edgecolor": "none", "alpha": 0.85})
        ax.add_patch(Rectangle((start, y - 0.34), max(end - start, span * 0.002), 0.68, facecolor=_WINDOW_FILL,
                               edgecolor="none", zorder=1))
        if r.overdue:
            ax.add_patch(Rectangle((start, y - 0.34), max(end - start, span * 0.002), 0.68, facecolor="none",
                                   edgecolor=LATE, linewidth=1.3, zorder=3))
            ax.plot([end, _days(as_of)], [y, y], color=LATE, lw=1, ls=(0, (1, 1.5)), zorder=2)
            ax.text(_days(as_of) + span * 0.006, y, f"overdue since {r.end + dt.timedelta(days=1)}", fontsize=7.5, color=LATE,
                    fontweight="bold", va="center")
        ax.plot([said, end], [y, y], color=MUTED, lw=1.2, solid_capstyle="butt", zorder=2)
    if r.resolved_on is not None and r.status in STATES:
        colour, marker, _ = STATES[r.status]
        when = _days(r.resolved_on)
        if r.end is not None and when > _days(r.end) + 1:  # resolved after the window closed: show the wait
            reach = _days(r.end) + 1
            ax.plot([reach, when], [y, y], color=colour, lw=0.9, ls=(0, (1, 1.5)), zorder=2)
        ax.plot([when], [y], marker=marker, markersize=8, markerfacecolor=colour, markeredgecolor="white",
                markeredgewidth=0.8, ls="", zorder=5)


def _draw_aggregate(agg: Aggregate, as_of: dt.date) -> Figure:
    states = [s for s in STATES if any(s in mix for _, mix in agg.by_speaker)]
    speaker_h = 0.32 * len(agg.by_speaker) + 0.4
    top, gap, bottom, quarter_h = 1.75, 0.9, 0.6, 3.6
    height = top + speaker_h + gap + quarter_h + bottom
    fig = Figure(figsize=(WIDTH, height), dpi=DPI)
    left, right = 3.6, 0.8
    ax1 = fig.add_axes((left / WIDTH, (bottom + quarter_h + gap) / height, 1 - (left + right) / WIDTH,
                        speaker_h / height))
    ax2 = fig.add_axes((left / WIDTH, bottom / height, 1 - (left + right) / WIDTH, quarter_h / height))

    # Shares, not counts: a folded 'others' bar would otherwise squash every named speaker.
    names = [name for name, _ in agg.by_speaker]
    totals = [sum(mix.values()) for _, mix in agg.by_speaker]
    offsets = [0.0] * len(names)
    for s in states:
        widths = [100 * mix.get(s, 0) / total for (_, mix), total in zip(agg.by_speaker, totals)]
        ax1.barh(range(len(names)), widths, left=offsets, height=0.72, **_bar_style(s))
        offsets = [o + w for o, w in zip(offsets, widths)]
    for i, total in enumerate(totals):
        ax1.text(100.6, i, f"{total:,}", va="center", fontsize=8, color=MUTED)
    ax1.set_yticks(range(len(names)), names, fontsize=9)
    ax1.set_ylim(len(names) - 0.4, -0.6)
    ax1.set_xlim(0, 100)
    ax1.xaxis.set_major_formatter(PercentFormatter())
    ax1.tick_params(axis="y", length=0)
    ax1.tick_params(axis="x", labelsize=8, labelcolor=MUTED)
    ax1.set_title("Share of each speaker's predictions by status (number of predictions at the right)", loc="left",
                  fontsize=10.5, fontweight="bold", color=INK)
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
    days = [_days(q) + 45 for q, _ in quarters]
    base = [0] * len(days)
    for s in states:
        counts = [mix.get(s, 0) for _, mix in quarters]
        shown = [i for i, c in enumerate(counts) if c]  # an empty hatched bar would still draw its edge
        ax2.bar([days[i] for i in shown], [counts[i] for i in shown], bottom=[base[i] for i in shown], width=78,
                **_bar_style(s))
        base = [b + c for b, c in zip(base, counts)]
    _year_axis(ax2)
    if later:
        ax2.text(days[-1], base[-1], f"ends {horizon.year}\nor later", ha="center", va="bottom", fontsize=8,
                 color=INK)
        ax2.set_xlim(right=days[-1] + 50)  # the year label of the 'later' bar would be misleading
    ax2.margins(y=0.12)
    ax2.grid(axis="y", color=GRID)
    ax2.tick_params(axis="y", labelsize=8, labelcolor=MUTED)
    ax2.axvline(_days(as_of), color=INK, linewidth=1.1)
    ax2.text(_days(as_of), 1.0, f" as of {as_of.isoformat()}", transform=blended_transform_factory(
        ax2.transData, ax2.transAxes), fontsize=8.5, fontweight="bold", va="bottom", ha="center")
    ax2.set_title("Predictions by the quarter their deadline ends"
                  + (f" ({agg.no_deadline} without a deadline not shown)" if agg.no_deadline else ""),
                  loc="left", fontsize=10.5, fontweight="bold", color=INK, pad=14)

    overdue = sum(mix.get("overdue", 0) for _, mix in agg.by_speaker)
    resolved = sum(n for _, mix in agg.by_speaker for s, n in mix.items() if s in STATES and STATES[s][1])
    _header(fig, height, f"Predictions, as of {as_of.isoformat()}: counts by status",
            f"{agg.total} predictions (more than {THRESHOLD}, too many for one row each) · {resolved} resolved"
            f" · {overdue} open past the deadline · the table in the report lists each one")
    fig.legend(handles=_legend_handles(states, False), loc="upper left", ncol=len(states), frameon=False,
               fontsize=8.5, bbox_to_anchor=(0.2 / WIDTH, 1 - 1.0 / height))
    return fig


def to_svg(fig: Figure) -> bytes:
    """The figure as SVG bytes, identical for identical figures (no date, fixed id salt)."""
    buffer = io.BytesIO()
    with style():
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    return buffer.getvalue()


def to_png(fig: Figure) -> bytes:
    """The figure as PNG bytes at a fixed dpi, identical for identical figures (no software stamp)."""
    buffer = io.BytesIO()
    with style():
        fig.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()
