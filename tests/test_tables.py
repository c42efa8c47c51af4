"""ledger.tables: columns aligned by what a terminal shows, the last one cut to fit."""

from ledger import tables


def test_cjk_characters_take_two_columns():
    out = tables.text_table(["speaker", "id"], [["孙正义", "a"], ["Sam Altman", "b"]])
    assert out.splitlines() == ["speaker     id", "孙正义      a", "Sam Altman  b"]
    # Each id starts in the same screen column.
    assert {tables.width(line[: line.rindex(" ") + 1]) for line in out.splitlines()} == {12}


def test_the_last_column_is_cut_to_the_terminal_width():
    rows = [["1", "长" * 40], ["2", "short"]]
    out = tables.text_table(["n", "summary"], rows, columns=20)
    assert [tables.width(line) for line in out.splitlines()] == [10, 20, 8]
    assert out.splitlines()[1].endswith("…")
    # Without a terminal width (output piped), nothing is cut.
    assert "长" * 40 in tables.text_table(["n", "summary"], rows)


def test_control_characters_are_shown_not_sent():
    out = tables.text_table(["a"], [["x\x1b[2Jy"]])
    assert "\x1b" not in out and "\\x1b" in out


def test_markdown_cells_are_escaped():
    assert tables.markdown_table(["a", "b"], [["x|y", "*z*"]]).splitlines()[2] == "| x\\|y | \\*z\\* |"
