"""API tokens: each user sees and revokes their own (the key shown once, only its hash kept);
a token expires, has a scope (read only, CDS Hooks, full), and is revoked by a new password."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from backpath.web.accounts.models import User
from backpath.web.api.models import ApiToken, hash_key
from backpath.web.audit.models import AuditEvent
from backpath.web.patients.models import Patient
from tests.web.builders import logged_in

CDS = "/cds-services/backpath-patient-view"
EXAMPLE = Path(__file__).parents[2] / "interop" / "cds_examples" / "request_full.json"


def auth(key: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def cds(key: str) -> Any:
    body = EXAMPLE.read_text("utf-8")
    return Client().post(CDS, body, content_type="application/json", **auth(key))


def test_a_user_makes_a_token_sees_its_key_once_and_revokes_it(clinician: User) -> None:
    client = logged_in(clinician)
    made = client.post(reverse("tokens:list"), {"name": "sync", "scope": "full", "days": 30})
    key = re.search(r"bp_[\w-]+", made.content.decode()).group(0)  # type: ignore[union-attr]
    token = ApiToken.objects.get(user=clinician)
    assert token.key_hash == hash_key(key) and key not in json.dumps(
        list(ApiToken.objects.values()), default=str
    )
    assert 29 <= (token.expires - timezone.now()).days <= 30  # type: ignore[operator]
    listing = client.get(reverse("tokens:list")).content.decode()
    assert token.prefix in listing and key not in listing
    assert Client().get("/api/v1/patients", **auth(key)).status_code == 200
    client.post(reverse("tokens:revoke", args=[token.pk]))
    assert Client().get("/api/v1/patients", **auth(key)).status_code == 401
    assert AuditEvent.objects.filter(action__in=["token_create", "token_revoke"]).count() == 2


def test_nobody_sees_or_revokes_anothers_token(clinician: User, lead: User) -> None:
    token, key = ApiToken.issue(lead, "lead's")
    client = logged_in(clinician)
    assert token.prefix not in client.get(reverse("tokens:list")).content.decode()
    assert client.post(reverse("tokens:revoke", args=[token.pk])).status_code == 404
    assert Client().get("/api/v1/patients", **auth(key)).status_code == 200


def test_an_expired_token_is_refused(clinician: User) -> None:
    token, key = ApiToken.issue(clinician, "old", days=1)
    ApiToken.objects.filter(pk=token.pk).update(expires=timezone.now() - dt.timedelta(seconds=1))
    response = Client().get("/api/v1/patients", **auth(key))
    assert response.status_code == 401 and "expired" in response.json()["detail"]


def test_a_read_only_token_reads_but_never_writes(clinician: User, patient: Patient) -> None:
    _, key = ApiToken.issue(clinician, "reader", scope="read")
    assert Client().get(f"/api/v1/patients/{patient.pk}", **auth(key)).status_code == 200
    assert Client().get(f"/fhir/Patient/{patient.pk}", **auth(key)).status_code == 200
    write = Client().post(f"/api/v1/patients/{patient.pk}/diary", {"kind": "nrs", "value": 3},
                          content_type="application/json", **auth(key))  # fmt: skip
    assert write.status_code == 403 and "scope" in write.json()["detail"]
    assert cds(key).status_code == 403


def test_a_cds_token_reaches_only_the_cds_service(clinician: User, patient: Patient) -> None:
    _, key = ApiToken.issue(clinician, "EHR", scope="cds")
    assert Client().get("/api/v1/patients", **auth(key)).status_code == 403
    assert Client().get(f"/fhir/Patient/{patient.pk}", **auth(key)).status_code == 403
    assert cds(key).status_code not in (401, 403)


def test_a_new_password_revokes_the_owners_tokens(clinician: User) -> None:
    _, key = ApiToken.issue(clinician, "laptop")
    clinician.set_password("a-completely-new-passphrase-1")
    clinician.save()
    assert Client().get("/api/v1/patients", **auth(key)).status_code == 401
