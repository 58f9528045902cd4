"""Registering an EHR's SMART endpoint: the lead's page (list, add with field errors,
deactivate; lead only, another clinic's registration is a 404), the secret never shown again,
and ``backpath register-smart``."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from typer.testing import CliRunner

from backpath.cli.main import app
from backpath.web.accounts.models import Clinic, Role, User
from backpath.web.audit.models import AuditEvent
from backpath.web.launch.models import DEFAULT_SCOPES, SmartEhr
from tests.web.builders import logged_in, make_user

pytestmark = pytest.mark.django_db

PAGE = "/launch/ehrs/"
SECRET = "s3cret-from-the-ehr-0042"
FORM = {"name": "Riverside EHR", "iss": "https://ehr.riverside.example/fhir/R4",
        "client_id": "backpath", "client_secret": SECRET, "scopes": DEFAULT_SCOPES}  # fmt: skip


def text(response: Any) -> str:
    return html.unescape(response.content.decode())


def test_the_lead_registers_an_ehr_and_the_secret_is_never_shown_again(lead: User) -> None:
    client = logged_in(lead)
    page = client.get(PAGE)
    assert page.status_code == 200 and "No EHR is registered yet" in text(page)
    assert "http://testserver" not in text(page) and "/launch/smart/callback" in text(page)
    added = client.post(PAGE, FORM, follow=True)
    shown = text(added)
    assert "Riverside EHR may now launch BackPath" in shown and FORM["iss"] in shown
    assert SECRET not in shown and SECRET not in text(client.get(PAGE))
    ehr = SmartEhr.objects.get()
    assert (ehr.clinic, ehr.created_by, ehr.active) == (lead.clinic, lead, True)
    assert ehr.scopes == DEFAULT_SCOPES
    assert SECRET not in ehr.client_secret_sealed and ehr.client_secret() == SECRET
    assert AuditEvent.objects.filter(action="create", object_type="SmartEhr").exists()


def test_the_page_is_in_the_leads_menu_only(lead: User, clinician: User) -> None:
    assert PAGE in logged_in(lead).get(reverse("patients:list")).content.decode()
    assert PAGE not in logged_in(clinician).get(reverse("patients:list")).content.decode()


@pytest.mark.parametrize(
    ("change", "field", "said"),
    [
        ({"iss": "http://ehr.riverside.example/fhir"}, "iss", "Must be an https URL"),
        ({"iss": "https://ehr.example/fhir?tenant=1"}, "iss", "without query"),
        ({"iss": "ftp://ehr.example/fhir"}, "iss", "https"),
        ({"iss": ""}, "iss", "This field is required"),
        ({"scopes": "openid patient/*.read"}, "scopes", "Must include launch"),
        ({"scopes": 'launch "quoted"'}, "scopes", "is not an OAuth scope"),
        ({"client_secret": ""}, "client_secret", "This field is required"),
        ({"name": ""}, "name", "This field is required"),
    ],
)
def test_a_bad_field_is_named_and_nothing_is_saved(
    lead: User, change: dict[str, str], field: str, said: str
) -> None:
    answer = logged_in(lead).post(PAGE, {**FORM, **change})
    assert answer.status_code == 200
    assert said in " ".join(answer.context["form"].errors[field])
    assert f'id="id_{field}_error"' in answer.content.decode()
    assert not SmartEhr.objects.exists()


def test_an_ehr_registered_twice_is_named_until_the_first_is_deactivated(lead: User) -> None:
    client = logged_in(lead)
    client.post(PAGE, FORM)
    again = client.post(PAGE, FORM)
    assert "already registered" in " ".join(again.context["form"].errors["iss"])
    ehr = SmartEhr.objects.get()
    client.post(reverse("launch:deactivate", args=[ehr.pk]))
    ehr.refresh_from_db()
    assert not ehr.active and ehr.deactivated is not None
    assert client.post(PAGE, FORM).status_code == 302
    assert SmartEhr.objects.filter(active=True).count() == 1
    assert AuditEvent.objects.filter(action="update", detail__contains="deactivated").exists()


def test_only_the_lead_may_see_or_change_registrations(
    clinician: User, patient: Any, lead: User
) -> None:
    assert logged_in(clinician).get(PAGE).status_code == 403
    assert logged_in(patient.user).get(PAGE).status_code == 403
    assert Client().get(PAGE)["Location"].startswith("/login/")
    assert logged_in(clinician).post(PAGE, FORM).status_code == 403
    assert not SmartEhr.objects.exists()


def test_another_clinics_registration_looks_like_none(lead: User, other_clinic: Clinic) -> None:
    logged_in(lead).post(PAGE, FORM)
    ehr = SmartEhr.objects.get()
    other_lead = make_user("other-lead", Role.LEAD, other_clinic)
    client = logged_in(other_lead)
    assert client.post(reverse("launch:deactivate", args=[ehr.pk])).status_code == 404
    assert FORM["iss"] not in text(client.get(PAGE))
    ehr.refresh_from_db()
    assert ehr.active
    assert logged_in(lead).get(reverse("launch:deactivate", args=[ehr.pk])).status_code == 405


# --- backpath register-smart ------------------------------------------------------------------

runner = CliRunner()


@pytest.fixture
def server_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SECRET_KEY", settings.SECRET_KEY)


def register_smart(*args: str) -> Any:
    return runner.invoke(app, ["register-smart", *args])


def test_register_smart_registers_with_the_secret_from_a_file(
    clinic: Clinic, server_key: None, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET + "\n")
    result = register_smart("--clinic", str(clinic.pk), "--iss", FORM["iss"], "--client-id",
                            "backpath", "--client-secret-file", str(secret))  # fmt: skip
    assert result.exit_code == 0, result.stderr
    ehr = SmartEhr.objects.get()
    assert (ehr.clinic, ehr.name, ehr.client_secret()) == (clinic, "ehr.riverside.example",
                                                           SECRET)  # fmt: skip
    assert "/launch/smart/callback" in result.stdout and SECRET not in result.stdout
    assert AuditEvent.objects.filter(action="create", object_type="SmartEhr",
                                     clinic=clinic).exists()  # fmt: skip


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--clinic", "999999"], "--clinic: no clinic has id 999999"),
        (["--iss", "http://ehr.example/fhir"], "--iss: must be an https URL"),
        (["--client-id", " "], "--client-id: is required"),
        (["--scopes", "openid"], "--scopes: must include launch"),
        (["--client-secret-file", "/nonexistent/secret"], "--client-secret-file: cannot read"),
    ],
)
def test_register_smart_names_the_bad_option_and_exits_2(
    clinic: Clinic, server_key: None, tmp_path: Path, args: list[str], said: str
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET)
    base = {"--clinic": str(clinic.pk), "--iss": FORM["iss"], "--client-id": "backpath",
            "--client-secret-file": str(secret)}  # fmt: skip
    base[args[0]] = args[1]
    result = register_smart(*[part for pair in base.items() for part in pair])
    assert result.exit_code == 2 and said in result.stderr and result.stdout == ""
    assert not SmartEhr.objects.exists()


def test_register_smart_refuses_an_empty_secret_file(
    clinic: Clinic, server_key: None, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("\n")
    result = register_smart("--clinic", str(clinic.pk), "--iss", FORM["iss"], "--client-id",
                            "x", "--client-secret-file", str(secret))  # fmt: skip
    assert result.exit_code == 2 and "is empty" in result.stderr
