"""Behind the TLS proxy: X-Forwarded-For is believed only from BACKPATH_TRUSTED_PROXIES, so
sign-in lockouts, rate limits and the audit trail see the real client, and one attacker
cannot lock a clinician out or use up everyone's rate limit."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse

from backpath.web.accounts.models import User
from backpath.web.audit.models import AuditEvent
from backpath.web.client_address import client_address
from tests.web.builders import PASSWORD

PROXY = "10.0.0.1"
ATTACKER, CLINICIAN = "198.51.100.7", "203.0.113.5"


def request(peer: str, forwarded: str | None = None) -> Any:
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=peer, **extra)


@pytest.mark.parametrize(
    ("peer", "forwarded", "expected"),
    [
        (PROXY, CLINICIAN, CLINICIAN),  # through the trusted proxy
        (PROXY, f"{ATTACKER}, {CLINICIAN}", CLINICIAN),  # a client cannot prepend a fake hop
        (PROXY, f"{CLINICIAN}, 10.0.0.2", CLINICIAN),  # a second trusted hop is skipped
        (ATTACKER, CLINICIAN, ATTACKER),  # the header from an untrusted peer is ignored
        (PROXY, "not-an-address", PROXY),
        (PROXY, None, PROXY),
    ],
)
@override_settings(BACKPATH_TRUSTED_PROXIES=["10.0.0.0/30"])
def test_the_client_is_the_right_most_untrusted_hop(
    peer: str, forwarded: str, expected: str
) -> None:
    assert client_address(request(peer, forwarded)) == expected


def test_without_trusted_proxies_the_header_is_ignored() -> None:
    assert client_address(request(PROXY, CLINICIAN)) == PROXY


def via_proxy(client_ip: str) -> dict[str, str]:
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": client_ip}


@override_settings(BACKPATH_TRUSTED_PROXIES=[PROXY])
def test_an_attacker_behind_the_proxy_does_not_lock_out_the_clinician(clinician: User) -> None:
    attacker, real = Client(**via_proxy(ATTACKER)), Client(**via_proxy(CLINICIAN))
    for _ in range(6):
        last = attacker.post(reverse("accounts:login"), {"username": "clinician", "password": "x"})
    assert last.status_code == 429  # the attacker's address is locked out for this account
    signed_in = real.post(
        reverse("accounts:login"), {"username": "clinician", "password": PASSWORD}
    )
    assert signed_in.status_code == 302
    assert real.get(reverse("patients:list")).status_code == 200
    failed = AuditEvent.objects.filter(action="login_failed")
    assert failed.exists() and set(failed.values_list("ip", flat=True)) == {ATTACKER}
    assert AuditEvent.objects.filter(action="lockout", ip=ATTACKER).exists()


@override_settings(BACKPATH_TRUSTED_PROXIES=[PROXY])
def test_rate_limits_count_each_real_client_apart(db: Any) -> None:
    cache.clear()
    attacker, visitor = Client(**via_proxy(ATTACKER)), Client(**via_proxy(CLINICIAN))
    answers = [attacker.post(reverse("logins:reset"), {"email": f"a{i}@x.example"}).status_code
               for i in range(6)]  # fmt: skip
    assert answers[-1] == 429
    assert visitor.post(reverse("logins:reset"), {"email": "me@x.example"}).status_code == 302
