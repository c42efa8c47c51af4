"""[tool.ledger] in pyproject.toml: who publishes the report and where, and each mistake at its line."""

import pytest

from ledger import config
from ledger.config import Site
from conftest import ROOT

GOOD = """[project]
name = "x"

[tool.ledger]
publisher = "Fact Desk"
publisher_url = "https://facts.example.org/"
report_url = "https://facts.example.org/ledger/index.html"
"""


def read(tmp_path, text):
    path = tmp_path / "pyproject.toml"
    path.write_text(text, encoding="utf-8")
    site, problems = config.read(path, "pyproject.toml")
    return site, [str(p) for p in problems]


def test_a_complete_table(tmp_path):
    site, problems = read(tmp_path, GOOD)
    assert problems == []
    assert site == Site("Fact Desk", "https://facts.example.org/", "https://facts.example.org/ledger/index.html")
    assert site.entry_url("models-q1") == "https://facts.example.org/ledger/index.html#e-models-q1"
    assert site.placeholders() == ["publisher_url", "report_url"]  # example.org is reserved for examples
    assert Site("A", "https://a.org/", "https://a.github.io/l/").placeholders() == []


def test_no_file_or_no_table_is_no_site(tmp_path):
    assert config.read(tmp_path / "pyproject.toml") == (None, [])
    assert read(tmp_path, "[project]\nname = 'x'\n") == (None, [])


@pytest.mark.parametrize("text, expected", [
    (GOOD.replace('publisher = "Fact Desk"\n', ""),
     ["pyproject.toml:4:1: [error] [tool.ledger] needs 'publisher': the organisation that publishes the fact "
      "checks (ClaimReview's author) (bad-config)"]),
    (GOOD.replace('"https://facts.example.org/"', '"facts.example.org"'),
     ["pyproject.toml:6:1: [error] 'publisher_url' must be an absolute http(s) address, not 'facts.example.org' "
      "(bad-config)"]),
    (GOOD.replace('publisher = "Fact Desk"', "publisher = 3") + "colour = 'red'\n",
     ["pyproject.toml:8:1: [error] unknown key 'colour' in [tool.ledger]; the keys are publisher, publisher_url, "
      "report_url (bad-config)",
      "pyproject.toml:5:1: [error] 'publisher' must be text: the organisation that publishes the fact checks "
      "(ClaimReview's author) (bad-config)"]),
    (GOOD.replace('report_url = "', 'report_url = '),
     ["pyproject.toml:7:14: [error] Invalid value (toml-syntax)"]),
    ("[tool]\nledger = 1\n", ["pyproject.toml:2:1: [error] tool.ledger must be a table (bad-config)"]),
])
def test_each_mistake_at_its_line(tmp_path, text, expected):
    site, problems = read(tmp_path, text)
    assert site is None and problems == expected


def test_the_project_names_its_publisher():
    site, problems = config.read(ROOT / "pyproject.toml")
    assert problems == [] and site is not None and site.publisher
