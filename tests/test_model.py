import json

from conftest import ROOT
from ledger.model import json_schema
from ledger.problem import Problem
from ledger.vocabulary import STATUSES, TOPICS


def test_published_schema_matches_the_code():
    published = json.loads((ROOT / "schema" / "claims.schema.json").read_text(encoding="utf-8"))
    assert published == json_schema(), "regenerate with: python -m ledger.model > schema/claims.schema.json"


def test_schema_lists_the_vocabularies():
    entry = json_schema()["$defs"]["Entry"]["properties"]
    assert tuple(entry["status"]["enum"]) == STATUSES
    assert tuple(entry["topics"]["items"]["enum"]) == TOPICS


def test_claims_yaml_points_editors_at_the_schema():
    first = (ROOT / "claims.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=schema/claims.schema.json"


def test_problem_prints_in_one_format():
    assert str(Problem("claims.yaml", 12, 5, "bad-status", "status is wrong")) == (
        "claims.yaml:12:5: [error] status is wrong (bad-status)"
    )
