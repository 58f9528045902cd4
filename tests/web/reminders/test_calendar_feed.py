"""The subscribable calendar link: secret, stored hashed, revocable, and never listing an
event that is already over (checked with a frozen 'today')."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import zoneinfo
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from icalendar import Calendar, Event

from backpath.reports.calendar import CalendarFor, last_day, program_calendar, still_to_come
from backpath.web.accounts.models import User
from backpath.web.audit.models import AuditEvent
from backpath.web.patients.models import Patient
from backpath.web.reminders.models import CalendarFeed
from tests.web.builders import logged_in, opt_in, second_patient, with_program

SETTINGS = "/me/reminders/"
PUBLISHED = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)  # a Monday
LONDON = zoneinfo.ZoneInfo("Europe/London")


def freeze(monkeypatch: pytest.MonkeyPatch, day: dt.date) -> None:
    """'Now' is noon (UTC) of ``day`` for everything that asks Django for the time."""
    noon = dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)
    monkeypatch.setattr("django.utils.timezone.now", lambda: noon)


def make_link(client: Client) -> str:
    """Press 'Make a calendar link' and read the link off the page (shown this once)."""
    response = client.post(reverse("reminders:feed_new"))
    assert response.status_code == 302
    page = client.get(SETTINGS).content.decode()
    found = re.search(r'id="feed-url" type="text" readonly value="([^"]+)"', page)
    assert found is not None, "the new link is shown on the settings page"
    return found.group(1)


def feed_path(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def subscribed(path: str) -> Calendar:
    response = Client().get(path)  # a calendar app: no sign-in, no cookies
    assert response.status_code == 200, response.content[:200]
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert not response.has_header("Content-Disposition")
    return Calendar.from_ical(response.content)


@pytest.fixture
def signed_in(patient: Patient) -> Client:
    with_program(patient.current_episode(), published=PUBLISHED)
    return logged_in(patient.user)


# --- the link ---------------------------------------------------------------------------------


def test_a_new_link_is_shown_once_and_works_without_signing_in(
    signed_in: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    freeze(monkeypatch, dt.date(2026, 3, 10))
    url = make_link(signed_in)
    assert url.startswith("http://testserver/me/calendar/") and url.endswith(".ics")
    page = signed_in.get(SETTINGS).content.decode()
    assert url not in page and "You have a calendar link, made on" in page
    assert f'href="webcal://{url.split("://")[1]}"' not in page
    calendar = subscribed(feed_path(url))
    uids = [str(e["UID"]) for e in calendar.walk("VEVENT")]
    assert any(u.startswith("home-program") for u in uids)
    assert any(u.startswith("sessions-") for u in uids)


def test_the_page_offers_a_webcal_link_and_a_copy_button(signed_in: Client) -> None:
    signed_in.post(reverse("reminders:feed_new"))
    page = signed_in.get(SETTINGS).content.decode()
    assert 'href="webcal://testserver/me/calendar/' in page
    assert 'data-copy="feed-url"' in page and "Stop this link" in page


def test_only_the_hash_of_the_secret_is_stored(signed_in: Client, patient: Patient) -> None:
    secret = feed_path(make_link(signed_in)).rsplit("/", 1)[1].removesuffix(".ics")
    feed = CalendarFeed.objects.get(patient=patient)
    assert feed.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in feed.token_hash


def test_a_stopped_and_an_unknown_link_get_the_same_404(signed_in: Client) -> None:
    path = feed_path(make_link(signed_in))
    assert signed_in.post(reverse("reminders:feed_stop")).status_code == 302
    stopped = Client().get(path)
    unknown = Client().get("/me/calendar/" + "x" * 43 + ".ics")
    assert stopped.status_code == unknown.status_code == 404
    assert stopped.content == unknown.content
    assert "Make a calendar link" in signed_in.get(SETTINGS).content.decode()


def test_a_new_link_stops_the_old_one(signed_in: Client, patient: Patient) -> None:
    old = feed_path(make_link(signed_in))
    new = feed_path(make_link(signed_in))
    assert Client().get(old).status_code == 404
    assert Client().get(new).status_code == 200
    assert CalendarFeed.objects.filter(patient=patient, revoked__isnull=True).count() == 1


def test_making_stopping_and_reading_a_link_are_audited_without_the_secret(
    signed_in: Client, patient: Patient
) -> None:
    path = feed_path(make_link(signed_in))
    Client().get(path)
    signed_in.post(reverse("reminders:feed_stop"))
    details = list(AuditEvent.objects.filter(patient=patient).values_list("detail", flat=True))
    for expected in ("calendar link made", "calendar feed (secret link)", "calendar link stopped"):
        assert expected in details
    secret = path.rsplit("/", 1)[1].removesuffix(".ics")
    assert not AuditEvent.objects.filter(path__contains=secret).exists()


def test_the_buttons_need_post_and_a_csrf_token(patient: Patient) -> None:
    with_program(patient.current_episode(), published=PUBLISHED)
    client = Client(enforce_csrf_checks=True)
    client.force_login(patient.user)
    assert client.get(reverse("reminders:feed_new")).status_code == 405
    assert client.post(reverse("reminders:feed_new")).status_code == 403
    assert client.post(reverse("reminders:feed_stop")).status_code == 403
    assert not CalendarFeed.objects.exists()


def test_a_link_gives_only_its_own_patients_plan(signed_in: Client, patient: Patient) -> None:
    other = second_patient(patient.clinic)
    with_program(other.current_episode(), published=PUBLISHED)
    other_client = logged_in(other.user)
    mine, theirs = feed_path(make_link(signed_in)), feed_path(make_link(other_client))
    assert str(subscribed(mine)["X-WR-CALNAME"]).endswith(str(patient))
    assert str(subscribed(theirs)["X-WR-CALNAME"]).endswith(str(other))
    other_client.post(reverse("reminders:feed_stop"))  # stops theirs, never mine
    assert Client().get(mine).status_code == 200 and Client().get(theirs).status_code == 404


def test_staff_cannot_make_a_link(clinician: User) -> None:
    assert logged_in(clinician).post(reverse("reminders:feed_new")).status_code == 403


def test_without_a_published_plan_the_feed_is_an_empty_calendar(patient: Patient) -> None:
    path = feed_path(make_link(logged_in(patient.user)))
    assert subscribed(path).walk("VEVENT") == []


# --- never an event that is over -------------------------------------------------------------


def full_calendar(patient: Patient) -> list[Event]:
    """Every event of the plan, past ones included (the download's view of it)."""
    version = patient.current_episode().plan_versions.get()
    owner = CalendarFor(
        clinic="c", patient="p", uid_base="x", start=PUBLISHED.date(), zone=LONDON,
        at=dt.time(8), stamp=PUBLISHED,
    )  # fmt: skip
    ics = program_calendar(version.document, owner)
    assert ics is not None
    return list(Calendar.from_ical(ics).walk("VEVENT"))


@pytest.mark.parametrize("weeks", [1, 5, 9, 11, 13, 30])
def test_the_feed_lists_exactly_the_events_not_yet_over(
    signed_in: Client, patient: Patient, monkeypatch: pytest.MonkeyPatch, weeks: int
) -> None:
    path = feed_path(make_link(signed_in))
    today = PUBLISHED.date() + dt.timedelta(weeks=weeks, days=2)
    freeze(monkeypatch, today)
    listed = {str(e["UID"]).split(".")[0]: e for e in subscribed(path).walk("VEVENT")}
    for event in listed.values():
        assert last_day(event, LONDON) >= today, f"{event['UID']} is over on {today}"
    every = full_calendar(patient)
    coming = {str(e["UID"]).split(".")[0] for e in every if last_day(e, LONDON) >= today}
    assert set(listed) == coming
    if weeks == 5:  # a short course of sessions is over, the home program goes on
        assert len(coming) < len(every) and any(u.startswith("home-program") for u in coming)
    if weeks == 30:
        assert listed == {}  # after the review: a finished plan lists nothing at all


def test_a_finished_weekly_recurrence_is_left_out() -> None:
    event = Event.new(uid="a@x", start=dt.date(2026, 3, 2), end=dt.date(2026, 3, 3))
    event.add("rrule", {"freq": "WEEKLY", "byday": ["MO"], "until": dt.date(2026, 3, 30)})
    assert last_day(event, LONDON) == dt.date(2026, 3, 30)
    assert still_to_come(event, dt.date(2026, 3, 30), LONDON)
    assert not still_to_come(event, dt.date(2026, 3, 31), LONDON)


def test_a_past_one_off_review_day_is_left_out_and_a_coming_one_kept() -> None:
    review = Event.new(uid="r@x", start=dt.date(2026, 6, 1), end=dt.date(2026, 6, 2))
    assert not still_to_come(review, dt.date(2026, 6, 2), LONDON)
    assert still_to_come(review, dt.date(2026, 6, 1), LONDON)


def test_a_timed_event_counts_in_the_patients_own_day() -> None:
    start = dt.datetime(2026, 3, 2, 23, 30, tzinfo=LONDON)
    event: Any = Event.new(uid="t@x", start=start, end=start + dt.timedelta(minutes=20))
    assert last_day(event, LONDON) == dt.date(2026, 3, 2)
    assert last_day(event, zoneinfo.ZoneInfo("Asia/Tokyo")) == dt.date(2026, 3, 3)


# --- the time zone offered from the browser --------------------------------------------------


def test_without_a_chosen_zone_the_page_lets_the_browser_preselect_one(patient: Patient) -> None:
    page = logged_in(patient.user).get(SETTINGS).content.decode()
    assert re.search(r'<select name="timezone"[^>]*data-browser-zone="1"', page)
    assert '<p class="tz-note" id="tz-note" role="status" hidden></p>' in page
    assert 'src="/static/backpath/reminders.js" defer' in page
    assert "<script>" not in page  # CSP: no inline script


def test_a_chosen_zone_is_never_replaced_by_the_browsers(patient: Patient) -> None:
    opt_in(patient, timezone="Asia/Tokyo")
    page = logged_in(patient.user).get(SETTINGS).content.decode()
    assert "data-browser-zone" not in page
    assert '<option value="Asia/Tokyo" selected>' in page
