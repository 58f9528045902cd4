"""Password reset by email with Django's views: the same answer for a known and an unknown
address, a single-use link, a limit on requests per address, and the events in the audit
trail (with failed sign-ins)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlparse

from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from backpath.web.accounts.models import User
from backpath.web.audit.models import AuditEvent
from backpath.web.logins.views import RESET_RATE

NEW = "a-long-new-passphrase-42"


def ask(client: Client, email: str) -> Any:
    return client.post(reverse("logins:reset"), {"email": email})


def set_email(user: User, email: str) -> None:
    User.objects.filter(pk=user.pk).update(email=email)


def test_known_and_unknown_addresses_get_the_same_answer(clinician: User) -> None:
    cache.clear()
    set_email(clinician, "clinician@harbour.example")
    known, unknown = ask(Client(), "clinician@harbour.example"), ask(Client(), "nobody@x.example")
    assert known.status_code == unknown.status_code == 302
    assert known.headers["Location"] == unknown.headers["Location"]
    assert [m.to for m in mail.outbox] == [["clinician@harbour.example"]]


def test_the_reset_link_works_once_and_the_new_password_signs_in(clinician: User) -> None:
    cache.clear()
    set_email(clinician, "clinician@harbour.example")
    ask(Client(), "clinician@harbour.example")
    path = urlparse(
        re.search(r"https?://\S+/password/reset/\S+/", mail.outbox[0].body).group(0)
    ).path  # type: ignore[union-attr]
    client = Client()
    form = client.get(path)
    assert form.status_code == 302
    done = client.post(form.headers["Location"], {"new_password1": NEW, "new_password2": NEW})
    assert done.status_code == 302
    clinician.refresh_from_db()
    assert clinician.check_password(NEW)
    assert "This link no longer works" in Client().get(path).content.decode()
    assert AuditEvent.objects.filter(action="reset", object_id=str(clinician.pk)).exists()


def test_reset_requests_are_rate_limited_per_address(db: Any) -> None:
    cache.clear()
    allowed = int(RESET_RATE.split("/")[0])
    client = Client()
    answers = [ask(client, f"someone{i}@x.example").status_code for i in range(allowed + 1)]
    assert answers[:allowed] == [302] * allowed
    assert answers[-1] == 429
    assert "Too many reset requests" in ask(client, "x@x.example").content.decode()


def test_a_failed_sign_in_is_in_the_audit_trail_with_the_address(clinician: User) -> None:
    Client().post(reverse("accounts:login"), {"username": "clinician", "password": "wrong"},
                  REMOTE_ADDR="203.0.113.9")  # fmt: skip
    event = AuditEvent.objects.get(action="login_failed")
    assert event.ip == "203.0.113.9" and "clinician" in event.detail


def test_the_lockout_page_says_when_to_retry_and_how_to_reset(clinician: User) -> None:
    client = Client()
    for _ in range(6):
        page = client.post(reverse("accounts:login"), {"username": "clinician", "password": "x"})
    text = page.content.decode()
    assert "15 minutes" in text and reverse("logins:reset") in text
    assert AuditEvent.objects.filter(action="lockout").exists()
