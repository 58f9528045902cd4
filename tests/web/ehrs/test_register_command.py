"""``backpath register-ehr``: an operator registers a clinic's EHR on the command line with the
lead's rules; a bad option exits 2 with one line naming it and stores nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from backpath.cli.main import app
from backpath.web.accounts.models import Clinic
from backpath.web.audit.models import AuditEvent
from backpath.web.ehrs.models import EhrRegistration
from tests.web.ehr_double import ISS, Ehr, JwksServer, rsa_key

runner = CliRunner()


def register(*args: str) -> Any:
    return runner.invoke(app, ["register-ehr", *args])


def jwks_file(tmp_path: Path, document: Any) -> str:
    path = tmp_path / "jwks.json"
    path.write_text(json.dumps(document))
    return str(path)


def one_line_error(result: Any, starts: str) -> None:
    assert result.exit_code == 2 and result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith(f"error: {starts}"), result.stderr
    assert not EhrRegistration.objects.exists()


def test_an_ehr_is_registered_with_a_jwk_set_file(clinic: Clinic, ehr: Ehr, tmp_path: Path) -> None:
    result = register("--clinic", str(clinic.pk), "--iss", ISS, "--jwks",
                      jwks_file(tmp_path, ehr.jwks()), "--tenant", "harbour-back")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    registration = EhrRegistration.objects.get()
    assert registration.clinic == clinic and registration.name == "ehr.example"
    assert registration.tenant == "harbour-back" and registration.created_by is None
    assert "ehr-rsa-1, ehr-ec-1" in result.stdout
    assert "https://backpath.test/cds-services/backpath-patient-view" in result.stdout
    event = AuditEvent.objects.get(action="ehr.register")
    assert (event.clinic, event.method, event.path) == (clinic, "CLI", "backpath register-ehr")


def test_an_ehr_is_registered_with_an_allowed_jwks_url(
    clinic: Clinic, jwks_server: JwksServer
) -> None:
    result = register("--clinic", str(clinic.pk), "--iss", ISS, "--jwks-url", jwks_server.url,
                      "--name", "Epic")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert EhrRegistration.objects.get().name == "Epic"
    assert jwks_server.requests == []  # registering fetches nothing


@pytest.mark.parametrize(
    ("args", "starts"),
    [
        (["--clinic", "999999", "--iss", ISS, "--jwks-url", "https://x.example/j"], "--clinic:"),
        (["--clinic", "one", "--iss", ISS, "--jwks-url", "https://x.example/j"], "--clinic:"),
        (["--iss", ISS], "--jwks-url: give either"),
        (["--iss", ISS, "--jwks-url", "https://keys.ehr.example/jwks.json"], "--jwks-url:"),
        (["--iss", "no uri", "--jwks-url", "https://keys.ehr.example/jwks.json"], "--iss:"),
        (["--iss", ISS, "--jwks", "/no/such/file.json"], "--jwks: file not found"),
    ],
    ids=[
        "unknown clinic",
        "clinic not a number",
        "no keys",
        "URL not allowed",
        "bad iss",
        "missing file",
    ],
)
def test_a_bad_option_exits_2_naming_it(
    clinic: Clinic, ehr: Ehr, args: list[str], starts: str
) -> None:
    if "--clinic" not in args:
        args = ["--clinic", str(clinic.pk), *args]
    one_line_error(register(*args), starts)


def test_a_jwk_set_with_a_private_key_names_the_key(
    clinic: Clinic, ehr: Ehr, tmp_path: Path
) -> None:
    document = {"keys": [rsa_key().as_dict(private=True)]}
    result = register("--clinic", str(clinic.pk), "--iss", ISS, "--jwks",
                      jwks_file(tmp_path, document))  # fmt: skip
    one_line_error(result, "--jwks.keys[0]: holds private key material")
    assert rsa_key().as_dict(private=True)["d"][:20] not in result.stderr


def test_a_second_active_registration_of_the_issuer_exits_2(
    clinic: Clinic, ehr: Ehr, tmp_path: Path
) -> None:
    ehr.register(clinic)
    result = register("--clinic", str(clinic.pk), "--iss", ISS, "--jwks",
                      jwks_file(tmp_path, ehr.jwks()))  # fmt: skip
    assert result.exit_code == 2 and result.stderr.startswith("error: --iss: an active")
    assert EhrRegistration.objects.count() == 1
