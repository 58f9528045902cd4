"""A running mock EHR whose redirect URI is the test client's BackPath."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.mock_ehr import MRN_SYSTEM, MockEhr, running
from tests.web.launch.builders import INSURANCE, MRN

BASE = "http://testserver"


@pytest.fixture
def ehr(settings: Any) -> Iterator[MockEhr]:
    settings.BACKPATH_BASE_URL = BASE
    with running(f"{BASE}/launch/smart", f"{BASE}/launch/smart/callback") as mock:
        mock.add_patient("pat-1", "Ada Maria", "Byrne", "1975-04-02", "female",
                         [(MRN_SYSTEM, MRN), (INSURANCE, "INS-9921")])  # fmt: skip
        yield mock
