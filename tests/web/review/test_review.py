"""At review a clinician sees baseline against now, responder status, and the engine's
suggestions, and accepts them into a new draft plan version."""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import Any

import jsonschema
from django.test import Client
from django.urls import reverse

from backpath import contract
from backpath.engine import assess_and_plan
from backpath.engine.adapt import Suggestion
from backpath.engine.plan_revision import Accepted, revised_plan
from backpath.engine.stored_plan import read_stored_plan
from backpath.web.accounts.models import User
from backpath.web.audit.models import AuditEvent
from backpath.web.patients.models import Episode, Patient
from backpath.web.plans.models import PlanChange, PlanVersion
from tests.web.builders import add_entry, chronic_intake, logged_in, plan_version

WEEKLY = (50, 43, 36, 29, 22, 15)


def under_review(patient: Patient, nrs_now: int, weeks_ago: float = 8) -> Episode:
    """Published ``weeks_ago`` weeks ago at NRS 6, every physiotherapy session attended."""
    episode = patient.episodes.get()
    plan_version(episode, weeks_ago=weeks_ago)
    add_entry(patient, "nrs", 0, nrs_now)
    for days_ago in WEEKLY:
        add_entry(patient, "session", days_ago, None, treatment="physical_therapy", attended=True)  # type: ignore[arg-type]
    return episode


def suggestions(client: Client, episode: Episode) -> tuple[str, list[str]]:
    page = client.get(reverse("review:review", args=[episode.pk])).content.decode()
    fingerprint = html.unescape(re.search(r'name="fingerprint" value="([^"]*)"', page)[1])  # type: ignore[index]
    return fingerprint, fingerprint.split("|")


def accept(
    client: Client,
    episode: Episode,
    action: str,
    reason: str = "Agreed with the patient.",
    **extra: Any,
) -> Any:
    fingerprint, keys = suggestions(client, episode)
    index = next(i for i, k in enumerate(keys) if k.split(":")[1] == action)
    data = {"fingerprint": fingerprint, f"accept_{index}": "on", "reason": reason}
    data |= {k.format(i=index): v for k, v in extra.items()}
    return client.post(reverse("review:review", args=[episode.pk]), data)


def test_an_improving_patient_is_shown_as_a_responder(clinician: User, patient: Patient) -> None:
    episode = under_review(patient, nrs_now=3)
    page = logged_in(clinician).get(reverse("review:review", args=[episode.pk])).content.decode()
    assert "Improved (meaningful change)</span>, judged on Pain (NRS 0-10)" in page
    assert '<th scope="row">Pain (NRS 0-10)</th>' in page and "<td>-3 (-50%)</td>" in page
    assert "<h3>Continue:" in page and "Add a second-line option" not in page
    assert AuditEvent.objects.filter(patient=patient, action="read", detail="review").exists()


def test_a_flat_patient_shows_no_meaningful_change_and_a_second_line_suggestion(
    clinician: User, patient: Patient
) -> None:
    episode = under_review(patient, nrs_now=6)
    page = logged_in(clinician).get(reverse("review:review", args=[episode.pk])).content.decode()
    assert '<span class="status no_meaningful_change">No meaningful change</span>, judged' in page
    assert "<h3>Add a second-line option: Yoga" in page


def test_accepting_a_second_line_option_creates_a_new_draft_version(
    clinician: User, patient: Patient
) -> None:
    episode = under_review(patient, nrs_now=6)
    client = logged_in(clinician)
    response = accept(client, episode, "add_line_2", **{"take_{i}": "yoga"})
    assert response.status_code == 302
    old, new = PlanVersion.objects.filter(episode=episode).order_by("number")
    assert (new.number, new.status, new.created_by) == (2, "draft", clinician)
    assert "Adapted at the review" in new.change_summary
    jsonschema.validate(new.plan, contract.schema("plan"))
    line = {r["treatment"]: r["line"] for r in new.plan["recommended"]}
    assert line["yoga"] == 1 and line["tai_chi"] == 2
    assert {r["treatment"]: r["line"] for r in old.plan["recommended"]}["yoga"] == 2
    change = PlanChange.objects.get(version=new, treatment="yoga")
    assert change.action == "adapt" and "Agreed with the patient." in change.reason
    assert AuditEvent.objects.filter(patient=patient, action="create", object_id=str(new.pk))


def test_a_second_line_option_must_be_chosen_before_it_is_added(
    clinician: User, patient: Patient
) -> None:
    episode = under_review(patient, nrs_now=6)
    response = accept(logged_in(clinician), episode, "add_line_2")
    assert response.status_code == 200
    assert b"Choose at least one of the options listed." in response.content
    assert PlanVersion.objects.filter(episode=episode).count() == 1


def test_accepting_a_stop_moves_the_item_to_not_recommended(
    clinician: User, patient: Patient
) -> None:
    episode = under_review(patient, nrs_now=6)
    add_entry(patient, "adverse_event", 2, None, treatment="spinal_manipulation", note="Bruising")  # type: ignore[arg-type]
    assert accept(logged_in(clinician), episode, "stop_item").status_code == 302
    new = PlanVersion.objects.get(episode=episode, number=2)
    jsonschema.validate(new.plan, contract.schema("plan"))
    assert "spinal_manipulation" not in {r["treatment"] for r in new.plan["recommended"]}
    stopped = next(
        n for n in new.plan["not_recommended"] if n["treatment"] == "spinal_manipulation"
    )
    assert stopped["reason"] == "contraindicated"
    assert stopped["why"].startswith("Stopped after an adverse event: ")
    assert "Bruising" in stopped["why"]
    assert PlanChange.objects.filter(version=new, treatment="spinal_manipulation", action="adapt")


def test_an_escalation_records_a_referral_note_and_moves_nothing(
    clinician: User, patient: Patient
) -> None:
    episode = under_review(patient, nrs_now=6, weeks_ago=13)
    assert accept(logged_in(clinician), episode, "escalate").status_code == 302
    old, new = PlanVersion.objects.filter(episode=episode).order_by("number")
    jsonschema.validate(new.plan, contract.schema("plan"))
    assert new.plan["recommended"] == old.plan["recommended"]
    assert any(n.startswith("Specialist referral at the review") for n in new.plan["notes"])
    assert PlanChange.objects.filter(version=new, action="adapt").exists()


def test_accepting_without_a_reason_keeps_the_choice_and_creates_nothing(
    clinician: User, patient: Patient
) -> None:
    episode = under_review(patient, nrs_now=6)
    response = accept(logged_in(clinician), episode, "continue", reason="  ")
    assert response.status_code == 200
    assert b"Required. Say why you accept these suggestions." in response.content
    assert re.search(rb'name="accept_\d" id="id_accept_\d" checked', response.content)
    assert PlanVersion.objects.filter(episode=episode).count() == 1


def test_suggestions_that_changed_since_the_page_was_shown_are_not_accepted(
    clinician: User, patient: Patient
) -> None:
    episode = under_review(patient, nrs_now=6)
    client = logged_in(clinician)
    fingerprint, _ = suggestions(client, episode)
    add_entry(patient, "nrs", 0, 2)  # the patient improves meanwhile: the suggestions change
    response = client.post(
        reverse("review:review", args=[episode.pk]),
        {"fingerprint": fingerprint, "accept_0": "on", "reason": "ok"},
    )
    assert b"The suggestions changed since this page was loaded" in response.content
    assert PlanVersion.objects.filter(episode=episode).count() == 1


def test_a_colleague_in_the_clinic_may_review(lead: User, patient: Patient) -> None:
    episode = under_review(patient, nrs_now=6)
    assert logged_in(lead).get(reverse("review:review", args=[episode.pk])).status_code == 200


def test_a_clinician_of_another_clinic_gets_404_on_review(outsider: User, patient: Patient) -> None:
    episode = under_review(patient, nrs_now=6)
    client = logged_in(outsider)
    assert client.get(reverse("review:review", args=[episode.pk])).status_code == 404
    assert client.post(reverse("review:review", args=[episode.pk]), {}).status_code == 404
    assert PlanVersion.objects.filter(episode=episode).count() == 1


def test_a_review_without_any_plan_says_so(clinician: User, patient: Patient) -> None:
    episode = patient.episodes.get()
    page = logged_in(clinician).get(reverse("review:review", args=[episode.pk]))
    assert page.status_code == 200 and b"There is no plan for this episode yet" in page.content


# --- Applying accepted suggestions to the stored plan (no database) ------------------------------


def example_plan() -> dict[str, Any]:
    return assess_and_plan(chronic_intake()).to_json_dict()


def test_a_stored_plan_rebuilds_the_engine_model_the_review_adapts() -> None:
    plan = example_plan()
    del plan["review_in_weeks"]  # optional: an older plan may lack it
    rebuilt = read_stored_plan(plan).to_plan()
    assert rebuilt.recommended[0].treatment == plan["recommended"][0]["treatment"]
    assert rebuilt.review_in_weeks is None
    assert rebuilt.to_json_dict() == plan


def test_a_switch_drops_the_tried_item_and_starts_the_chosen_one() -> None:
    plan = example_plan()
    switch = Suggestion(
        action="switch",
        treatments=["physical_therapy", "yoga", "tai_chi"],
        why="Full course, no change.",
        sources=["ostelo2008"],
    )
    stored = read_stored_plan(plan)
    new = revised_plan(stored, [Accepted(switch, ["tai_chi"])], dt.date(2026, 3, 2), "Prefers it")
    revised = new.plan.to_json_dict()
    jsonschema.validate(revised, contract.schema("plan"))
    lines = {r["treatment"]: r["line"] for r in revised["recommended"]}
    assert "physical_therapy" not in lines and lines["tai_chi"] == 1 and lines["yoga"] == 2
    dropped = next(n for n in revised["not_recommended"] if n["treatment"] == "physical_therapy")
    assert dropped["reason"] == "not_indicated_now"
    assert [t for t, _ in new.changes] == ["physical_therapy", "tai_chi"]
    assert new.plan.checked().to_plan().recommended  # still a valid engine plan
    assert stored.to_json_dict() == plan  # the plan it was made from is untouched


def test_recommended_items_stay_grouped_by_line_after_a_move() -> None:
    plan = example_plan()
    add_yoga = Suggestion(
        action="add_line_2", treatments=["yoga", "tai_chi"], why="Flat.", sources=["ostelo2008"]
    )
    stored = read_stored_plan(plan)
    new = revised_plan(stored, [Accepted(add_yoga, ["yoga"])], dt.date(2026, 3, 2), "Likes yoga")
    lines = [r.line for r in new.plan.recommended]
    assert lines == sorted(lines)
    assert "Moved to start now at the review of 2 Mar 2026: Likes yoga" in next(
        r.why for r in new.plan.recommended if r.treatment == "yoga"
    )


def test_the_old_review_address_under_me_redirects_to_the_plans_review(
    clinician: User, patient: Patient
) -> None:
    episode = patient.episodes.get()
    response = logged_in(clinician).get(f"/me/review/{episode.pk}/?x=1")
    assert response.status_code == 301
    assert response["Location"] == f"/plans/episode/{episode.pk}/review/?x=1"
    assert reverse("review:review", args=[episode.pk]) == f"/plans/episode/{episode.pk}/review/"
