"""``backpath createclinic``: a clinic and its first lead without a password, the one-time
link emailed and printed; a clinic name twice exits 2 naming the field."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from typer.testing import CliRunner

from backpath.cli.main import app
from backpath.web.accounts.models import Clinic, User
from backpath.web.audit.models import AuditEvent

runner = CliRunner()
NEW = "lead-passphrase-long-1"


@pytest.fixture
def server_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SECRET_KEY", settings.SECRET_KEY)


def create(*args: str) -> Any:
    return runner.invoke(app, ["createclinic", *args])


def test_createclinic_makes_the_clinic_and_a_lead_who_sets_a_password(
    db: Any, server_key: None
) -> None:
    result = create("Riverside Physio", "--lead-email", "Lee@Riverside.example",
                    "--lead-name", "Lee Park")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    lead = User.objects.get(username="lee@riverside.example")
    assert (lead.role, lead.clinic.name, lead.get_full_name()) == (
        "lead",
        "Riverside Physio",
        "Lee Park",
    )
    assert not lead.has_usable_password()
    printed = re.search(r"https?://\S+/welcome/\S+/", result.stdout).group(0)  # type: ignore[union-attr]
    (message,) = mail.outbox
    assert printed in message.body and message.to == ["lee@riverside.example"]
    client = Client()
    opened = client.get(urlparse(printed).path)
    done = client.post(opened.headers["Location"], {"new_password1": NEW, "new_password2": NEW})
    assert done.status_code == 302
    assert client.get("/staff/").status_code == 200  # the lead's Staff page
    assert AuditEvent.objects.filter(action="create", object_type="Clinic").exists()


def test_a_second_clinic_of_the_same_name_exits_2_naming_the_field(
    db: Any, server_key: None
) -> None:
    assert create("Riverside Physio", "--lead-email", "a@riverside.example").exit_code == 0
    again = create("riverside physio", "--lead-email", "b@riverside.example")
    assert again.exit_code == 2 and again.stdout == ""
    assert again.stderr.startswith("error: name:") and "already exists" in again.stderr
    assert Clinic.objects.count() == 1 and not User.objects.filter(username__startswith="b@")


def test_a_bad_email_exits_2_naming_the_field(db: Any, server_key: None) -> None:
    result = create("Riverside Physio", "--lead-email", "not-an-address")
    assert result.exit_code == 2 and "email:" in result.stderr
    assert not Clinic.objects.exists()


def test_the_clinics_phone_is_kept_and_a_bad_one_is_named(db: Any, server_key: None) -> None:
    bad = create("Riverside Physio", "--lead-email", "a@riverside.example", "--phone", "call me")
    assert bad.exit_code == 2 and bad.stderr.startswith("error: phone:")
    assert not Clinic.objects.exists()
    good = create("Riverside Physio", "--lead-email", "a@riverside.example",
                  "--phone", "+44 20 7946 0123")  # fmt: skip
    assert good.exit_code == 0 and Clinic.objects.get().phone == "+44 20 7946 0123"


def test_without_the_servers_key_it_refuses_rather_than_print_a_dead_link(
    db: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("BACKPATH_DATA_DIR", str(tmp_path))
    result = create("Riverside Physio", "--lead-email", "a@riverside.example")
    assert result.exit_code == 2 and "SECRET_KEY" in result.stderr
    assert not Clinic.objects.exists()
