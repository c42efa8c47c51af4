"""ledger coverage: checkable-looking sentences no entry quotes, on the real sources."""

import yaml

from conftest import ROOT
from ledger import coverage
from ledger.cli import main

SOURCES = {s["id"]: s["file"] for s in yaml.safe_load((ROOT / "seeds" / "sources.yaml").read_text())["sources"]}
ENTRIES = yaml.safe_load((ROOT / "claims.yaml").read_text(encoding="utf-8"))["entries"]


def _text(source_id):
    return (ROOT / "seeds" / SOURCES[source_id]).read_text(encoding="utf-8")


def test_a_quoted_sentence_is_not_listed_and_an_unquoted_one_is():
    text = _text("son-altman-tokyo-2025")
    quotes = [e["quote"] for e in ENTRIES if e["source"] == "son-altman-tokyo-2025"]
    listed = {s.text for s in coverage.uncovered(text, quotes)}
    unquoted = {s.text for s in coverage.uncovered(text, [])}
    assert "今年是‘代理(agent)’的原年。" in unquoted - listed  # tokyo25-agents-year quotes it
    assert listed < unquoted


def test_measure_on_the_real_ledger():
    text = _text("big-technology-2025-12")
    quotes = [e["quote"] for e in ENTRIES if e["source"] == "big-technology-2025-12"]
    m = coverage.measure(text, quotes)
    assert 0 < m.listed_quoted <= m.listed and 0 < m.quoted_listed <= m.quoted
    assert m.listed_quoted == m.quoted_listed


def test_cli_lists_with_lines(capsys):
    assert main(["coverage", "secondary-son-dialogue", "--ledger", str(ROOT / "claims.yaml")]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out and all(line.startswith("seeds/000_247029f88bd06639.txt:") or "000_247029f88bd06639.txt:" in line
                       for line in out)
