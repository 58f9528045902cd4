"""A patient reads their published plan in plain words and keeps a validated diary."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from backpath.instruments import odi, rmdq
from backpath.web.accounts.models import Role, User
from backpath.web.audit.models import AuditEvent
from backpath.web.diary.models import DiaryEntry
from backpath.web.patients.models import Patient
from backpath.web.plans.models import PlanVersion
from tests.web.builders import (
    NO_FLAGS,
    chronic_intake,
    logged_in,
    make_user,
    plan_version,
    second_patient,
    today,
)

# --- My plan ----------------------------------------------------------------------------------


def test_the_patient_sees_their_published_plan_in_plain_language(patient: Patient) -> None:
    version = plan_version(patient.episodes.get())
    page = logged_in(patient.user).get(reverse("care:my_plan"))
    text = page.content.decode()
    assert page.status_code == 200
    assert "Start now" in text and "Later if needed" in text
    assert "Education and self-care advice" in text and "What to expect" in text
    assert "Your week" in text and "<caption>A typical week of your plan</caption>" in text
    assert 'scope="row"' in text and "Session, 45 min" in text
    assert "Warning signs" in text and "Go to an emergency department now" in text
    assert "Left out because of your preferences" in text and "it involves needles" in text
    assert "does not replace" in text
    assert AuditEvent.objects.filter(
        patient=patient, action="read", object_id=str(version.pk)
    ).exists()


def test_an_unpublished_plan_is_not_shown_to_the_patient(patient: Patient) -> None:
    plan_version(patient.episodes.get(), status=PlanVersion.Status.DRAFT)
    page = logged_in(patient.user).get(reverse("care:my_plan"))
    assert page.status_code == 200
    assert b"has not shared a plan with you yet" in page.content
    assert b"Start now" not in page.content


def test_an_urgent_plan_shows_the_banner(patient: Patient) -> None:
    intake = chronic_intake(red_flags=NO_FLAGS | {"major_trauma": True})
    plan_version(patient.episodes.get(), intake=intake)
    page = logged_in(patient.user).get(reverse("care:my_plan"))
    assert b'class="banner urgent_referral" role="alert"' in page.content
    assert b"Urgent: you need to see a specialist today." in page.content  # same day
    assert b"If it gets worse:" in page.content


def test_the_patient_banner_says_how_soon_as_the_triage_does(patient: Patient) -> None:
    intake = chronic_intake(conditions=["active_cancer"])
    plan_version(patient.episodes.get(), intake=intake)
    page = logged_in(patient.user).get(reverse("care:my_plan"))
    assert b"Urgent: you need to see a specialist within 24 hours." in page.content


def test_a_patient_sees_only_their_own_plan(clinic: Any, patient: Patient) -> None:
    plan_version(patient.episodes.get())
    other = second_patient(clinic)
    page = logged_in(other.user).get(reverse("care:my_plan"))
    assert page.status_code == 200 and b"has not shared a plan with you yet" in page.content
    assert b"Byrne" not in page.content and b"Ada" not in page.content


def test_staff_get_403_on_patient_pages_and_patients_on_staff_pages(
    clinician: User, patient: Patient
) -> None:
    staff = logged_in(clinician)
    for name in ("care:my_plan", "care:diary", "care:progress"):
        assert staff.get(reverse(name)).status_code == 403
    episode = patient.episodes.get()
    mine = logged_in(patient.user)
    assert mine.get(reverse("review:review", args=[episode.pk])).status_code == 403
    assert mine.get(reverse("plans:plan", args=[episode.pk])).status_code == 403


def test_a_patient_login_without_a_record_gets_404_not_someone_elses_data(
    clinic: Any, patient: Patient
) -> None:
    orphan = make_user("orphan", Role.PATIENT, clinic)
    plan_version(patient.episodes.get())
    for name in ("care:my_plan", "care:diary", "care:progress"):
        assert logged_in(orphan).get(reverse(name)).status_code == 404


def test_an_anonymous_visitor_is_sent_to_sign_in(db: Any) -> None:
    response = Client().get(reverse("care:diary"))
    assert response.status_code == 302 and "/login/" in response["Location"]


# --- Diary ------------------------------------------------------------------------------------


def post(client: Client, kind: str, data: dict[str, Any]) -> Any:
    fields = {f"{kind}-{k}": v for k, v in data.items()}
    return client.post(f"{reverse('care:diary')}?add={kind}", fields)


def test_a_pain_score_is_saved_with_its_value(patient: Patient) -> None:
    response = post(logged_in(patient.user), "nrs", {"on": today(), "pain": "7"})
    assert response.status_code == 302
    entry = DiaryEntry.objects.get(patient=patient)
    assert (entry.kind, entry.value, entry.answers) == ("nrs", 7.0, [7])
    assert entry.episode == patient.episodes.get()
    assert AuditEvent.objects.filter(patient=patient, action="create").exists()


def test_a_pain_score_out_of_range_says_what_is_allowed_and_keeps_what_was_typed(
    patient: Patient,
) -> None:
    response = post(logged_in(patient.user), "nrs", {"on": today(), "pain": "11"})
    assert response.status_code == 200
    assert b"Enter a whole number from 0 to 10." in response.content
    assert b'value="11"' in response.content
    assert not DiaryEntry.objects.exists()


def test_a_date_in_the_future_is_refused(patient: Patient) -> None:
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    response = post(logged_in(patient.user), "nrs", {"on": tomorrow, "pain": "3"})
    assert b"cannot be in the future" in response.content
    assert not DiaryEntry.objects.exists()


def test_the_peg_is_saved_as_the_mean_of_its_three_answers(patient: Patient) -> None:
    data = {"on": today(), "average_pain": "6", "enjoyment_of_life": "5", "general_activity": "4"}
    assert post(logged_in(patient.user), "peg", data).status_code == 302
    entry = DiaryEntry.objects.get(kind="peg")
    assert entry.value == 5.0 and entry.answers == [6, 5, 4]


def test_a_peg_answer_left_blank_is_required(patient: Patient) -> None:
    data = {"on": today(), "average_pain": "6", "enjoyment_of_life": "", "general_activity": "4"}
    response = post(logged_in(patient.user), "peg", data)
    assert b"Required. Enter a whole number from 0 to 10." in response.content
    assert b'value="6"' in response.content and not DiaryEntry.objects.exists()


def test_the_oswestry_is_saved_as_a_percent_with_a_blank_section_allowed(
    patient: Patient,
) -> None:
    ids = odi.definition().item_ids()
    answers = [3, 1, 3, 1, 2, 2, 2, None, 1, 2]
    data = {"on": today()} | {
        i: "" if a is None else str(a) for i, a in zip(ids, answers, strict=True)
    }
    assert post(logged_in(patient.user), "odi", data).status_code == 302
    entry = DiaryEntry.objects.get(kind="odi")
    assert entry.value == odi.score(answers).percent == 37.8
    assert entry.answers == answers


def test_an_oswestry_with_too_many_blanks_is_not_scored_and_says_why(patient: Patient) -> None:
    ids = odi.definition().item_ids()
    data = {"on": today()} | {i: "" for i in ids} | {ids[0]: "2"}
    response = post(logged_in(patient.user), "odi", data)
    assert response.status_code == 200
    assert b"Please answer more sections" in response.content
    assert not DiaryEntry.objects.exists()


def test_the_roland_morris_total_counts_the_ticked_statements(patient: Patient) -> None:
    ids = rmdq.definition().item_ids()
    data = {"on": today()} | {i: "on" for i in ids[:9]}
    assert post(logged_in(patient.user), "rmdq", data).status_code == 302
    entry = DiaryEntry.objects.get(kind="rmdq")
    assert entry.value == 9.0 and entry.answers == [1] * 9 + [0] * 15


def test_a_session_must_be_one_of_the_plan_treatments(patient: Patient) -> None:
    plan_version(patient.episodes.get())
    client = logged_in(patient.user)
    bad = post(client, "session", {"on": today(), "treatment": "opioids", "attended": "yes"})
    assert b"Choose one of the treatments in your plan." in bad.content
    good = post(
        client, "session", {"on": today(), "treatment": "physical_therapy", "attended": "no"}
    )
    assert good.status_code == 302
    entry = DiaryEntry.objects.get(kind="session")
    assert entry.treatment == "physical_therapy" and entry.attended is False


def test_an_adverse_event_needs_a_description_and_may_name_a_treatment(patient: Patient) -> None:
    plan_version(patient.episodes.get())
    client = logged_in(patient.user)
    missing = post(client, "adverse_event", {"on": today(), "description": "", "serious": "no"})
    assert b"Describe what happened" in missing.content
    saved = post(
        client,
        "adverse_event",
        {
            "on": today(),
            "treatment": "spinal_manipulation",
            "description": "Bruised back",
            "serious": "yes",
        },
    )
    assert saved.status_code == 302
    entry = DiaryEntry.objects.get(kind="adverse_event")
    assert (entry.treatment, entry.note, entry.serious) == (
        "spinal_manipulation",
        "Bruised back",
        True,
    )


def test_recent_entries_list_only_the_patients_own(clinic: Any, patient: Patient) -> None:
    other = second_patient(clinic)
    DiaryEntry.objects.create(
        patient=other, on=timezone.localdate(), kind="adverse_event", note="Kestrel-private-note"
    )
    DiaryEntry.objects.create(
        patient=patient,
        episode=patient.episodes.get(),
        on=timezone.localdate(),
        kind="nrs",
        value=4,
        answers=[4],
    )
    page = logged_in(patient.user).get(reverse("care:diary"))
    assert b"Kestrel-private-note" not in page.content
    assert b"4 out of 10" in page.content
