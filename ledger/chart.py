"""The report's charts: one style, a bundled CJK font, repeatable files, the scorecard and the calibration chart.

Every chart is laid out in inches for a page about 9 inches (900 px) wide, the width GitHub and the report
page show it at, so its text is read at the size it was set. `to_svg` and `to_png` give the same bytes for the
same figure on every machine. The timeline lives in `ledger.timeline`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import importlib.util
import io
import logging
import math
import os
import pickle
import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator, TypeVar

import matplotlib

matplotlib.use("Agg")  # before anything imports pyplot; no display, same output everywhere

import matplotlib.dates as mdates  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch, Rectangle  # noqa: E402
from matplotlib.text import Text  # noqa: E402
from matplotlib.ticker import NullFormatter, PercentFormatter  # noqa: E402

from ledger import score  # noqa: E402
from ledger.deadlines import is_overdue  # noqa: E402
from ledger.model import Entry  # noqa: E402

WIDTH = 9.0  # inches: shown 1:1 at about 900 px
DPI = 150  # PNG pixels per inch: 1,350 px wide, still sharp when shown at 900 px
TOP_SPEAKERS = 12  # the scorecard folds the rest into one bar
MIN_CALIBRATION = 10  # fewer resolved predictions with a confidence than this, and the chart says so instead

# Okabe-Ito colours, each outcome also with its own marker shape.
STATES: dict[str, tuple[str, str, str]] = {  # state: (colour, marker, legend label)
    "correct": ("#009E73", "o", "correct"),
    "partly_correct": ("#E69F00", "D", "partly correct"),
    "wrong": ("#D55E00", "X", "wrong"),
    "unresolvable": ("#7F7F7F", "s", "unresolvable"),
    "withdrawn": ("#CC79A7", "v", "withdrawn"),
    "overdue": ("#B2182B", "", "open, overdue"),
    "open": ("#56B4E9", "", "open"),
    "no_deadline": ("#BBBBBB", "", "open, no deadline"),
}
INK, MUTED, GRID, LATE = "#222222", "#555555", "#E6E6E6", "#B2182B"
T = TypeVar("T")


# --- Style, fonts and files --------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _fonts() -> tuple[str, ...]:
    """DejaVu Sans, then the CJK font that ships with the `mplfonts` package, so Chinese never draws as boxes."""
    from matplotlib import font_manager

    # Found without importing mplfonts: its fonts are all that is wanted of it.
    spec = importlib.util.find_spec("mplfonts")
    folders = list(spec.submodule_search_locations or []) if spec else []
    path = next((Path(f) / "fonts" / "NotoSansCJKsc-Regular.otf" for f in folders), None)
    if path is None or not path.is_file():
        return ("DejaVu Sans",)
    font_manager.fontManager.addfont(str(path))
    return ("DejaVu Sans", font_manager.FontProperties(fname=str(path)).get_name())


@contextlib.contextmanager
def style() -> Iterator[None]:
    """The charts' settings, for drawing and saving, without touching matplotlib's global ones."""
    rc: dict[str, Any] = {
        "font.family": list(_fonts()),
        "font.size": 9.5,
        "text.parse_math": False,  # summaries quote money: "$5 to $3" is text, not a formula
        "svg.hashsalt": "ledger",  # clip-path ids from a fixed salt, not a random one
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
            # Without the CJK font (mplfonts missing), a box is the answer, not a warning.
            warnings.filterwarnings("ignore", message=r"Glyph .* missing from")
            yield
    finally:
        log.setLevel(level)


def to_svg(fig: Figure) -> bytes:
    """The figure as SVG bytes, identical for identical figures (no date, fixed id salt).

    Text is SVG text, which a reader can select and search and a screen reader can read, and which costs a
    fraction of drawing each glyph's outline; a figure with any character beyond the scripts every system
    has fonts for (Chinese, Japanese, Korean, emoji) has all its glyphs drawn as outlines instead, so that it
    never shows as boxes.
    """
    buffer = io.BytesIO()
    outlines = _needs_outlines(fig)
    with style(), matplotlib.rc_context({"svg.fonttype": "path" if outlines else "none"}):
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    if outlines:
        return buffer.getvalue()
    # A viewer without DejaVu Sans takes its own sans-serif face, not its default serif one.
    return _FONT_FAMILY.sub(rb"\1, sans-serif", buffer.getvalue())


_FONT_FAMILY = re.compile(rb"(font-family: [^;\"]+)")


def _needs_outlines(fig: Figure) -> bool:
    # U+2E80 starts the CJK blocks; everything below is Latin, Greek, Cyrillic, the other alphabets, and the
    # punctuation, arrows and shapes that system fonts carry.
    return any(ord(c) >= 0x2E80 for text in fig.findobj(Text) for c in text.get_text())


def to_png(fig: Figure, compress_level: int = 6) -> bytes:
    """The figure as PNG bytes at a fixed dpi, identical for identical figures (no software stamp)."""
    buffer = io.BytesIO()
    with style():
        fig.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None},
                    pil_kwargs={"compress_level": compress_level})
    return buffer.getvalue()


def in_child(work: Callable[[], T]) -> Callable[[], T]:
    """Start `work` in a forked child on a second core; the function returned waits for it and gives its result."""
    if not hasattr(os, "fork") or len(_cores()) < 2:
        return work
    # Drawing dominates the report's time: a second core draws one chart while this one does the rest.
    # The result is the same either way; a child that fails leaves the work to be done here after all.
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child's coverage is its output
        code = 1
        try:
            os.close(read_end)
            data = pickle.dumps(work())
            with os.fdopen(write_end, "wb") as out:
                out.write(data)
            code = 0
        finally:
            os._exit(code)  # no atexit handlers, no flush of the parent's buffers
    os.close(write_end)
    inp = os.fdopen(read_end, "rb")  # closed with this object, should the result never be asked for

    def result() -> T:
        with inp:
            data = inp.read()  # before waiting: a child with more than a pipe's worth to write waits for us
        _, status = os.waitpid(pid, 0)
        if status != 0:
            return work()
        out: T = pickle.loads(data)  # our own child's output
        return out

    return result


def _cores() -> set[int]:
    # The processors this process may run on, which a container or taskset can make fewer than the machine's.
    if hasattr(os, "sched_getaffinity"):
        return os.sched_getaffinity(0)
    return set(range(os.cpu_count() or 1))


# --- Shared pieces ------------------------------------------------------------------------------


def days(day: dt.date) -> float:
    """A date as matplotlib's day number."""
    return float(mdates.date2num(day))


def year_axis(ax: Any) -> None:
    """Years named between their ticks, a light grid, no box."""
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


def header(fig: Figure, height: float, title: str, subtitle: str) -> None:
    """A bold title and a grey line under it, at the top left of a figure `height` inches tall."""
    fig.text(0.2 / WIDTH, 1 - 0.25 / height, title, fontsize=13, fontweight="bold", color=INK, va="top")
    fig.text(0.2 / WIDTH, 1 - 0.58 / height, subtitle, fontsize=9, color=MUTED, va="top")


def bar_style(state: str) -> dict[str, Any]:
    """Fill and edge of a bar segment for a state; overdue is hatched so it never rests on colour alone."""
    colour = STATES[state][0]
    if state == "overdue":
        return {"facecolor": "white", "edgecolor": colour, "hatch": "////", "linewidth": 0.8}
    return {"facecolor": colour, "edgecolor": "white", "linewidth": 0.6}


def plural(n: int, word: str, words: str = "") -> str:
    """'1 prediction', '3 predictions'; `words` when the plural is not the word and an s."""
    return f"{n:,} {word if n == 1 else words or word + 's'}"


# --- Scorecard ----------------------------------------------------------------------------------

CARD_STATES = ("correct", "partly_correct", "wrong", "unresolvable", "withdrawn", "overdue", "open")


def scorecard_rows(entries: list[Entry], as_of: dt.date, top: int = TOP_SPEAKERS) -> list[tuple[str, dict[str, int]]]:
    """('All speakers', counts), then each speaker's counts by state, most entries first; the rest folded."""

    def state(e: Entry) -> str:
        if e.status != "open":
            return e.status
        return "overdue" if is_overdue(e, as_of) else "open"

    speakers: dict[str, dict[str, int]] = {}
    total: dict[str, int] = {}
    for e in entries:
        s = state(e)
        mix = speakers.setdefault(e.speaker, {})
        mix[s] = mix.get(s, 0) + 1
        total[s] = total.get(s, 0) + 1
    order = sorted(speakers, key=lambda name: (-sum(speakers[name].values()), name))
    rows = [("All speakers", total)] if len(speakers) > 1 else []
    rows += [(name, speakers[name]) for name in order[:top]]
    if order[top:]:
        folded: dict[str, int] = {}
        for name in order[top:]:
            for s, n in speakers[name].items():
                folded[s] = folded.get(s, 0) + n
        rows.append((plural(len(order) - top, "other speaker"), folded))
    return rows


def scorecard(entries: list[Entry], as_of: dt.date) -> Figure:
    """Each speaker's record as one bar of shares by verdict, n written at its end; all speakers first."""
    rows = scorecard_rows(entries, as_of)
    with style():
        top, bottom, row_h = 1.35, 0.45, 0.42
        height = top + bottom + row_h * max(len(rows), 1)
        fig = Figure(figsize=(WIDTH, height), dpi=DPI)
        resolved = sum(e.status != "open" for e in entries)
        header(fig, height, f"Scorecard, as of {as_of.isoformat()}",
               f"{plural(len(entries), 'entry', 'entries')}, {resolved:,} resolved · "
               "each bar is one speaker's entries by verdict, n at the right")
        if not rows:
            return fig
        left, right = 2.3, 0.75
        ax = fig.add_axes((left / WIDTH, bottom / height, 1 - (left + right) / WIDTH, row_h * len(rows) / height))
        states = [s for s in CARD_STATES if any(mix.get(s) for _, mix in rows)]
        for i, (_, mix) in enumerate(rows):
            n = sum(mix.values())
            start = 0.0
            for s in states:
                share = 100 * mix.get(s, 0) / n
                if share:
                    ax.barh(i, share, left=start, height=0.7, **bar_style(s))
                    if share >= 7 and s != "overdue":
                        ax.text(start + share / 2, i, f"{mix[s]}", ha="center", va="center", fontsize=8.5,
                                color="white" if s in ("correct", "wrong", "unresolvable") else INK)
                    start += share
            ax.text(101, i, f"n = {n:,}", va="center", fontsize=9, color=MUTED)
        ax.set_yticks(range(len(rows)), [name for name, _ in rows], fontsize=9.5)
        if len(rows) > 1 and rows[0][0] == "All speakers":
            ax.get_yticklabels()[0].set_fontweight("bold")
            ax.axhline(0.5, color="#999999", linewidth=0.8)
        ax.set_ylim(len(rows) - 0.5, -0.5)
        ax.set_xlim(0, 100)
        ax.xaxis.set_major_formatter(PercentFormatter())
        ax.tick_params(axis="y", length=0)
        ax.tick_params(axis="x", labelsize=8, labelcolor=MUTED)
        for side in ("top", "right", "left", "bottom"):
            ax.spines[side].set_visible(False)
        fig.legend(handles=[Patch(**bar_style(s), label=STATES[s][2]) for s in states], loc="upper left",
                   ncol=len(states), frameon=False, fontsize=8.5, bbox_to_anchor=(0.15 / WIDTH, 1 - 0.78 / height),
                   handlelength=1.4, columnspacing=1.1)
    return fig


# --- Calibration --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bin:
    """Resolved predictions whose stated confidence falls in [low, high), the last bin closed."""

    low: float
    high: float
    n: int
    hits: float  # correct counts 1, partly correct 0.5
    mean_confidence: float
    band: tuple[float, float]  # where 95% of outcomes would fall if the confidence were exactly right


def _binomial_band(p: float, n: int) -> tuple[float, float]:
    """The central 95% of k/n for k ~ Binomial(n, p): the spread perfect calibration still allows."""
    if p <= 0 or p >= 1:
        return (0.0, 0.0) if p <= 0 else (1.0, 1.0)
    # In logarithms: for thousands of predictions the binomial coefficients overflow a float.
    log_p, log_q, log_n = math.log(p), math.log1p(-p), math.lgamma(n + 1)
    cdf, low = 0.0, None
    for k in range(n + 1):
        cdf += math.exp(log_n - math.lgamma(k + 1) - math.lgamma(n - k + 1) + k * log_p + (n - k) * log_q)
        if low is None and cdf >= 0.025:
            low = k
        if cdf >= 0.975:
            return (low or 0) / n, k / n
    return (low or 0) / n, 1.0


def calibration_bins(entries: list[Entry]) -> list[Bin]:
    """The predictions scored correct, partly correct or wrong that state a confidence, binned as the scores are."""
    bins = []
    for low, high, inside in score.binned([e for e in entries if e.kind == "prediction"]):
        if inside:
            mean = sum(c for c, _ in inside) / len(inside)
            bins.append(Bin(low, high, len(inside), sum(o for _, o in inside), mean, _binomial_band(mean, len(inside))))
    return bins


def _count(x: float) -> str:
    return f"{x:g}"


def calibration(entries: list[Entry], as_of: dt.date) -> Figure:
    """Stated confidence against what happened, per bin, with 'x of n' and the range chance alone allows."""
    bins = calibration_bins(entries)
    n = sum(b.n for b in bins)
    with style():
        height = 5.6 if n >= MIN_CALIBRATION else 1.5
        fig = Figure(figsize=(WIDTH, height), dpi=DPI)
        if n < MIN_CALIBRATION:
            header(fig, height, f"Calibration, as of {as_of.isoformat()}",
                   f"Only {plural(n, 'resolved prediction')} with a stated confidence: fewer than "
                   f"{MIN_CALIBRATION}, too few to draw without showing noise.")
            return fig
        header(fig, height, f"Calibration, as of {as_of.isoformat()}",
               f"{plural(n, 'resolved prediction')} with a stated confidence · a point on the diagonal means "
               "things happened as often as the confidence said")
        ax = fig.add_axes((1.0 / WIDTH, 0.7 / height, 4.4 / WIDTH, 4.0 / height))
        ax.plot([0, 100], [0, 100], color="#999999", linewidth=1, linestyle=(0, (4, 3)), zorder=1)
        for b in bins:
            centre = 100 * b.mean_confidence
            ax.add_patch(Rectangle((centre - 3, 100 * b.band[0]), 6,
                                                      100 * (b.band[1] - b.band[0]), facecolor="#DDDDDD",
                                                      edgecolor="none", zorder=0))
            rate = 100 * b.hits / b.n
            ax.plot([centre], [rate], marker="o", markersize=7 + min(b.n, 20) * 0.4, color="#0072B2",
                    markeredgecolor="white", zorder=3)
            ax.annotate(f"{_count(b.hits)} of {b.n}", (centre, rate), xytext=(9, -3), textcoords="offset points",
                        fontsize=9, color=INK, zorder=4)
        for _, edge in score.BINS[:-1]:
            ax.axvline(100 * edge, color=GRID, linewidth=0.8, zorder=0)
        ax.set_xlim(0, 100)
        ax.set_ylim(-3, 103)
        ax.xaxis.set_major_formatter(PercentFormatter())
        ax.yaxis.set_major_formatter(PercentFormatter())
        ax.set_xlabel("stated confidence (bins of 20 points; the point sits at the bin's mean)", fontsize=9)
        ax.set_ylabel("how often it came true (partly correct counts half)", fontsize=9)
        ax.tick_params(labelsize=8.5, labelcolor=MUTED)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        fig.legend(handles=[
            Line2D([], [], color="#999999", linestyle=(0, (4, 3)), label="perfect calibration"),
            Patch(facecolor="#DDDDDD", label="95% of outcomes, if perfectly\ncalibrated, fall in the grey band"),
            Line2D([], [], ls="", marker="o", markersize=8, color="#0072B2", markeredgecolor="white",
                   label="observed; larger = more predictions"),
        ], loc="upper left", frameon=False, fontsize=9, bbox_to_anchor=(5.7 / WIDTH, 1 - 1.1 / height),
            labelspacing=1.2)
        fig.text(5.75 / WIDTH, 1.5 / height, "Bins with no prediction are left out.\nBrier score and the table: "
                 "see the report.", fontsize=8.5, color=MUTED, va="bottom")
    return fig
