"""Hostile text stays text: each escaper on the shared corpus, then every command and output format run on
ledgers full of it, each output checked for anything that would act (markup, links, escapes, formulas)."""

import copy
import csv
import io
import json
import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from markdown_it import MarkdownIt

from conftest import FIXTURES, HOSTILE, HOSTILE_VALID
from ledger import escape
from ledger.cli import main

RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b\u200e\u200f\u2028\u2029\u202a-\u202e"
                         "\u2060\u2066-\u2069\ufeff]")
WEB = re.compile(r"https?://", re.IGNORECASE)


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict]] = []
        self.text: list[tuple[str, str]] = []  # (innermost open tag, text)
        self._open: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))
        if tag not in ("br", "img", "meta", "input", "hr"):
            self._open.append(tag)

    def handle_endtag(self, tag):
        if tag in self._open:
            while self._open and self._open.pop() != tag:
                pass

    def handle_data(self, data):
        self.text.append((self._open[-1] if self._open else "", data))


def _tags(markup: str) -> list[str]:
    parser = _Elements()
    parser.feed(markup)
    return [tag for tag, _ in parser.elements]


def active_html(markup: str, scripts: int = 0, images: tuple[str, ...] = (), svgs: int = 0, forms: int = 0) -> list[str]:
    """What in this HTML could act: elements beyond the page's own, event handlers, links off the web."""
    parser = _Elements()
    parser.feed(markup)
    found = []
    tags = [tag for tag, _ in parser.elements]
    for name, expected in (("script", scripts), ("svg", svgs), ("form", forms)):
        if tags.count(name) != expected:
            found.append(f"{tags.count(name)} <{name}> elements, expected {expected}")
    for tag, attrs in parser.elements:
        if tag in ("textarea", "iframe", "object", "embed", "math", "base", "link", "foreignobject"):
            found.append(f"<{tag}>")
        for name, value in attrs.items():
            if name.startswith("on"):
                found.append(f"<{tag} {name}=…>")
            if name in ("href", "src", "action", "formaction", "xlink:href") and value is not None:
                target = value.strip()
                if tag == "img":
                    if target not in images:
                        found.append(f"<img src={target!r}>")
                elif re.match(r"[a-z][a-z0-9+.-]*:", target, re.IGNORECASE) and not WEB.match(target):
                    found.append(f"<{tag} {name}={target!r}>")
    return found


def markdown_html(text: str) -> str:
    """Markdown as GitHub would render it, raw HTML passed through so that a leak shows."""
    return MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"]).render(text)


def injected_structure(rendered: str) -> list[str]:
    """Headings or table cells that the corpus's own newlines, pipes and hashes would have made."""
    parser = _Elements()
    parser.feed(rendered)
    return [f"<{tag}>{text.strip()}" for tag, text in parser.text
            if tag in ("h1", "h2", "h3", "h4", "h5", "h6", "td", "th") and text.strip().startswith("injected")]


# --- Each escaper on the corpus ------------------------------------------------------------------


@pytest.mark.parametrize("text", HOSTILE)
def test_terminal_shows_every_control_as_an_escape(text):
    shown = escape.terminal(text)
    assert not RAW_CONTROL.search(shown) and "\n" not in shown and "\t" not in shown
    lines = escape.terminal_lines(text)
    assert not RAW_CONTROL.search(lines.replace("\n", "").replace("\t", ""))
    if "\x1b" in text:
        assert "\\x1b" in shown


@pytest.mark.parametrize("text", HOSTILE)
def test_html_is_inert(text):
    out = escape.html(text)
    assert "<" not in out and ">" not in out and '"' not in out and not RAW_CONTROL.search(out)
    assert active_html(f'<p title="{out}">{out}</p>') == []


@pytest.mark.parametrize("text", HOSTILE)
def test_markdown_cell_is_inert(text):
    cell = escape.markdown(text)
    rendered = markdown_html(f"| a | b |\n| --- | --- |\n| {cell} | x |\n\n{cell}\n")
    assert active_html(rendered) == [] and injected_structure(rendered) == []
    assert rendered.count("<tr>") == 2 and rendered.count("<a ") == 0 and "<del>" not in rendered
    assert not RAW_CONTROL.search(cell) and "\n" not in cell


@pytest.mark.parametrize("text", HOSTILE)
def test_markdown_code_and_block_cannot_be_closed(text):
    rendered = markdown_html(f"{escape.markdown_code(text)}\n\n" + "\n".join(escape.markdown_block([text, "after"])))
    assert active_html(rendered) == [] and injected_structure(rendered) == []
    assert rendered.count("<pre>") == 1 and "after" in rendered.split("<pre>")[1]


@pytest.mark.parametrize("text", HOSTILE)
def test_only_web_urls_become_links(text):
    assert escape.web_url(text) is None
    link = markdown_html(escape.markdown_link("label", text))
    assert "href" not in link and active_html(link) == []
    # A link to a file of the repository takes no scheme either; what it links to stays inside the address.
    link = markdown_html(escape.markdown_file_link("label", text))
    assert active_html(link) == [] and [t for t in _tags(link) if t not in ("p", "br", "a")] == []
    url = "https://example.org/a?q=" + re.sub(r"\s", "%20", text)
    if RAW_CONTROL.search(url):
        assert escape.web_url(url) is None
    else:  # a web address holding markup is still a link, with the markup encoded
        assert escape.web_url(url) == url
        link = markdown_html(escape.markdown_link(text, url))
        assert active_html(link) == [] and [t for t in _tags(link) if t not in ("p", "br")] == ["a"]


@pytest.mark.parametrize("text", HOSTILE)
def test_csv_cell_never_starts_a_formula(text):
    cell = escape.csv_cell(text)
    assert not cell.startswith(escape.FORMULA_LEADS)
    assert cell == text or cell == "'" + text


@pytest.mark.parametrize("text", HOSTILE)
def test_github_command_text_is_one_line(text):
    for out in (escape.github_data(text), escape.github_property(text)):
        assert "\n" not in out and "\r" not in out and not RAW_CONTROL.search(out)
    assert ":" not in escape.github_property(text) and "," not in escape.github_property(text)


def test_plain_text_passes_unchanged():
    text = "Altman said 2025 would be the year of agents (我认为2025年将是AI代理真正开始为人们工作的一年)."
    assert escape.terminal(text) == text and escape.html(text) == text and escape.csv_cell(text) == text
    assert escape.markdown(text) == text and escape.github_data(text) == text


# --- Every command on a hostile ledger -----------------------------------------------------------

HOSTILE_URL = 'https://example.org/x?a="><script>alert(1)</script>&b=javascript:alert(1)'


def _hostile_ledger(folder: Path) -> Path:
    """The fixture ledger, with one open and one resolved entry per corpus string that a valid ledger can hold."""
    shutil.copytree(FIXTURES / "seeds", folder / "seeds")
    sources = yaml.safe_load((folder / "seeds" / "sources.yaml").read_text(encoding="utf-8"))
    sources["sources"][0].update(title_en=HOSTILE_VALID[0], url=HOSTILE_URL)
    (folder / "seeds" / "sources.yaml").write_text(yaml.safe_dump(sources, allow_unicode=True), encoding="utf-8")
    data = yaml.safe_load((FIXTURES / "claims.yaml").read_text(encoding="utf-8"))
    by_id = {e["id"]: e for e in data["entries"]}
    entries = []
    for i, text in enumerate(HOSTILE_VALID):
        open_one = copy.deepcopy(by_id["agents-2025"])
        open_one.update(id=f"open-{i}", summary=text, criteria=text, notes=text, deadline_text=text)
        done = copy.deepcopy(by_id["compute-triple"])
        done.update(id=f"done-{i}", summary=text, criteria=text, notes=text)
        for ev in done["evidence"]:
            ev["note"] = text
            if "url" in ev:
                ev.update(url=HOSTILE_URL, publisher=text)
        entries += [open_one, done]
    data["entries"] = entries
    path = folder / "claims.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000), encoding="utf-8")
    return path


def _urls(value) -> list[str]:
    if isinstance(value, dict):
        return [u for k, v in value.items() for u in ([v] if k == "url" else _urls(v))]
    return [u for v in value for u in _urls(v)] if isinstance(value, list) else []


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _terminal_clean(text: str) -> bool:
    return not RAW_CONTROL.search(text.replace("\n", "").replace("\t", ""))


@pytest.fixture
def hostile(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _hostile_ledger(tmp_path)
    return tmp_path


def test_the_hostile_ledger_is_valid(hostile, capsys):
    code, out, err = _run(capsys, "validate", "claims.yaml", "--as-of", "2026-11-23")
    assert (code, out) == (0, ""), out


def test_report_files_are_inert(hostile, capsys):
    code, _, err = _run(capsys, "report", "--as-of", "2026-11-23")
    assert code == 0, err
    reports = hostile / "reports"
    page = (reports / "index.html").read_text(encoding="utf-8")
    # The page's own timeline, inline so that its rows link to their entries; its own script, JSON-LD and filters.
    assert active_html(page, scripts=2, svgs=1, forms=1, images=("scorecard.svg", "calibration.svg")) == []
    assert page.count("<script>") == 1 and page.count('<script type="application/ld+json">') == 1
    readme = (reports / "README.md").read_text(encoding="utf-8")
    rendered = markdown_html(readme)
    charts = ("scorecard.svg", "timeline.svg", "calibration.svg")
    assert active_html(rendered, images=charts) == [] and injected_structure(rendered) == []
    for row in csv.reader(io.StringIO((reports / "claims.csv").read_text(encoding="utf-8"), newline="")):
        assert not any(cell.startswith(escape.FORMULA_LEADS) for cell in row), row
    review = json.loads((reports / "claimreview.jsonld").read_text(encoding="utf-8"))
    assert _urls(review) and all(WEB.match(u) for u in _urls(review))


def test_export_csv_is_inert_and_json_exact(hostile, capsys):
    code, out, _ = _run(capsys, "export", "--format", "csv", "--as-of", "2026-11-23")
    assert code == 0
    rows = list(csv.reader(io.StringIO(out, newline="")))
    assert len(rows) == 1 + 2 * len(HOSTILE_VALID)
    assert not any(cell.startswith(escape.FORMULA_LEADS) for row in rows for cell in row)
    code, out, _ = _run(capsys, "export", "--format", "json", "--as-of", "2026-11-23")
    assert [r["summary"] for r in json.loads(out)[::2]] == list(HOSTILE_VALID)


def test_export_sqlite_keeps_the_exact_text(hostile, capsys):
    # Like the JSON export, the database holds the ledger's text as it is; Datasette escapes it for its pages.
    import sqlite3

    code, _, err = _run(capsys, "export", "--format", "sqlite", "--out", "ledger.db", "--as-of", "2026-11-23")
    assert code == 0, err
    db = sqlite3.connect(hostile / "ledger.db")
    assert [r[0] for r in db.execute("SELECT summary FROM entries ORDER BY rowid")][::2] == list(HOSTILE_VALID)
    assert {r[0] for r in db.execute("SELECT url FROM evidence WHERE url IS NOT NULL")} == {HOSTILE_URL}
    db.close()


def test_due_is_inert_in_text_and_markdown(hostile, capsys):
    code, out, err = _run(capsys, "due", "--as-of", "2026-11-23")
    assert code == 0 and _terminal_clean(out + err)
    rows = out.split("\n\n")[1].splitlines()
    assert len(rows) == 1 + len(HOSTILE_VALID)  # a newline in a summary makes no row of its own
    code, out, _ = _run(capsys, "due", "--format", "markdown", "--as-of", "2026-11-23")
    rendered = markdown_html(out)
    assert code == 0 and active_html(rendered) == [] and injected_structure(rendered) == []
    assert rendered.count("<h2>") == 2 and rendered.count("<tr>") == 1 + len(HOSTILE_VALID)


GIT = ("git", "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false", "-c", "user.name=Ledger Test",
       "-c", "user.email=test@example.org")
GIT_ENV = {"GIT_AUTHOR_DATE": "2026-01-01T00:00:00Z", "GIT_COMMITTER_DATE": "2026-01-01T00:00:00Z"}


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_diff_markdown_is_inert(hostile, capsys):
    hostile_text = (hostile / "claims.yaml").read_bytes()
    shutil.copy(FIXTURES / "claims.yaml", hostile / "claims.yaml")
    env = {**os.environ, **GIT_ENV}
    for args in (("init", "-q"), ("add", "claims.yaml", "seeds"), ("commit", "-q", "-m", "base")):
        subprocess.run([*GIT, *args], cwd=hostile, check=True, env=env)
    (hostile / "claims.yaml").write_bytes(hostile_text)
    code, out, err = _run(capsys, "diff", "HEAD")
    rendered = markdown_html(out)
    assert active_html(rendered) == [] and injected_structure(rendered) == [] and _terminal_clean(out + err)
    assert "open-0" in out and "done-0" in out


# --- Values a valid ledger cannot hold, echoed by the problems that name them ---------------------

CONTROL_STRINGS = [s for s in HOSTILE if s not in HOSTILE_VALID]


def _invalid_ledger(folder: Path) -> None:
    shutil.copytree(FIXTURES / "seeds", folder / "seeds")
    data = yaml.safe_load((FIXTURES / "claims.yaml").read_text(encoding="utf-8"))
    entry = data["entries"][0]
    entries = []
    for i, text in enumerate(CONTROL_STRINGS):
        bad = copy.deepcopy(entry)
        bad.update(id=f"bad-{i}", kind=text, status=text, summary=text, speaker=text, deadline=text)
        entries.append(bad)
    data["entries"] = entries
    (folder / "claims.yaml").write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_problems_show_controls_as_escapes(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    _invalid_ledger(tmp_path)
    code, out, err = _run(capsys, "validate", "claims.yaml", "--as-of", "2026-11-23")
    assert code == 1 and _terminal_clean(out + err) and "\\x1b" in out
    assert all(line.startswith("claims.yaml:") for line in out.splitlines())  # no value breaks a line
    code, out, _ = _run(capsys, "validate", "claims.yaml", "--as-of", "2026-11-23", "--format", "github")
    assert code == 1 and _terminal_clean(out)
    assert all(line.startswith("::error file=claims.yaml,line=") for line in out.splitlines())
    code, out, _ = _run(capsys, "validate", "claims.yaml", "--as-of", "2026-11-23", "--format", "json")
    assert code == 1 and "\x1b" not in out and any("\x1b" in p["message"] for p in json.loads(out))
    for command in ("due", "export", "report"):
        code, out, err = _run(capsys, command, "--as-of", "2026-11-23")
        assert code == 1 and _terminal_clean(out + err), command


def test_messages_naming_a_hostile_file_name_show_controls_as_escapes(hostile, capsys):
    name = "ledger\x1b]52;c;ZXZpbA==\x07\x1b[2J.yaml"
    shutil.copy(hostile / "claims.yaml", hostile / name)
    code, out, err = _run(capsys, "validate", name, "--as-of", "2026-11-23")
    assert code == 0 and "\\x1b" in err and _terminal_clean(out + err)
    code, out, err = _run(capsys, "resolve", "no-such-entry", "--reopen", "--reason", "x", "--ledger", name)
    assert code == 1 and _terminal_clean(out + err)


@pytest.mark.parametrize("text", HOSTILE)
def test_deadline_echoes_a_phrase_as_inert_text(text, capsys):
    code, out, err = _run(capsys, "deadline", text, "--said-on", "2025-01-01")
    assert code in (0, 1) and _terminal_clean(out + err)
