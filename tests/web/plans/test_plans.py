"""The clinician's plan page: lines, sources and verdicts; triage; who may see it."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from backpath.knowledge import load_knowledge
from backpath.web.accounts.models import User
from backpath.web.audit.models import AuditEvent
from backpath.web.patients.models import Episode, Patient
from backpath.web.plans import versions
from backpath.web.plans.models import PlanVersion
from tests.web.builders import (
    NO_FLAGS_FORM,
    chronic_intake,
    complete_intake,
    logged_in,
    plan_version,
)


def text_of(page: str) -> str:
    """The page's words without tags, on one line."""
    return " ".join(re.sub(r"<[^>]+>", "", page).split())


def page_of(client: Client, episode: Episode) -> str:
    response = client.get(reverse("plans:plan", args=[episode.pk]))
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def test_the_plan_page_shows_each_line_with_why_schedule_and_linked_sources(
    clinician: User, episode: Episode
) -> None:
    page = page_of(logged_in(clinician), episode)
    plan = PlanVersion.objects.get(episode=episode).plan
    assert "Line 1: start now" in page and "Line 2: add at review" in page
    for item in plan["recommended"]:
        assert item["name"] in page
    assert 'href="https://doi.org/10.7326/M16-2367"' in page  # ACP 2017 by its DOI
    assert 'href="https://www.nice.org.uk/guidance/ng59"' in page  # NICE by its URL
    assert "sessions a week" in page and "Precautions" in page


def test_the_plan_page_shows_what_is_left_out_and_why(clinician: User, episode: Episode) -> None:
    page = page_of(logged_in(clinician), episode)
    assert "Interaction with a medicine or condition" in page  # NSAIDs with an anticoagulant
    assert "The patient's preference" in page  # acupuncture: needles avoided
    assert "Investigational (research only)" in page
    assert "cannot be added" in page


def test_the_plan_page_sets_the_guideline_verdicts_side_by_side(
    clinician: User, episode: Episode
) -> None:
    client = logged_in(clinician)
    assert "Guideline verdicts" not in page_of(client, episode)  # on their own tab
    page = html.unescape(client.get(reverse("plans:evidence", args=[episode.pk])).content.decode())
    assert "Guideline verdicts for chronic pain" in page
    for column in ("ACP 2017", "NICE NG59", "WHO 2023", "BackPath consensus"):
        assert f'<th scope="col">{column}</th>' in page
    assert "Where the guidelines disagree" in page


def test_the_plan_page_shows_the_version_badge_and_its_author(
    clinician: User, episode: Episode
) -> None:
    page = page_of(logged_in(clinician), episode)
    assert "v1 · Draft" in page and "by clinician" in page
    assert "Publish version 1 to the patient" in page


def test_the_plan_page_assesses_an_intake_once_not_on_every_view(
    clinician: User, episode: Episode, monkeypatch: pytest.MonkeyPatch
) -> None:
    versions._facts_of.cache_clear()
    calls: list[object] = []
    real = versions.assess
    monkeypatch.setattr(versions, "assess", lambda i: calls.append(i) or real(i))
    client = logged_in(clinician)
    for _ in range(3):
        assert client.get(reverse("plans:plan", args=[episode.pk])).status_code == 200
    assert len(calls) == 1
    intake = episode.intake
    intake.data = {**intake.data, "pain": {**intake.data["pain"], "nrs_now": 3}}
    intake.save()
    client.get(reverse("plans:plan", args=[episode.pk]))
    assert len(calls) == 2  # a changed intake is assessed afresh


def test_reading_the_plan_page_is_audited(clinician: User, episode: Episode) -> None:
    page_of(logged_in(clinician), episode)
    assert AuditEvent.objects.filter(
        patient=episode.patient, action="read", object_type="PlanVersion", detail="plan page"
    ).exists()


def test_an_emergency_shows_the_big_banner_and_no_plan(clinician: User, patient: Patient) -> None:
    client = logged_in(clinician)
    episode = patient.episodes.get()
    complete_intake(client, episode, red_flags=NO_FLAGS_FORM | {"saddle_anaesthesia": "yes"})
    page = page_of(client, episode)
    assert "Emergency: seek emergency care now. No treatment plan is given." in page
    assert "cannot be edited" in page
    assert "Recommended" not in page and "Accept or drop" not in page


def test_an_urgent_referral_shows_the_banner_and_comfort_measures_only(
    clinician: User, patient: Patient
) -> None:
    client = logged_in(clinician)
    episode = patient.episodes.get()
    complete_intake(client, episode, red_flags=NO_FLAGS_FORM | {"history_of_cancer": "yes"})
    page = page_of(client, episode)
    plan = PlanVersion.objects.get(episode=episode).plan
    assert "Urgent referral: specialist assessment within 24 hours" in page  # NICE NG234
    assert "If it gets worse:" in page
    cards = load_knowledge().treatments
    assert plan["recommended"] and all(
        cards[r["treatment"]].comfort_measure for r in plan["recommended"]
    )
    assert "Red flag: not until serious disease is ruled out" in page


def test_a_referral_alongside_the_plan_is_a_notice(clinician: User, patient: Patient) -> None:
    client = logged_in(clinician)
    episode = patient.episodes.get()
    complete_intake(client, episode, red_flags=NO_FLAGS_FORM | {"inflammatory_features": "yes"})
    page = page_of(client, episode)
    assert 'class="banner referral_with_plan" role="note"' in page
    assert "Line 1: start now" in page


def test_an_episode_without_a_plan_says_how_to_get_one(clinician: User, patient: Patient) -> None:
    page = page_of(logged_in(clinician), patient.episodes.get())
    assert "has no plan yet" in page and "Complete the intake" in page


def plan_urls(episode: Episode) -> list[tuple[str, str]]:
    """Every plan URL with the method it is used with."""
    e = episode.pk
    return [
        ("get", reverse("plans:plan", args=[e])),
        ("get", reverse("plans:history", args=[e])),
        ("get", reverse("plans:version", args=[e, 1])),
        ("get", reverse("plans:print", args=[e, 1])),
        ("get", reverse("plans:pdf", args=[e, 1])),
        ("post", reverse("plans:publish", args=[e])),
        ("post", reverse("plans:accept", args=[e, "yoga"])),
        ("post", reverse("plans:drop", args=[e, "yoga"])),
        ("post", reverse("plans:add", args=[e, "superficial_heat"])),
    ]


def _call(client: Client, method: str, url: str) -> Any:
    data = {"version": "1", "reason": "Because", "drop_reason": "preference", "line": "2"}
    return client.post(url, data) if method == "post" else client.get(url)


def test_a_clinician_of_another_clinic_gets_404_on_every_plan_url(
    outsider: User, episode: Episode
) -> None:
    client = logged_in(outsider)
    for method, url in plan_urls(episode):
        response = _call(client, method, url)
        assert response.status_code == 404, url
        assert b"Byrne" not in response.content
    assert PlanVersion.objects.filter(episode=episode).count() == 1


def test_a_patient_gets_403_on_every_plan_url(episode: Episode) -> None:
    client = logged_in(episode.patient.user)
    for method, url in plan_urls(episode):
        assert _call(client, method, url).status_code == 403, url
    assert PlanVersion.objects.filter(episode=episode).count() == 1


def test_an_anonymous_visitor_is_sent_to_sign_in(episode: Episode) -> None:
    for method, url in plan_urls(episode):
        response = _call(Client(), method, url)
        assert response.status_code == 302 and "/login/" in response["Location"], url


def test_the_plan_page_names_a_contradiction_and_a_concern_with_their_sources(
    clinician: User, patient: Patient
) -> None:
    episode = patient.episodes.get()
    intake = chronic_intake(
        patient={"age": 58, "sex": "male"},
        episode={"duration_weeks": 30, "region": "low_back", "prior_episodes": 0},
        conditions=["pregnancy"],
    )
    plan_version(episode, status=PlanVersion.Status.DRAFT, intake=intake)
    page = page_of(logged_in(clinician), episode)
    assert 'href="https://doi.org/10.2519/jospt.2020.9971"' in page  # IFOMPT 2020
    page = text_of(page)
    assert "Triage: check these" in page
    assert "The intake contradicts itself: The intake records a pregnancy" in page
    assert "Over 50 with a first episode of back pain (review within 28 days)" in page
    assert "Plan as usual, with a concern to look at" in page


def test_a_weak_flag_alone_shows_a_concern_not_an_urgent_banner(
    clinician: User, patient: Patient
) -> None:
    client = logged_in(clinician)
    episode = patient.episodes.get()
    complete_intake(client, episode, red_flags=NO_FLAGS_FORM | {"constant_night_pain": "yes"})
    page = page_of(client, episode)
    assert "banner urgent_referral" not in page
    page = text_of(page)
    assert "Constant night pain, with no other red flag (review within 14 days)" in page
    assert "Line 1: start now" in page
