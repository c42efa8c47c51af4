import datetime as dt
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
AS_OF = "2026-11-23"


@pytest.fixture
def as_of() -> dt.date:
    return dt.date.fromisoformat(AS_OF)
