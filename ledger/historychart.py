"""The history chart: the ledger's entries by status over time, and the predictions' hit rate with its interval.

Drawn 9 inches wide so that it stays legible at about 900 pixels; `chart.to_svg` and `chart.to_png` make the
files byte for byte repeatable.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from ledger.chart import CARD_STATES as LAYERS, GRID, INK, MUTED, STATES, WIDTH, style

import matplotlib.dates as mdates  # noqa: E402  (ledger.chart chose the backend)
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402
from matplotlib.ticker import MaxNLocator, PercentFormatter  # noqa: E402

from ledger.history import CommitRow, History  # noqa: E402

MIN_SCORED = 10  # below this many scored predictions the hit rate's interval is too wide to draw
# LAYERS, bottom to top, are the scorecard's states: verdicts first, so the resolved share reads from the axis up.


def _when(row: CommitRow) -> dt.datetime:
    # One time line for commits made in different time zones.
    return dt.datetime.fromisoformat(row.time).astimezone(dt.timezone.utc).replace(tzinfo=None)


def _layer(row: CommitRow, name: str) -> int:
    if name == "overdue":
        return row.counts["overdue"]
    if name == "open":  # open entries that are not overdue predictions
        return row.counts["open"] - row.counts["overdue"]
    return row.counts[name]


def _style_of(name: str) -> dict[str, Any]:
    colour = STATES[name][0]
    if name == "overdue":  # hatched, as in the timeline, so it never depends on telling two reds apart
        return {"facecolor": "white", "edgecolor": colour, "hatch": "////", "linewidth": 0}
    return {"facecolor": colour, "edgecolor": "none", "linewidth": 0}


def draw(history: History) -> Figure:
    """The chart of a replayed history (an explanatory note when no version could be read)."""
    with style():
        rows = history.rows
        if not rows:
            fig = Figure(figsize=(WIDTH, 1.6))
            fig.text(0.03, 0.7, "Ledger history", fontsize=14, fontweight="bold", color=INK)
            fig.text(0.03, 0.35, "No version of the ledger in the git history could be read.", fontsize=10,
                     color=MUTED)
            return fig
        # Versions before the first entry say nothing but "empty", and would squeeze the rest to one side.
        start = next((i for i, r in enumerate(rows) if r.counts["entries"]), 0)
        return _draw(history, rows[start:])


def _draw(history: History, rows: list[CommitRow]) -> Figure:
    fig = Figure(figsize=(WIDTH, 7.2))
    top = fig.add_axes((0.08, 0.47, 0.89, 0.38))
    bottom = fig.add_axes((0.08, 0.08, 0.89, 0.27), sharex=top)
    times = [_when(r) for r in rows]
    last = times[-1]
    span = max(last - times[0], dt.timedelta(hours=1))
    # A step holds until the next commit; the last one is held a little past the newest commit.
    xs = [mdates.date2num(t) for t in times] + [mdates.date2num(last + span * 0.03)]
    base = [0] * len(rows)
    for name in LAYERS:
        values = [_layer(r, name) for r in rows]
        if not any(values):
            continue
        tops = [b + v for b, v in zip(base, values)]
        top.fill_between(xs, base + base[-1:], tops + tops[-1:], step="post", **_style_of(name))
        base = tops
    top.step(xs, [r.counts["entries"] for r in rows] + [rows[-1].counts["entries"]], where="post", color=INK,
             linewidth=1.2)
    top.set_ylim(0, max(max(base) * 1.08, 1))
    top.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=6))
    top.set_title("Entries by status at each commit (the line: all entries)", loc="left", fontsize=10.5,
                  fontweight="bold", color=INK)
    shown = [name for name in LAYERS if any(_layer(r, name) for r in rows)]
    labels = {"overdue": "open prediction, past its deadline", "open": "open, not overdue"}
    top.legend(handles=[Patch(**_style_of(n), label=labels.get(n, STATES[n][2])) for n in shown],
               loc="upper left", fontsize=8.5, frameon=True, framealpha=0.9, edgecolor="none", ncol=2)

    enough = [int(r.scores["scored"] or 0) >= MIN_SCORED for r in rows]
    if any(enough):
        # NaN where too few are scored: the line and band break there rather than bridge the gap.
        def series(key: str) -> list[float]:
            values = [float(r.scores[key] or 0.0) if ok else math.nan for r, ok in zip(rows, enough)]
            return values + values[-1:]

        bottom.fill_between(xs, series("hit_rate_low"), series("hit_rate_high"), step="post",
                            color=STATES["correct"][0], alpha=0.18, linewidth=0, label="95% Wilson interval")
        bottom.step(xs, series("hit_rate"), where="post", color=STATES["correct"][0], linewidth=1.6,
                    label="hit rate")
        bottom.legend(loc="lower left", fontsize=8.5, frameon=False, ncol=2)
    else:
        bottom.text(0.5, 0.5, f"Not drawn until {MIN_SCORED} predictions are scored "
                    f"(now {int(rows[-1].scores['scored'] or 0)})", transform=bottom.transAxes, ha="center",
                    va="center", fontsize=9.5, color=MUTED)
    bottom.set_ylim(0, 1)
    bottom.yaxis.set_major_formatter(PercentFormatter(1.0))
    bottom.set_title(f"Predictions' hit rate with its 95% interval (drawn from {MIN_SCORED} scored predictions)",
                     loc="left", fontsize=10.5, fontweight="bold", color=INK)

    locator = mdates.AutoDateLocator(minticks=3, maxticks=8)
    bottom.xaxis.set_major_locator(locator)
    bottom.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    top.tick_params(axis="x", labelbottom=False)
    bottom.set_xlabel("commit time (UTC)", fontsize=8.5, color=MUTED, loc="left")
    bottom.set_xlim(xs[0] - (xs[-1] - xs[0]) * 0.01, xs[-1])
    for ax in (top, bottom):
        ax.grid(axis="y", color=GRID, linewidth=0.8)
        ax.set_axisbelow(True)
        ax.tick_params(labelsize=8.5, colors=MUTED)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)

    first, newest = history.rows[0], rows[-1]
    fig.text(0.02, 0.975, "Ledger history", fontsize=14, fontweight="bold", color=INK, va="top")
    fig.text(0.02, 0.935, f"{len(history.rows):,} versions of {history.path} from {first.date.isoformat()} to "
             f"{newest.date.isoformat()} (commit {newest.commit[:12]}); {newest.counts['entries']:,} entries, "
             f"{newest.counts['resolved']:,} resolved", fontsize=9, color=MUTED, va="top")
    if history.skipped:
        n = len(history.skipped)
        fig.text(0.02, 0.905, f"{n} version{'s' * (n != 1)} that could not be read {'is' if n == 1 else 'are'} "
                 "left out (history.md lists them)", fontsize=9, color=MUTED, va="top")
    return fig
