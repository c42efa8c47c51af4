import datetime as dt
import warnings

import matplotlib
import matplotlib.dates as mdates
import pytest

from ledger import chart
from ledger.model import Entry
from ledger.validate import check_file
from conftest import FIXTURES

AS_OF = dt.date(2026, 11, 23)


def make(ident, speaker, said_on="2025-01-01", deadline="2026", status="open", summary=None):
    data = dict(id=ident, kind="prediction", speaker=speaker, attribution="direct", source="s", said_on=said_on,
                quote="q", summary=summary or f"{speaker} says {ident}", topics=["agi"], status=status)
    if deadline is not None:
        data["deadline"] = deadline
    if status != "open":
        data["resolved_on"] = "2026-06-01"
        data["evidence"] = [{"type": "primary", "url": "https://example.org", "publisher": "Example", "published_on": "2025-12-01", "note": "n"}]
    return Entry.model_validate(data)


@pytest.fixture(scope="module")
def fixture_entries():
    checked = check_file(FIXTURES / "claims.yaml", AS_OF)
    assert not checked.problems
    return checked.entries


def test_rows_from_the_fixture(fixture_entries):
    rows = chart.timeline_rows(fixture_entries, AS_OF)
    # users-800m is a claim: only predictions are drawn, the soonest deadline end first.
    assert [r.id for r in rows] == ["models-q1", "agents-2025", "compute-triple", "science-two-years"]
    by_id = {r.id: r for r in rows}
    assert by_id["agents-2025"].overdue and by_id["agents-2025"].days_overdue == 327  # 2025-12-31 → 2026-11-23
    assert by_id["science-two-years"].end == dt.date(2026, 11, 1) and by_id["science-two-years"].days_overdue == 22
    assert not by_id["compute-triple"].overdue and by_id["compute-triple"].state == "correct"
    assert by_id["models-q1"].start == dt.date(2025, 1, 1) and by_id["models-q1"].end == dt.date(2025, 3, 31)
    assert by_id["models-q1"].resolved_on == dt.date(2025, 12, 16)


def test_rows_grouped_by_speaker_most_predictions_first():
    entries = [
        make("b2", "Bea", said_on="2025-03-01"),
        make("z1", "Zed"),
        make("a1", "Al"),
        make("b1", "Bea", said_on="2025-02-01"),
        make("z2", "Zed", said_on="2024-06-01"),
        make("b0", "Bea", said_on="2025-02-01"),
    ]
    rows = chart.timeline_rows(entries, AS_OF)
    # Bea (3) first, then Zed (2), then Al (1); within a speaker by date said, then id.
    assert [r.id for r in rows] == ["b0", "b1", "b2", "z2", "z1", "a1"]
    assert chart.timeline_rows(list(reversed(entries)), AS_OF) == rows


def test_within_a_speaker_soonest_deadline_first_and_undated_last():
    rows = chart.timeline_rows([
        make("undated-early", "A", said_on="2024-01-01", deadline=None),
        make("far", "A", said_on="2024-01-01", deadline="2030"),
        make("soon", "A", said_on="2025-06-01", deadline="2025-Q3"),
        make("undated-late", "A", said_on="2025-06-01", deadline=None),
    ], AS_OF)
    assert [r.id for r in rows] == ["soon", "far", "undated-early", "undated-late"]


def test_rows_past_the_horizon_are_cut_and_labelled():
    rows = chart.timeline_rows([make("near", "A", deadline="2027"), make("far", "A", deadline="2050")], AS_OF)
    ax = chart.draw(rows, AS_OF).axes[0]
    right = mdates.num2date(ax.get_xlim()[1]).date()
    # One 2050 deadline must not stretch the axis: it stops shortly after the end of 2031.
    assert dt.date(2031, 12, 31) < right < dt.date(2032, 3, 1)
    assert [t.get_text() for t in ax.texts if t.get_text().startswith("ends ")] == ["ends 2050-12-31 ▸"]
    # The aggregate view folds the quarters past the horizon into one last bar.
    many = chart.timeline_rows([make(f"p{i}", "A", deadline="2050" if i % 2 else "2027")
                                for i in range(chart.THRESHOLD + 1)], AS_OF)
    quarters = chart.draw(many, AS_OF).axes[1]
    assert [t.get_text() for t in quarters.texts if t.get_text().startswith("ends ")] == ["ends 2032\nor later"]
    assert mdates.num2date(quarters.get_xlim()[1]).date() < dt.date(2032, 7, 1)


def test_overdue_flag_and_rows_without_deadline():
    rows = chart.timeline_rows([
        make("late", "A", deadline="2026-Q3"),  # ended 2026-09-30
        make("today", "A", deadline="2026-11-23"),  # ends on the as-of date: not yet overdue
        make("done", "A", deadline="2025", status="wrong"),
        make("vague", "A", deadline=None),
    ], AS_OF)
    state = {r.id: (r.state, r.overdue, r.days_overdue) for r in rows}
    assert state == {"late": ("overdue", True, 54), "today": ("open", False, 0), "done": ("wrong", False, 0),
                     "vague": ("no_deadline", False, 0)}
    vague = next(r for r in rows if r.id == "vague")
    assert vague.start is None and vague.end is None and vague.deadline is None


def test_label_keeps_the_id_and_cuts_at_a_word():
    summary = "Someone predicts that a very long list of things will all happen together " * 3
    text = chart.label(summary, "long-id")
    assert text.endswith("… (long-id)") and len(text) <= chart.LABEL_CHARS
    assert text.startswith("Someone predicts") and " (long-id)" in text
    assert chart.label("Short one.", "x") == "Short one. (x)"


def test_aggregate_above_the_threshold():
    def entries(n):
        out = []
        for i in range(n):
            speaker = f"Speaker {i % 25:02d}"
            deadline = None if i % 10 == 0 else ("2025-Q2" if i % 3 else "2027-H1")
            out.append(make(f"p{i}", speaker, said_on="2024-01-01", deadline=deadline))
        return out

    rows = chart.timeline_rows(entries(125), AS_OF)
    agg = chart.aggregate(rows)
    assert agg.total == len(rows) == 125
    assert len(agg.by_speaker) == chart.TOP_SPEAKERS + 1
    assert agg.by_speaker[-1][0] == "5 other speakers"
    assert sum(sum(mix.values()) for _, mix in agg.by_speaker) == 125
    assert [q for q, _ in agg.by_quarter] == [dt.date(2025, 4, 1), dt.date(2027, 4, 1)]
    assert agg.no_deadline == 13
    assert agg.by_quarter[0][1] == {"overdue": sum(1 for r in rows if r.end == dt.date(2025, 6, 30))}
    # The drawing switches to the aggregate view: two panels instead of one row per prediction.
    many = chart.timeline_rows(entries(chart.THRESHOLD + 1), AS_OF)
    assert len(chart.draw(many, AS_OF).axes) == 2
    assert len(chart.draw(many[: chart.THRESHOLD], AS_OF).axes) == 1


def test_svg_and_png_are_deterministic(fixture_entries):
    rows = chart.timeline_rows(fixture_entries, AS_OF)
    first, second = chart.draw(rows, AS_OF), chart.draw(rows, AS_OF)
    svg = chart.to_svg(first)
    assert svg == chart.to_svg(second) == chart.to_svg(first)
    assert chart.to_png(first) == chart.to_png(second)
    assert b"<dc:date>" not in svg and b"Matplotlib v" not in svg
    assert chart.to_png(first).startswith(b"\x89PNG") and b"Software" not in chart.to_png(first)


def test_style_does_not_leak_into_global_settings(fixture_entries):
    salt = matplotlib.rcParams["svg.hashsalt"]
    chart.to_svg(chart.draw(chart.timeline_rows(fixture_entries, AS_OF), AS_OF))
    assert matplotlib.rcParams["svg.hashsalt"] == salt


def test_chinese_text_draws_without_warnings():
    rows = chart.timeline_rows([make("cn", "李彦宏", summary="李彦宏说明年会有更多智能体")], AS_OF)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        chart.to_png(chart.draw(rows, AS_OF))


def test_empty_chart():
    fig = chart.draw([], AS_OF)
    assert chart.to_svg(fig) == chart.to_svg(chart.draw([], AS_OF))


@pytest.mark.parametrize("summary", ["Costs fall from $5 to $3", "Revenue goes $^$ up", "Compute budget is $$ large"])
def test_dollar_signs_are_text_not_mathematics(summary):
    # With mathtext, the first is set as a formula and the other two stop the report with a parse error.
    rows = chart.timeline_rows([make("money", "Sam Altman", summary=summary)], AS_OF)
    fig = chart.draw(rows, AS_OF)
    labels = [t for t in fig.findobj(matplotlib.text.Text) if "$" in t.get_text()]
    assert labels and all(not t.get_parse_math() for t in labels)
    assert chart.to_svg(fig).startswith(b"<?xml") and chart.to_png(fig).startswith(b"\x89PNG")
