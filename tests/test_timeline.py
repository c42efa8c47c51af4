import datetime as dt

import matplotlib
import matplotlib.dates as mdates
import pytest

from ledger import chart, timeline
from ledger.model import Entry
from ledger.validate import check_file
from conftest import FIXTURES

AS_OF = dt.date(2026, 11, 23)


def make(ident, speaker, said_on="2025-01-01", deadline="2026", status="open", summary=None, label=None):
    data = dict(id=ident, kind="prediction", speaker=speaker, attribution="direct", source="s", said_on=said_on,
                quote="q", summary=summary or f"{speaker} says {ident}", topics=["agi"], status=status)
    if label is not None:
        data["label"] = label
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
    rows = timeline.timeline_rows(fixture_entries, AS_OF)
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
    rows = timeline.timeline_rows(entries, AS_OF)
    # Bea (3) first, then Zed (2), then Al (1); within a speaker by date said, then id.
    assert [r.id for r in rows] == ["b0", "b1", "b2", "z2", "z1", "a1"]
    assert timeline.timeline_rows(list(reversed(entries)), AS_OF) == rows


def test_within_a_speaker_soonest_deadline_first_and_undated_last():
    entries = [
        make("undated-early", "A", said_on="2024-01-01", deadline=None, status="correct"),
        make("far", "A", said_on="2024-01-01", deadline="2030"),
        make("soon", "A", said_on="2025-06-01", deadline="2025-Q3"),
        make("undated-late", "A", said_on="2025-06-01", deadline=None, status="wrong"),
        make("open-ended", "A", said_on="2025-06-01", deadline=None),
    ]
    rows = timeline.timeline_rows(entries, AS_OF)
    # An open prediction without a deadline has nothing to draw: it is counted, not drawn.
    assert [r.id for r in rows] == ["soon", "far", "undated-early", "undated-late"]
    assert timeline.undrawn(entries) == 1
    caption = [t.get_text() for t in timeline.draw(rows, AS_OF, timeline.undrawn(entries)).texts]
    assert any("1 open without a deadline not drawn" in t for t in caption)


def test_rows_past_the_horizon_are_cut_and_labelled():
    rows = timeline.timeline_rows([make("near", "A", deadline="2027"), make("far", "A", deadline="2050")], AS_OF)
    ax = timeline.draw(rows, AS_OF).axes[0]
    right = mdates.num2date(ax.get_xlim()[1]).date()
    # One 2050 deadline must not stretch the axis: it stops shortly after the end of 2031.
    assert dt.date(2031, 12, 31) < right < dt.date(2032, 3, 1)
    assert [t.get_text() for t in ax.texts if t.get_text().startswith("ends ")] == ["ends 2050-12-31 ▸"]
    # The aggregate view folds the quarters past the horizon into one last bar.
    many = timeline.timeline_rows([make(f"p{i}", "A", deadline="2050" if i % 2 else "2027")
                                for i in range(timeline.THRESHOLD + 1)], AS_OF)
    quarters = timeline.draw(many, AS_OF).axes[1]
    assert [t.get_text() for t in quarters.texts if t.get_text().startswith("ends ")] == ["ends 2032\nor later"]
    assert mdates.num2date(quarters.get_xlim()[1]).date() < dt.date(2032, 7, 1)


def test_overdue_flag_and_rows_without_deadline():
    rows = timeline.timeline_rows([
        make("late", "A", deadline="2026-Q3"),  # ended 2026-09-30
        make("today", "A", deadline="2026-11-23"),  # ends on the as-of date: not yet overdue
        make("done", "A", deadline="2025", status="wrong"),
        make("vague", "A", deadline=None, status="unresolvable"),
    ], AS_OF)
    state = {r.id: (r.state, r.overdue, r.days_overdue) for r in rows}
    assert state == {"late": ("overdue", True, 54), "today": ("open", False, 0), "done": ("wrong", False, 0),
                     "vague": ("unresolvable", False, 0)}
    vague = next(r for r in rows if r.id == "vague")
    assert vague.start is None and vague.end is None and vague.deadline is None


def test_label_is_the_entry_s_own_or_the_summary_cut_at_a_word():
    summary = "Someone predicts that a very long list of things will all happen together " * 3
    text = timeline.short_label(summary)
    assert text == "Someone predicts that a very long list…" and len(text) <= timeline.LABEL_CHARS
    assert timeline.short_label("Short one.") == "Short one."
    # Rows stand under the speaker's name: the opening "Altman hopes that" is not repeated.
    assert timeline.short_label("Altman hopes that compute triples in 2026.", "Sam Altman") == "Compute triples in 2026."
    assert timeline.short_label("According to the host, Altman said so.", "Sam Altman") == (
        "According to the host, Altman said so.")
    rows = timeline.timeline_rows([make("a", "Sam Altman", summary="Altman says x " * 10, label="Own label")], AS_OF)
    assert rows[0].label == "Own label" and rows[0].summary.startswith("Altman says x")


def test_rows_link_to_their_entry_with_the_summary_as_tooltip():
    rows = timeline.timeline_rows([make("a-1", "A", summary="Costs <fall> & rise"), make("b-2", "A")], AS_OF)
    svg = timeline.with_tooltips(chart.to_svg(timeline.draw(rows, AS_OF)), rows).decode("utf-8")
    assert svg.count('xlink:href="index.html#e-a-1"') == 1 and svg.count('xlink:href="index.html#e-b-2"') == 1
    assert '<g id="row-a-1">\n    <title>Costs &lt;fall&gt; &amp; rise (a-1)</title>' in svg


def test_aggregate_above_the_threshold():
    def entries(n):
        out = []
        for i in range(n):
            speaker = f"Speaker {i % 25:02d}"
            deadline = None if i % 10 == 0 else ("2025-Q2" if i % 3 else "2027-H1")
            out.append(make(f"p{i}", speaker, said_on="2024-01-01", deadline=deadline,
                            status="open" if deadline else "correct"))
        return out

    rows = timeline.timeline_rows(entries(125), AS_OF)
    agg = timeline.aggregate(rows)
    assert agg.by_speaker[0][1] == {"correct": 3, "overdue": 1, "open": 1}  # p0, p50, p100; p25; p75
    assert agg.total == len(rows) == 125
    assert len(agg.by_speaker) == timeline.TOP_SPEAKERS + 1
    assert agg.by_speaker[-1][0] == "5 other speakers"
    assert sum(sum(mix.values()) for _, mix in agg.by_speaker) == 125
    assert [q for q, _ in agg.by_quarter] == [dt.date(2025, 4, 1), dt.date(2027, 4, 1)]
    assert agg.no_deadline == 13
    assert agg.by_quarter[0][1] == {"overdue": sum(1 for r in rows if r.end == dt.date(2025, 6, 30))}
    # The drawing switches to the aggregate view: two panels instead of one row per prediction.
    many = timeline.timeline_rows(entries(timeline.THRESHOLD + 1), AS_OF)
    assert len(timeline.draw(many, AS_OF).axes) == 2
    assert len(timeline.draw(many[: timeline.THRESHOLD], AS_OF).axes) == 1


def test_svg_and_png_are_deterministic(fixture_entries):
    rows = timeline.timeline_rows(fixture_entries, AS_OF)
    first, second = timeline.draw(rows, AS_OF), timeline.draw(rows, AS_OF)
    svg = chart.to_svg(first)
    assert svg == chart.to_svg(second) == chart.to_svg(first)
    assert chart.to_png(first) == chart.to_png(second)
    assert b"<dc:date>" not in svg and b"Matplotlib v" not in svg
    assert chart.to_png(first).startswith(b"\x89PNG") and b"Software" not in chart.to_png(first)


def test_style_does_not_leak_into_global_settings(fixture_entries):
    salt = matplotlib.rcParams["svg.hashsalt"]
    chart.to_svg(timeline.draw(timeline.timeline_rows(fixture_entries, AS_OF), AS_OF))
    assert matplotlib.rcParams["svg.hashsalt"] == salt


def test_chinese_text_draws_in_the_bundled_font():
    rows = timeline.timeline_rows([make("cn", "李彦宏", summary="李彦宏说明年会有更多智能体")], AS_OF)
    svg = chart.to_svg(timeline.draw(rows, AS_OF))
    # Glyphs as paths are named after their font: the CJK ones come from the font the project ships with.
    assert b'id="NotoSansCJKsc-Regular-' in svg


def test_empty_chart():
    fig = timeline.draw([], AS_OF, 3)
    assert chart.to_svg(fig) == chart.to_svg(timeline.draw([], AS_OF, 3))
    assert "3 open predictions without a deadline" in " ".join(t.get_text() for t in fig.texts)


@pytest.mark.parametrize("summary", ["Costs fall from $5 to $3", "Revenue goes $^$ up", "Compute budget is $$ large"])
def test_dollar_signs_are_text_not_mathematics(summary):
    # With mathtext, the first is set as a formula and the other two stop the report with a parse error.
    rows = timeline.timeline_rows([make("money", "Sam Altman", summary=summary)], AS_OF)
    fig = timeline.draw(rows, AS_OF)
    labels = [t for t in fig.findobj(matplotlib.text.Text) if "$" in t.get_text()]
    assert labels and all(not t.get_parse_math() for t in labels)
    assert chart.to_svg(fig).startswith(b"<?xml") and chart.to_png(fig).startswith(b"\x89PNG")
