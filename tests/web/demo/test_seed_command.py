"""``seed_demo`` on an empty database prints what it made and how to sign in."""

from __future__ import annotations

from io import StringIO
from typing import Any

from django.core.management import call_command

from backpath.web.demo.cases import ACCOUNTS, DEMO_PASSWORD


def test_the_seed_command_prints_the_logins(db: Any) -> None:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    text = out.getvalue()
    assert "12 patients created" in text
    assert (
        all(username in text for username in (a.username for a in ACCOUNTS))
        and DEMO_PASSWORD in text
    )
