"""The reader's page, index.html: its markup and JSON-LD as a parser reads them, and its filters, search, order
and address in a real headless Chromium.

The browser tests drive the system Chromium through Playwright (never a downloaded browser). Without Chromium
they are skipped, unless LEDGER_REQUIRE_BROWSER=1 (as CI sets), where a missing browser is a failure.
"""

import datetime as dt
import functools
import http.server
import os
import shutil
import threading
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import extruct
import pytest

from ledger import report
from ledger.config import Site
from ledger.model import Entry, Source
from conftest import ROOT

AS_OF = dt.date(2026, 11, 23)
SITE = Site("Fact Desk", "https://facts.example.org/", "https://facts.example.org/ledger/")
SOURCES = {
    "talk": Source.model_validate(dict(
        id="talk", file="001_talk.txt", sha256="0" * 64, title="一次访谈", title_en="An interview", outlet="Outlet A",
        url="https://example.org/talk", video_url="https://video.example.org/talk", published_on="2025-01-02",
        language="zh-Hans", speakers=["Ann", "Bob"])),
    "panel": Source.model_validate(dict(
        id="panel", file="002_panel.txt", sha256="1" * 64, title="A panel", language="en", speakers=["Bob"])),
}


def entry(ident: str, **fields) -> Entry:
    data = dict(id=ident, kind="prediction", speaker="Ann", attribution="direct", source="talk",
                said_on="2025-01-01", quote="q", summary=f"Summary of {ident}.", topics=["agi"], status="open")
    data.update(fields)
    return Entry.model_validate(data)


ENTRIES = [
    entry("ann-agents", deadline="2025-Q2", topics=["agents"], quote="代理会在今年工作"),
    entry("ann-compute", deadline="2027", topics=["compute", "business"], said_on="2025-03-01",
          notes="The host asked about Stargate."),
    entry("ann-claim", kind="claim", topics=["users"], status="correct", resolved_on="2025-06-01",
          criteria="True if the count was published.", evidence=[
              {"type": "primary", "url": "https://example.org/users", "publisher": "Example Co",
               "published_on": "2025-05-30", "note": "The company gives the count."}]),
    entry("bob-models", speaker="Bob", source="panel", deadline="2026-H1", topics=["models"], said_on="2025-02-01",
          attribution="reported"),
    entry("bob-science", speaker="Bob", source="panel", topics=["science", "agents"], said_on="2025-04-01",
          deadline="within 5 years", attribution="secondary"),
    entry("bob-wrong", speaker="Bob", source="panel", deadline="2025", topics=["models"], status="wrong",
          resolved_on="2026-01-05", confidence=0.8, criteria="Correct if it ships in 2025.", evidence=[
              {"type": "report", "url": "https://news.example.org/late", "publisher": "Example News",
               "published_on": "2026-01-03", "note": "It shipped in 2026."}]),
    entry("bob-open", speaker="Bob", source="talk", topics=["agi"], said_on="2024-12-01"),
]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The report of ENTRIES in a folder, as it is published."""
    folder = tmp_path_factory.mktemp("site")
    for name, data in report.render(ENTRIES, SOURCES, AS_OF, SITE).items():
        (folder / name).write_bytes(data)
    return folder


# --- The markup --------------------------------------------------------------------------------------


def test_json_ld_has_what_google_asks_of_a_fact_check(site):
    page = (site / "index.html").read_text(encoding="utf-8")
    found = extruct.extract(page, base_url=SITE.report_url, syntaxes=["json-ld"], uniform=True)["json-ld"]
    assert len(found) == 1
    reviews = found[0]["@graph"]
    assert [r["identifier"] for r in reviews] == ["ann-claim", "bob-wrong"]
    for r in reviews:
        # Required by Google's ClaimReview documentation: claimReviewed, reviewRating.alternateName, url.
        assert r["@type"] == "ClaimReview" and r["claimReviewed"]
        assert r["url"] == f"https://facts.example.org/ledger/#e-{r['identifier']}"
        assert r["reviewRating"]["@type"] == "Rating" and r["reviewRating"]["alternateName"]
        # Recommended: author, datePublished, itemReviewed (a Claim with author, datePublished, appearance).
        assert r["author"] == {"@type": "Organization", "name": "Fact Desk", "url": "https://facts.example.org/"}
        assert dt.date.fromisoformat(r["datePublished"])
        claim = r["itemReviewed"]
        assert claim["@type"] == "Claim" and claim["author"]["@type"] == "Person"
        assert dt.date.fromisoformat(claim["datePublished"])
        rating = r["reviewRating"]
        assert (rating["bestRating"], rating["worstRating"]) == (5, 1) and 1 <= rating["ratingValue"] <= 5
    correct, wrong = reviews
    assert (correct["reviewRating"]["alternateName"], correct["reviewRating"]["ratingValue"]) == ("Correct", 5)
    assert (wrong["reviewRating"]["alternateName"], wrong["reviewRating"]["ratingValue"]) == ("Wrong", 1)
    assert correct["itemReviewed"]["appearance"]["url"] == "https://example.org/talk"
    assert "appearance" not in wrong["itemReviewed"]  # the panel has no web address
    # The page and the file beside it carry the same reviews.
    assert reviews == extruct.extract("<script type='application/ld+json'>"
                                      + (site / "claimreview.jsonld").read_text(encoding="utf-8") + "</script>",
                                      syntaxes=["json-ld"], uniform=True)["json-ld"][0]["@graph"]


def test_each_entry_shows_its_source_attribution_and_verdict(site):
    page = (site / "index.html").read_text(encoding="utf-8")
    card = page[page.index('<li class="entry" id="e-ann-claim"'):]
    card = card[:card.index("</li>\n")]
    assert '<a href="https://example.org/talk" rel="noopener noreferrer">An interview</a>' in card
    assert "Outlet A" in card and '<a href="#s-talk">about this source</a>' in card
    assert '<a href="https://video.example.org/talk" rel="noopener noreferrer">video</a>' in card
    assert '<a href="https://example.org/users" rel="noopener noreferrer">Example Co</a>' in card
    assert '<span class="badge">primary</span> 2025-05-30: The company gives the count.' in card
    assert '<a class="id permalink" href="#e-ann-claim"' in card and 'lang="zh-Hans"' in card
    assert "direct quote" in card and "correct, 2025-06-01" in card
    assert ">secondary source</span>" in page and ">reported by another</span>" in page
    # Each source once, in full, where the cards point.
    about = page[page.index('<section class="source" id="s-talk">'):]
    about = about[:about.index("</section>")]
    assert 'lang="zh-Hans">一次访谈</a>' in about and "<dt>Published</dt><dd>2025-01-02</dd>" in about
    assert "<code>seeds/001_talk.txt</code>" in about and "<dt>Speakers</dt><dd>Ann, Bob</dd>" in about


# --- In the browser ------------------------------------------------------------------------------


def _chromium() -> str:
    found = os.environ.get("LEDGER_CHROMIUM") or next(
        (shutil.which(name) for name in ("chromium", "chromium-browser", "google-chrome") if shutil.which(name)), None)
    if not found:
        if os.environ.get("LEDGER_REQUIRE_BROWSER") == "1":
            pytest.fail("no Chromium found (apt-get install chromium, or set LEDGER_CHROMIUM)")
        pytest.skip("no Chromium on this machine: apt-get install chromium to run the browser tests")
    return found


@pytest.fixture(scope="module")
def browser():
    path = _chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        # The flags keep Chromium off the network: no update checks, no background requests.
        chromium = p.chromium.launch(executable_path=path, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"])
        yield chromium
        chromium.close()


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass


@pytest.fixture(scope="module")
def served(site):
    """The site on a local web server, as a reader gets it: the address keeps the filters in its query."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/index.html"
    server.shutdown()
    thread.join()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda err: errors.append(str(err)))
    yield tab
    context.close()
    assert errors == [], errors


def visible(tab) -> list[str]:
    return tab.eval_on_selector_all("#entry-list > li:not([hidden])", "items => items.map(i => i.id.slice(2))")


def options(tab, name: str) -> dict[str, str]:
    return dict(tab.eval_on_selector_all(f"select[name={name}] option", "os => os.map(o => [o.value, o.text])"))


def address(tab) -> str:
    # Read from the page itself: Playwright learns of history.replaceState only some time later.
    return tab.evaluate("location.href")


def query(tab) -> dict[str, list[str]]:
    return parse_qs(urlsplit(address(tab)).query)


def test_filters_combine_and_their_counts_follow(page, served):
    page.goto(served)
    assert page.text_content("#shown") == "All 7 entries."
    # Newest said first, as listed.
    assert visible(page) == ["bob-science", "ann-compute", "bob-models", "ann-agents", "ann-claim", "bob-wrong",
                             "bob-open"]
    page.select_option("select[name=speaker]", "Bob")
    assert visible(page) == ["bob-science", "bob-models", "bob-wrong", "bob-open"]
    # The other filters count within Bob's entries; the speaker filter counts within the others (none).
    assert options(page, "status") == {"": "All statuses (4)", "open": "open (3)", "overdue": "open, past the deadline (1)",
                                       "correct": "correct (0)", "wrong": "wrong (1)"}
    assert options(page, "speaker") == {"": "All speakers (7)", "Ann": "Ann (3)", "Bob": "Bob (4)"}
    page.select_option("select[name=topic]", "models")
    assert visible(page) == ["bob-models", "bob-wrong"]
    assert options(page, "speaker") == {"": "All speakers (2)", "Ann": "Ann (0)", "Bob": "Bob (2)"}
    page.select_option("select[name=status]", "wrong")
    assert visible(page) == ["bob-wrong"] and page.text_content("#shown") == "1 of 7 entries."
    page.click("button[type=reset]")
    page.wait_for_function("document.getElementById('shown').textContent === 'All 7 entries.'")
    assert len(visible(page)) == 7 and query(page) == {}


def test_overdue_is_a_status_of_its_own(page, served):
    page.goto(served)
    page.select_option("select[name=status]", "overdue")
    # 2026-H1 and 2025-Q2 have ended; bob-open has no deadline, bob-science's five years run to 2030.
    assert visible(page) == ["bob-models", "ann-agents"]


def test_search_reads_summary_quote_and_notes(page, served):
    page.goto(served)
    page.fill("input[name=q]", "stargate")
    assert visible(page) == ["ann-compute"]  # from the notes, whatever the case
    page.fill("input[name=q]", "代理")
    assert visible(page) == ["ann-agents"]  # a Chinese word inside the quote
    page.fill("input[name=q]", "summary bob")
    assert sorted(visible(page)) == ["bob-models", "bob-open", "bob-science", "bob-wrong"]  # every word must match
    page.fill("input[name=q]", "Example News")
    assert visible(page) == []  # evidence is not searched: only summary, quote and notes
    assert query(page) == {"q": ["Example News"]}


def test_deadline_order_is_by_date_with_open_ended_last(page, served):
    page.goto(served)
    page.select_option("select[name=sort]", "deadline-asc")
    # 2025 (ends 2025-12-31) after 2025-Q2 (2025-06-30); within 5 years of 2025-04-01 after 2027; no deadline last.
    assert visible(page) == ["ann-agents", "bob-wrong", "bob-models", "ann-compute", "bob-science", "ann-claim",
                             "bob-open"]
    page.select_option("select[name=sort]", "deadline-desc")
    assert visible(page) == ["bob-science", "ann-compute", "bob-models", "bob-wrong", "ann-agents", "ann-claim",
                             "bob-open"]
    page.select_option("select[name=sort]", "said-asc")
    assert visible(page)[0] == "bob-open"


def test_the_address_keeps_the_view(page, served, browser):
    page.goto(served)
    page.select_option("select[name=speaker]", "Bob")
    page.select_option("select[name=sort]", "deadline-asc")
    page.fill("input[name=q]", "summary")
    assert query(page) == {"speaker": ["Bob"], "sort": ["deadline-asc"], "q": ["summary"]}
    shown = visible(page)
    # Someone who opens the shared address sees the same view.
    other = browser.new_page()
    other.goto(address(page))
    assert other.input_value("select[name=speaker]") == "Bob"
    assert other.input_value("select[name=sort]") == "deadline-asc"
    assert other.input_value("input[name=q]") == "summary"
    assert visible(other) == shown == ["bob-wrong", "bob-models", "bob-science", "bob-open"]
    # A value that is not an option is ignored, not an empty page.
    other.goto(served + "?speaker=Nobody&status=open")
    assert other.input_value("select[name=speaker]") == "" and len(visible(other)) == 5
    other.close()


def test_a_permalink_lands_even_where_the_filters_hide_the_entry(page, served):
    page.goto(served + "?speaker=Bob#e-ann-compute")
    assert "ann-compute" in visible(page) and len(visible(page)) == 7
    assert page.evaluate("document.querySelector('#e-ann-compute').getBoundingClientRect().top") < 900


def test_without_the_script_every_entry_is_listed(browser, served):
    context = browser.new_context(java_script_enabled=False)
    tab = context.new_page()
    tab.goto(served)
    assert len(visible(tab)) == 7 and tab.is_hidden("#filters")
    context.close()


@pytest.mark.parametrize("folder", ["fixture", "committed"])
def test_nothing_scrolls_sideways_on_a_phone(browser, site, folder):
    # The committed report of the real ledger too: its long source titles and tables are what overflow.
    path = site / "index.html" if folder == "fixture" else ROOT / "reports" / "index.html"
    context = browser.new_context(viewport={"width": 400, "height": 800})
    tab = context.new_page()
    tab.goto(Path(path).as_uri())
    assert tab.evaluate("document.documentElement.scrollWidth") <= 400
    # Entries are cards of one column, each within the screen.
    widths = tab.eval_on_selector_all("#entry-list > li", "items => items.map(i => i.getBoundingClientRect().right)")
    assert widths and max(widths) <= 400
    context.close()
