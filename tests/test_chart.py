"""ledger.chart: the scorecard, the calibration chart, the bundled CJK font, repeatable files."""


import os

import pytest

from ledger import chart
from test_timeline import AS_OF, make


def claim(ident, speaker, status="open"):
    e = make(ident, speaker, deadline=None, status=status)
    return e.model_copy(update={"kind": "claim"})


def confident(ident, confidence, status, kind="prediction"):
    e = make(ident, "A", deadline="2025", status=status)
    return e.model_copy(update={"confidence": confidence, "kind": kind})


def test_scorecard_rows_all_speakers_first_then_most_entries():
    entries = [make("a1", "Ann", status="correct"), make("a2", "Ann", deadline="2025"), make("a3", "Ann"),
               claim("a4", "Ann", "wrong"), make("b1", "Bo", status="unresolvable"), make("c1", "Cy", deadline=None)]
    rows = chart.scorecard_rows(entries, AS_OF)
    assert rows == [
        ("All speakers", {"correct": 1, "overdue": 1, "open": 2, "wrong": 1, "unresolvable": 1}),
        ("Ann", {"correct": 1, "overdue": 1, "open": 1, "wrong": 1}),
        ("Bo", {"unresolvable": 1}),
        ("Cy", {"open": 1}),
    ]
    folded = chart.scorecard_rows(entries, AS_OF, top=1)
    assert folded[-1] == ("2 other speakers", {"unresolvable": 1, "open": 1})
    # One speaker: the bar for all would repeat it.
    assert [name for name, _ in chart.scorecard_rows(entries[:2], AS_OF)] == ["Ann"]


def test_scorecard_writes_n_on_every_bar():
    entries = [make("a1", "Ann", status="correct"), make("a2", "Ann"), make("b1", "Bo", status="wrong")]
    fig = chart.scorecard(entries, AS_OF)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert [t for t in texts if t.startswith("n = ")] == ["n = 3", "n = 2", "n = 1"]
    assert chart.to_svg(fig) == chart.to_svg(chart.scorecard(entries, AS_OF))
    assert chart.to_png(fig) == chart.to_png(chart.scorecard(entries, AS_OF))


def test_binomial_band_is_the_central_95_percent():
    # Binomial(10, 0.5): P(k <= 1) = 0.011, P(k <= 2) = 0.055, P(k <= 7) = 0.945, P(k <= 8) = 0.989.
    assert chart._binomial_band(0.5, 10) == (0.2, 0.8)
    assert chart._binomial_band(0.9, 1) == (0.0, 1.0)
    assert chart._binomial_band(1.0, 5) == (1.0, 1.0)
    # Thousands of predictions in one bin: the band narrows around p, and nothing overflows.
    low, high = chart._binomial_band(0.9, 20_000)
    assert 0.895 < low < 0.9 < high < 0.905


def test_calibration_bins_count_scored_predictions_with_a_confidence():
    entries = [confident("a", 0.9, "correct"), confident("b", 1.0, "partly_correct"), confident("c", 0.85, "wrong"),
               confident("d", 0.3, "correct"), confident("e", 0.9, "unresolvable"),
               confident("f", 0.9, "correct", kind="claim"), make("g", "A", status="correct")]
    bins = chart.calibration_bins(entries)
    assert [(b.low, b.high, b.n, b.hits) for b in bins] == [(0.2, 0.4, 1, 1.0), (0.8, 1.0, 3, 1.5)]
    assert bins[1].mean_confidence == pytest.approx(0.9166666)


def test_calibration_says_so_below_ten_and_writes_x_of_n_above():
    few = [confident(f"p{i}", 0.9, "correct") for i in range(9)]
    text = " ".join(t.get_text() for t in chart.calibration(few, AS_OF).texts)
    assert "Only 9 resolved predictions with a stated confidence: fewer than 10" in text
    enough = few + [confident("w", 0.9, "wrong"), confident("h", 0.7, "partly_correct")]
    fig = chart.calibration(enough, AS_OF)
    assert sorted(t.get_text() for t in fig.axes[0].texts) == ["0.5 of 1", "9 of 10"]


def test_the_cjk_font_ships_with_the_project():
    assert chart._fonts() == ("DejaVu Sans", "Noto Sans CJK SC")


def test_empty_ledger_draws_every_chart():
    for fig in (chart.scorecard([], AS_OF), chart.calibration([], AS_OF)):
        assert chart.to_png(fig).startswith(b"\x89PNG")


def test_in_child_gives_the_result_of_the_work():
    result = chart.in_child(lambda: {"svg": b"<svg/>", "png": b"\x89PNG"})
    assert result() == {"svg": b"<svg/>", "png": b"\x89PNG"}


def test_in_child_does_the_work_here_when_the_child_fails():
    parent = os.getpid()

    def work():
        if os.getpid() != parent:  # only in a forked child: its failure must not lose the result
            raise RuntimeError("child failed")
        return "done here"

    assert chart.in_child(work)() == "done here"


def test_svg_text_is_text_unless_a_viewer_might_lack_the_glyphs():
    latin = chart.to_svg(chart.scorecard([make("a", "Ann Example", status="correct")], AS_OF)).decode()
    assert "<text" in latin and ">Ann Example</text>" in latin  # selectable, searchable, read aloud
    assert "font-family: 'DejaVu Sans', 'Noto Sans CJK SC', sans-serif;" in latin
    # A Chinese name is drawn in outlines of the bundled font: the same everywhere, never boxes.
    cjk = chart.to_svg(chart.scorecard([make("b", "孙正义", status="correct")], AS_OF)).decode()
    assert "<text" not in cjk and 'id="NotoSansCJKsc-Regular-' in cjk
