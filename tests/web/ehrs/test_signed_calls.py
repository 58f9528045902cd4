"""An EHR calls the CDS service with its signed JWT, as the specification secures it: the tests
play the EHR with their own keys. The happy paths with RS384 and ES384, then every refusal:
a 401 whose JSON names what was wrong (and nothing of the keys) and an audit event."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from joserfc.jwk import RSAKey

from backpath.web.accounts.models import Clinic
from backpath.web.audit.models import AuditEvent
from backpath.web.ehrs.models import EhrRegistration, UsedJti
from backpath.web.ehrs.registration import deactivate
from backpath.web.logins.lifecycle import Actor
from tests.web.ehr_double import (
    BASE,
    DROP,
    FEEDBACK,
    SERVICE,
    Ehr,
    JwksServer,
    bearer,
    public,
    rsa_key,
)

EXAMPLE = Path(__file__).parents[2] / "interop" / "cds_examples" / "request_full.json"


def post(token: str, path: str = SERVICE) -> Any:
    return Client().post(path, EXAMPLE.read_text("utf-8"), content_type="application/json",
                         **bearer(token))  # fmt: skip


def refused(response: Any, field: str) -> dict[str, Any]:
    """The body of a 401 naming ``field``, after checking what every refusal shares."""
    assert response.status_code == 401, response.content
    assert response["WWW-Authenticate"] == 'Bearer error="invalid_token"'
    body: dict[str, Any] = response.json()
    assert body["field"] == field, body
    assert set(body) == {"detail", "field"} and body["detail"]
    for key in (rsa_key(),):  # no key material in any answer
        assert key.as_dict(private=False)["n"][:40] not in response.content.decode()
    event = AuditEvent.objects.filter(action="cds.refused").latest("id")
    assert event.detail.startswith(f"status=401 {field}:")
    return body


@pytest.fixture
def registered(ehr: Ehr, clinic: Clinic) -> EhrRegistration:
    return ehr.register(clinic)


# --- accepted ----------------------------------------------------------------------------


@pytest.mark.parametrize("alg", ["RS384", "ES384"])
def test_a_signed_call_gets_cards_and_is_audited_for_the_clinic(
    ehr: Ehr, registered: EhrRegistration, alg: str
) -> None:
    response = post(ehr.jwt(alg=alg))
    assert response.status_code == 200, response.content
    assert [card["indicator"] for card in response.json()["cards"]] == ["warning", "info"]
    event = AuditEvent.objects.get(action="cds.patient-view")
    assert event.username == "ehr:Test EHR" and event.clinic == registered.clinic
    assert event.user is None


@pytest.mark.parametrize("alg", ["RS384", "ES384"])
def test_keys_are_fetched_from_an_allowed_jwks_url_and_cached(
    ehr: Ehr, clinic: Clinic, jwks_server: JwksServer, alg: str
) -> None:
    ehr.register(clinic, jwks_url=jwks_server.url)
    assert post(ehr.jwt(alg=alg)).status_code == 200
    assert post(ehr.jwt(alg=alg)).status_code == 200
    assert jwks_server.requests == ["/.well-known/jwks.json"]


def test_an_audience_given_as_a_list_holding_the_url_is_accepted(
    ehr: Ehr, registered: EhrRegistration
) -> None:
    assert post(ehr.jwt(aud=[BASE + SERVICE])).status_code == 200


def test_a_token_that_expired_within_the_clock_skew_is_accepted(
    ehr: Ehr, registered: EhrRegistration
) -> None:
    now = int(time.time())
    assert post(ehr.jwt(iat=now - 100, exp=now - 30)).status_code == 200


def test_the_registered_tenant_is_accepted(ehr: Ehr, clinic: Clinic) -> None:
    ehr.register(clinic, tenant="harbour-back")
    assert post(ehr.jwt(tenant="harbour-back")).status_code == 200


def test_a_rotated_key_is_found_by_fetching_the_set_once_more(
    ehr: Ehr, clinic: Clinic, jwks_server: JwksServer
) -> None:
    ehr.register(clinic, jwks_url=jwks_server.url)
    assert post(ehr.jwt()).status_code == 200
    new_key = RSAKey.generate_key(2048, parameters={"kid": "ehr-rsa-2"})
    jwks_server.serve(public(new_key))
    assert post(ehr.jwt(key=new_key)).status_code == 200
    assert len(jwks_server.requests) == 2


# --- refused: the header -------------------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unsigned(ehr: Ehr, header: dict[str, Any], signature: str = "") -> str:
    head = _b64(json.dumps(header).encode())
    body = _b64(json.dumps(ehr.claims()).encode())
    return f"{head}.{body}.{signature}"


def test_an_unsigned_token_alg_none_is_refused(ehr: Ehr, registered: EhrRegistration) -> None:
    body = refused(post(_unsigned(ehr, {"alg": "none", "typ": "JWT", "kid": "ehr-rsa-1"})),
                   "jwt.alg")  # fmt: skip
    assert "none" in body["detail"]


def test_hs384_signed_with_the_public_key_as_the_secret_is_refused(
    ehr: Ehr, registered: EhrRegistration
) -> None:
    header = {"alg": "HS384", "typ": "JWT", "kid": "ehr-rsa-1"}
    unsigned = _unsigned(ehr, header)
    secret = rsa_key().as_pem(private=False)
    mac = hmac.new(secret, unsigned[:-1].encode(), hashlib.sha384).digest()
    refused(post(unsigned + _b64(mac)), "jwt.alg")
    assert not UsedJti.objects.exists()


@pytest.mark.parametrize("alg", ["RS256", "ES256", "PS384", "HS256", "EdDSA"])
def test_any_other_algorithm_is_refused(ehr: Ehr, registered: EhrRegistration, alg: str) -> None:
    refused(post(_unsigned(ehr, {"alg": alg, "kid": "ehr-rsa-1"}, "c2ln")), "jwt.alg")


def test_a_token_without_a_kid_is_refused(ehr: Ehr, registered: EhrRegistration) -> None:
    refused(post(_unsigned(ehr, {"alg": "RS384"}, "c2ln")), "jwt.kid")


def test_critical_header_extensions_are_refused(ehr: Ehr, registered: EhrRegistration) -> None:
    header = {"alg": "RS384", "kid": "ehr-rsa-1", "crit": ["b64"], "b64": False}
    refused(post(_unsigned(ehr, header, "c2ln")), "jwt.crit")


def test_a_jku_header_is_not_followed(
    ehr: Ehr, registered: EhrRegistration, jwks_server: JwksServer
) -> None:
    stranger = RSAKey.generate_key(2048, parameters={"kid": "ehr-rsa-1"})
    jwks_server.serve(public(stranger))
    token = ehr.jwt(key=stranger, header={"jku": jwks_server.url})
    refused(post(token), "jwt.signature")
    assert jwks_server.requests == []


def test_garbage_is_refused_as_not_a_jwt(db: Any) -> None:
    refused(post("not.a.jwt!"), "jwt")
    refused(post("bm90.anNvbg.c2ln"), "jwt")


# --- refused: the issuer and its keys --------------------------------------------------------


def test_an_unknown_issuer_is_refused_and_audited_without_a_clinic(ehr: Ehr, db: Any) -> None:
    body = refused(post(ehr.jwt()), "jwt.iss")
    assert "not an EHR registered" in body["detail"]
    assert AuditEvent.objects.get(action="cds.refused").clinic is None


def test_a_deactivated_registration_is_refused(ehr: Ehr, registered: EhrRegistration) -> None:
    deactivate(Actor(), registered)
    body = refused(post(ehr.jwt()), "jwt.iss")
    assert "deactivated" in body["detail"]
    assert AuditEvent.objects.get(action="cds.refused").clinic == registered.clinic


def test_an_unknown_kid_is_refused(ehr: Ehr, registered: EhrRegistration) -> None:
    other = RSAKey.generate_key(2048, parameters={"kid": "somebody-else"})
    refused(post(ehr.jwt(key=other)), "jwt.kid")


def test_an_unknown_kid_fetches_the_set_once_more_but_not_again_and_again(
    ehr: Ehr, clinic: Clinic, jwks_server: JwksServer
) -> None:
    ehr.register(clinic, jwks_url=jwks_server.url)
    other = RSAKey.generate_key(2048, parameters={"kid": "made-up"})
    refused(post(ehr.jwt(key=other)), "jwt.kid")
    assert len(jwks_server.requests) == 2
    refused(post(ehr.jwt(key=other)), "jwt.kid")
    assert len(jwks_server.requests) == 2


def test_a_bad_signature_is_refused(ehr: Ehr, registered: EhrRegistration) -> None:
    impostor = RSAKey.generate_key(2048, parameters={"kid": "ehr-rsa-1"})
    refused(post(ehr.jwt(key=impostor)), "jwt.signature")


def test_a_changed_payload_breaks_the_signature(ehr: Ehr, registered: EhrRegistration) -> None:
    head, _, signature = ehr.jwt().split(".")
    forged = _b64(json.dumps(ehr.claims(tenant="anyone")).encode())
    refused(post(f"{head}.{forged}.{signature}"), "jwt.signature")


def test_an_ec_token_naming_an_rsa_key_is_refused(ehr: Ehr, registered: EhrRegistration) -> None:
    token = ehr.jwt(alg="ES384", header={"kid": "ehr-rsa-1"})
    refused(post(token), "jwt.alg")


def test_a_jwks_url_taken_off_the_allow_list_is_never_fetched(
    ehr: Ehr, clinic: Clinic, jwks_server: JwksServer, settings: Any
) -> None:
    ehr.register(clinic, jwks_url=jwks_server.url)
    settings.JWKS_ALLOWED_URLS = ["https://keys.ehr.example/"]
    body = refused(post(ehr.jwt()), "jwks")
    assert "allow-list" in body["detail"]
    assert jwks_server.requests == []


def test_a_redirect_off_the_allow_list_is_not_followed(
    ehr: Ehr, clinic: Clinic, jwks_server: JwksServer
) -> None:
    ehr.register(clinic, jwks_url=jwks_server.url)
    jwks_server.redirects["/.well-known/jwks.json"] = "http://127.0.0.1:9/elsewhere/jwks.json"
    body = refused(post(ehr.jwt()), "jwks")
    assert "allow-list" in body["detail"]
    assert len(jwks_server.requests) == 1


def test_a_redirect_within_the_allow_list_is_followed(
    ehr: Ehr, clinic: Clinic, jwks_server: JwksServer
) -> None:
    ehr.register(clinic, jwks_url=jwks_server.base + "/.well-known/old.json")
    jwks_server.redirects["/.well-known/old.json"] = jwks_server.url
    assert post(ehr.jwt()).status_code == 200
    assert jwks_server.requests == ["/.well-known/old.json", "/.well-known/jwks.json"]


@pytest.mark.parametrize(
    ("document", "words"),
    [
        (b"x" * (65 * 1024), "larger than"),
        (b"<html>", "not answer with JSON"),
        ({"keys": [rsa_key().as_dict(private=True)]}, "private key material"),
        ({"keys": [{"kty": "oct", "k": "c2VjcmV0", "kid": "ehr-rsa-1"}]}, "symmetric"),
    ],
    ids=["too large", "not JSON", "private key", "symmetric key"],
)
def test_a_bad_jwks_at_the_url_is_refused(
    ehr: Ehr, clinic: Clinic, jwks_server: JwksServer, document: Any, words: str
) -> None:
    ehr.register(clinic, jwks_url=jwks_server.url)
    jwks_server.serve(document)
    body = refused(post(ehr.jwt()), "jwks")
    assert words in body["detail"]
    assert '"d"' not in json.dumps(body) and rsa_key().as_dict(private=True)["d"][:20] not in (
        json.dumps(body)
    )


def test_a_jwks_url_answering_an_error_is_refused(
    ehr: Ehr, clinic: Clinic, jwks_server: JwksServer
) -> None:
    ehr.register(clinic, jwks_url=jwks_server.url)
    jwks_server.status = 503
    assert "HTTP 503" in refused(post(ehr.jwt()), "jwks")["detail"]


# --- refused: the claims ----------------------------------------------------------------------


def test_a_wrong_audience_is_refused_naming_the_url_expected(
    ehr: Ehr, registered: EhrRegistration
) -> None:
    body = refused(post(ehr.jwt(aud="https://elsewhere.example" + SERVICE)), "jwt.aud")
    assert BASE + SERVICE in body["detail"]


def test_the_service_audience_does_not_open_the_feedback_endpoint(
    ehr: Ehr, registered: EhrRegistration
) -> None:
    refused(post(ehr.jwt(SERVICE), FEEDBACK), "jwt.aud")


def test_an_expired_token_is_refused(ehr: Ehr, registered: EhrRegistration) -> None:
    now = int(time.time())
    body = refused(post(ehr.jwt(iat=now - 400, exp=now - 120)), "jwt.exp")
    assert "expired" in body["detail"]


def test_a_token_living_longer_than_five_minutes_is_refused(
    ehr: Ehr, registered: EhrRegistration
) -> None:
    now = int(time.time())
    assert "300 seconds" in refused(post(ehr.jwt(iat=now, exp=now + 3600)), "jwt.exp")["detail"]


def test_a_token_issued_in_the_future_is_refused(ehr: Ehr, registered: EhrRegistration) -> None:
    now = int(time.time())
    refused(post(ehr.jwt(iat=now + 120, exp=now + 300)), "jwt.iat")


@pytest.mark.parametrize("claim", ["aud", "exp", "iat", "jti"])
def test_each_required_claim_is_named_when_missing(
    ehr: Ehr, registered: EhrRegistration, claim: str
) -> None:
    assert refused(post(ehr.jwt(**{claim: DROP})), f"jwt.{claim}")["detail"] == "required"


def test_a_replayed_jti_is_refused(ehr: Ehr, registered: EhrRegistration) -> None:
    token = ehr.jwt()
    assert post(token).status_code == 200
    refused(post(token), "jwt.jti")
    jti = UsedJti.objects.get().jti
    now = int(time.time())
    refused(post(ehr.jwt(jti=jti, iat=now - 1, exp=now + 60)), "jwt.jti")  # freshly signed


def test_another_tenant_is_refused(ehr: Ehr, clinic: Clinic) -> None:
    ehr.register(clinic, tenant="harbour-back")
    refused(post(ehr.jwt(tenant="hillside-spine")), "jwt.tenant")


def test_a_missing_tenant_is_refused_when_one_is_registered(ehr: Ehr, clinic: Clinic) -> None:
    ehr.register(clinic, tenant="harbour-back")
    refused(post(ehr.jwt()), "jwt.tenant")


def test_a_tenant_the_registration_does_not_name_is_refused(
    ehr: Ehr, registered: EhrRegistration
) -> None:
    refused(post(ehr.jwt(tenant="harbour-back")), "jwt.tenant")


def test_a_refused_token_does_not_use_up_its_jti(ehr: Ehr, registered: EhrRegistration) -> None:
    token = ehr.jwt(aud="https://elsewhere.example" + SERVICE)
    refused(post(token), "jwt.aud")
    assert not UsedJti.objects.exists()
