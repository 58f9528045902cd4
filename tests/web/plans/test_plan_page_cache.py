"""The plan page is rendered once per stamp of what it shows and served again until any of it
changes: whatever changes shows on the next view, each view is still access-checked and
audited, and each session gets a CSRF token of its own."""

from __future__ import annotations

import datetime as dt
import html
import itertools
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import caches
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backpath.web.accounts.models import Clinic, User
from backpath.web.alerts.models import Alert
from backpath.web.audit.models import AuditEvent
from backpath.web.page_cache import TOKEN_PLACEHOLDER
from backpath.web.patients.models import Episode, Intake, Patient
from backpath.web.plans import views
from backpath.web.plans.models import PlanVersion
from tests.web.builders import latest, logged_in

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
ALERT_KEYS = itertools.count()
MESSAGES = re.compile(r'<div class="messages" role="status">.*?</div>', re.S)


@pytest.fixture
def client(clinician: User) -> Client:
    return logged_in(clinician)


def page(client: Client, episode: Episode) -> str:
    response = client.get(reverse("plans:plan", args=[episode.pk]))
    assert response.status_code == 200
    return response.content.decode()


def same_but_token(one: str) -> str:
    """The page without what differs per request by design: its CSRF token, and the messages
    an action leaves for the next page (shown once)."""
    return MESSAGES.sub("", TOKEN.sub('name="csrfmiddlewaretoken" value="T"', one))


def fresh(client: Client, episode: Episode) -> str:
    caches["fragments"].clear()
    return page(client, episode)


def post(client: Client, action: str, episode: Episode, treatment: str = "", **data: Any) -> Any:
    current = latest(episode)
    fields = {"version": str(current.number), "revision": str(current.revision),
              "reason": "Discussed with the patient.", **data}  # fmt: skip
    args = [episode.pk, treatment] if treatment else [episode.pk]
    return client.post(reverse(f"plans:{action}", args=args), fields)


# --- what can change while a page is stored -----------------------------------------------


def raise_alert(client: Client, episode: Episode, n: int) -> str:
    patient = episode.patient
    Alert.objects.create(clinic=patient.clinic, patient=patient, origin="questionnaire",
                         urgency="urgent", severity=2, reported=f"New leg numbness {n}",
                         advice="Call the clinic today.",
                         key=f"cache-test:{next(ALERT_KEYS)}")  # fmt: skip
    return f"New leg numbness {n}"


def acknowledge_alerts(client: Client, episode: Episode, n: int) -> str:
    episode.patient.alerts.open().update(acknowledged_at=timezone.now())
    return ""


def rename_patient(client: Client, episode: Episode, n: int) -> str:
    Patient.objects.filter(pk=episode.patient_id).update(family_name=f"Byrne-{n}")
    return f"Byrne-{n}"


def set_review_date(client: Client, episode: Episode, n: int) -> str:
    due = timezone.localdate() - dt.timedelta(days=n + 1)
    Episode.objects.filter(pk=episode.pk).update(review_due=due)
    return "Review due since"


def change_intake(client: Client, episode: Episode, n: int) -> str:
    intake = Intake.objects.get(episode=episode)
    intake.save()  # a saved step: the edit checks read the intake again
    return ""


def drop_an_item(client: Client, episode: Episode, n: int) -> str:
    version = latest(episode)
    left = [r for r in version.plan["recommended"] if r["line"] < 3 and "clinician" not in r]
    if not left:
        return ""
    post(client, "drop", episode, left[n % len(left)]["treatment"], drop_reason="preference")
    return "Working draft" if latest(episode).in_progress else ""


def publish(client: Client, episode: Episode, n: int) -> str:
    post(client, "publish", episode)
    return "The patient sees this version" if latest(episode).status == "published" else ""


def rename_viewer(client: Client, episode: Episode, n: int) -> str:
    User.objects.filter(username="clinician").update(first_name="Robin", last_name=f"Hale-{n}")
    return f"Robin Hale-{n}"


def rename_clinic(client: Client, episode: Episode, n: int) -> str:
    Clinic.objects.filter(pk=episode.patient.clinic_id).update(name=f"Harbour Spine {n}")
    return f"Harbour Spine {n}"


def close_episode(client: Client, episode: Episode, n: int) -> str:
    Episode.objects.filter(pk=episode.pk).update(closed=timezone.localdate())
    return ""


Change = Callable[[Client, Episode, int], str]
VISIBLE: list[Change] = [
    raise_alert, acknowledge_alerts, rename_patient, set_review_date, drop_an_item, publish,
    rename_viewer, rename_clinic, close_episode,
]  # fmt: skip
CHANGES = [*VISIBLE, change_intake]


@pytest.mark.parametrize("change", VISIBLE, ids=lambda c: c.__name__)
def test_a_change_to_what_the_page_shows_shows_on_the_next_view(
    client: Client, episode: Episode, change: Change
) -> None:
    raise_alert(client, episode, 0)
    before = page(client, episode)
    assert same_but_token(page(client, episode)) == same_but_token(before)
    expected = change(client, episode, 1)
    after = page(client, episode)
    assert same_but_token(after) != same_but_token(before)
    assert html.unescape(expected) in html.unescape(after)
    assert same_but_token(after) == same_but_token(fresh(client, episode))


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(st.sampled_from(CHANGES), min_size=1, max_size=6))
def test_after_any_sequence_of_changes_the_page_served_is_the_page_rendered_fresh(
    client: Client, episode: Episode, steps: list[Change]
) -> None:
    for n, change in enumerate(steps):
        page(client, episode)  # stored before the change
        change(client, episode, n)
        served = page(client, episode)
        assert same_but_token(served) == same_but_token(fresh(client, episode)), change.__name__


def test_a_second_view_is_served_without_building_the_page_again(
    client: Client, episode: Episode, monkeypatch: pytest.MonkeyPatch
) -> None:
    built = []
    real = views.main_context
    monkeypatch.setattr(views, "main_context", lambda *a, **k: built.append(1) or real(*a, **k))
    caches["fragments"].clear()
    first, second = page(client, episode), page(client, episode)
    assert len(built) == 1
    assert same_but_token(first) == same_but_token(second)


def test_each_session_gets_a_working_token_of_its_own(clinician: User, episode: Episode) -> None:
    sessions = []
    for _ in range(2):
        one = Client(enforce_csrf_checks=True)
        one.force_login(clinician)
        sessions.append(one)
    pages = [page(one, episode) for one in sessions]
    assert all(TOKEN_PLACEHOLDER not in p for p in pages)
    tokens = [TOKEN.findall(p) for p in pages]
    assert tokens[0] and tokens[1] and tokens[0] != tokens[1]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', pages[1])
    assert token is not None
    current = latest(episode)
    response = sessions[1].post(
        reverse("plans:publish", args=[episode.pk]),
        {"csrfmiddlewaretoken": token.group(1), "version": current.number,
         "revision": current.revision, "note": ""},
    )  # fmt: skip
    assert response.status_code == 302
    assert latest(episode).status == PlanVersion.Status.PUBLISHED


def test_a_message_is_shown_once_and_never_stored(client: Client, episode: Episode) -> None:
    page(client, episode)
    assert post(client, "publish", episode).status_code == 302
    said = f"Version {latest(episode).number} is published to the patient."
    assert said in html.unescape(page(client, episode))
    assert said not in html.unescape(page(client, episode))


def test_the_next_day_shows_a_review_that_fell_due(
    client: Client, episode: Episode, monkeypatch: pytest.MonkeyPatch
) -> None:
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    Episode.objects.filter(pk=episode.pk).update(review_due=tomorrow)
    assert "Review due since" not in page(client, episode)
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: tomorrow)
    assert "Review due since" in page(client, episode)


def test_every_view_is_still_checked_and_audited(
    client: Client, outsider: User, episode: Episode
) -> None:
    before = AuditEvent.objects.filter(action="read", detail="plan page").count()
    for _ in range(3):
        page(client, episode)
    assert AuditEvent.objects.filter(action="read", detail="plan page").count() == before + 3
    response = logged_in(outsider).get(reverse("plans:plan", args=[episode.pk]))
    assert response.status_code == 404


def test_a_version_that_cannot_be_read_is_never_stored(client: Client, episode: Episode) -> None:
    version = latest(episode)
    good = version.plan
    broken = {**good, "recommended": [{**good["recommended"][0], "line": "soon"}]}
    PlanVersion.objects.filter(pk=version.pk).update(plan=broken)  # written outside the writer
    assert "cannot be shown" in page(client, episode)
    PlanVersion.objects.filter(pk=version.pk).update(plan=good)
    assert "cannot be shown" not in page(client, episode)
