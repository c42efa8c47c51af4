"""ledger.versions: reading entry by entry gives exactly what the strict loader and validator give, on any text."""

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import FIXTURES
from ledger.versions import Reader, _split

TEXT = (FIXTURES / "claims.yaml").read_text(encoding="utf-8")
AS_OF = dt.date(2026, 11, 23)
STATUS = "confidence: 0.7\n    status: open"


def compact(text: str) -> str:
    """The same ledger with its items at column 0 under `entries:`, as PyYAML writes it."""
    head, body = text.split("entries:\n", 1)
    return head + "entries:\n" + "\n".join(line[2:] if line.startswith("  ") else line for line in body.split("\n"))


CASES = {
    "fixture": TEXT,
    "compact": compact(TEXT),
    "crlf": TEXT.replace("\n", "\r\n"),
    "bom": "\ufeff" + TEXT,
    "comments": TEXT.replace("  - id: models-q1", "# a comment at column 0\n    # and one indented\n\n  - id: models-q1"),
    "removed": TEXT + "removed:\n  - id: gone\n    \"on\": 2026-01-01\n    reason: Not checkable.\n",
    "removed-still-present": TEXT + "removed:\n  - id: models-q1\n    \"on\": 2026-01-01\n    reason: Oops.\n",
    "duplicate-id": TEXT.replace("id: models-q1", "id: agents-2025"),
    "related-missing": TEXT.replace(STATUS, STATUS + "\n    related: [no-such-entry]", 1),
    "related-present": TEXT.replace(STATUS, STATUS + "\n    related: [models-q1]", 1),
    "checked-in-future": TEXT.replace(STATUS, STATUS + "\n    checked_on: 2026-12-01", 1),
    "quoted-item-lookalike": TEXT.replace("    topics: [agents]", '    notes: "one\n  - id: sneaky\n    two"\n    topics: [agents]'),
    "plain-item-lookalike": TEXT.replace("    topics: [agents]", "    notes: one\n      - id: sneaky\n    topics: [agents]"),
    "line-separator": TEXT.replace("    topics: [agents]", '    notes: "a\u2028  - id: x"\n    topics: [agents]'),
    "lone-cr": TEXT.replace("    topics: [agents]", "    notes: a\r  - id: x\n    topics: [agents]"),
    "tab": TEXT.replace("  - id: models-q1", "\t- id: models-q1"),
    "shallow-line": TEXT.replace("  - id: models-q1", " x: 1\n  - id: models-q1"),
    "flow-entries": "entries: []\n",
    "document-marker": TEXT.replace("  - id: models-q1", "---\n  - id: models-q1"),
    "anchor": TEXT.replace("topics: [agents]", "topics: &t [agents]", 1).replace("topics: [models]", "topics: *t", 1),
    "key-after-block": TEXT + "extra: 1\n",
    "entries-twice": TEXT + "entries:\n  - id: more\n",
    "not-utf8": TEXT.replace("两年内", "\udcff", 1),
    "missing-field": TEXT.replace("    kind: prediction\n", "", 1),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_same_as_the_strict_reader(name):
    raw = CASES[name].encode("utf-8", "surrogateescape")
    reader = Reader()
    fast = reader.read(raw, AS_OF)
    assert fast == Reader().strict(raw, AS_OF)
    assert reader.read(raw, AS_OF) == fast  # and again, from the cache


def test_the_layouts_it_splits():
    for name in ("fixture", "compact", "crlf", "bom", "comments", "removed"):
        split = _split(CASES[name].encode("utf-8"))
        assert split is not None and len(split[1]) == 5, name
    for name in ("fixture", "compact", "crlf", "removed"):
        # Read entry by entry (not whole, after a refusal), with the same result.
        fast = Reader()._fast(CASES[name].encode("utf-8"), AS_OF)
        assert fast is not None and fast == Reader().strict(CASES[name].encode("utf-8"), AS_OF), name
    assert Reader().read(CASES["checked-in-future"].encode(), AS_OF).problem.code == "checked-in-future"
    assert Reader().read(CASES["checked-in-future"].encode(), dt.date(2026, 12, 1)).problem is None
    assert Reader().read(CASES["duplicate-id"].encode(), AS_OF).problem.code == "duplicate-id"


FUZZ_PIECES = st.sampled_from(list("[]{}:,&*!|>-#'\" \t\n\r\x85\u2028a0年") +
                              ["\n  - ", "\n- ", ": ", "- id: ", "status: ", "\n    ", "\nremoved:\n  - id: x\n",
                               "related: [models-q1]", "checked_on: 2027-01-01", "\n# c\n", "\r\n"])
MUTATION = st.tuples(st.sampled_from(["insert", "delete", "replace"]), st.floats(0, 1), st.floats(0, 1),
                     st.lists(FUZZ_PIECES, max_size=4).map("".join))
SHARED = Reader()  # one reader across examples: its caches must never change an answer


@settings(max_examples=150, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(["fixture", "compact", "crlf"]), st.lists(MUTATION, min_size=1, max_size=3))
def test_mutated_ledgers_read_the_same(base, mutations):
    text = CASES[base]
    for op, a, b, piece in mutations:
        i, j = sorted((int(a * len(text)), int(b * len(text))))
        text = text[:i] + piece + text[i:] if op == "insert" else text[:i] + text[j:] if op == "delete" \
            else text[:i] + piece + text[j:]
    raw = text.encode("utf-8")
    assert SHARED.read(raw, AS_OF) == Reader().strict(raw, AS_OF)
