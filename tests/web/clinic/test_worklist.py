"""The worklist: who needs attention first, filters, page details, one page from the database."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.urls import reverse
from django.utils import timezone

from backpath.engine import assess_and_plan
from backpath.web.accounts.models import Clinic, User
from backpath.web.alerts.models import Alert
from backpath.web.clinic.worklist import Filters, rows_of, worklist
from backpath.web.diary.models import DiaryEntry, ExerciseLog
from backpath.web.patients.models import Episode, Intake, Patient
from backpath.web.plans import versions
from backpath.web.plans.models import PlanVersion
from tests.web.builders import chronic_intake, logged_in

TODAY = dt.date(2026, 6, 10)  # a Wednesday


def person(clinic: Clinic, family: str, clinician: User | None = None, **fields: Any) -> Patient:
    patient = Patient.objects.create(clinic=clinic, given_name="Pat", family_name=family,
                                     birth_year=1970, **fields)  # fmt: skip
    episode = Episode.objects.create(patient=patient, clinician=clinician,
                                     opened=TODAY - dt.timedelta(days=60))  # fmt: skip
    Intake.objects.create(episode=episode)
    return patient


def planned(patient: Patient, intake: dict[str, Any] | None = None, weeks_ago: int = 0,
            publish: bool = True) -> Episode:  # fmt: skip
    """A plan stored through the one writer, published ``weeks_ago`` weeks before TODAY."""
    episode = patient.episodes.get()
    plan = assess_and_plan(intake or chronic_intake()).to_json_dict()
    when = timezone.make_aware(dt.datetime.combine(TODAY - dt.timedelta(weeks=weeks_ago),
                                                   dt.time(10)))  # fmt: skip
    versions.create_version(
        episode, plan, summary="test", user=None,
        status=PlanVersion.Status.PUBLISHED if publish else PlanVersion.Status.DRAFT,
        published=when if publish else None,
    )  # fmt: skip
    episode.refresh_from_db()
    return episode


def alert(patient: Patient, urgency: str, severity: int) -> Alert:
    return Alert.objects.create(clinic=patient.clinic, patient=patient, origin="diary",
                                urgency=urgency, severity=severity, reported="x", advice="y",
                                key=f"t:{patient.pk}:{urgency}")  # fmt: skip


def names(user: User, filters: Filters | None = None) -> list[str]:
    return [p.family_name for p in worklist(user, filters or Filters(), TODAY)]


def test_who_needs_attention_comes_first_then_by_name(clinic: Clinic, clinician: User) -> None:
    calm = person(clinic, "Abbott")
    planned(calm)  # review in the future
    overdue = person(clinic, "Baxter")
    planned(overdue, weeks_ago=20)  # its review date has passed
    alerted = person(clinic, "Cole")
    alert(alerted, "contact_clinic", 1)
    urgent = person(clinic, "Drake")
    alert(urgent, "urgent", 2)
    emergency = person(clinic, "Evans")
    alert(emergency, "emergency", 3)
    flags = chronic_intake()
    flags["red_flags"] = {**flags["red_flags"], "saddle_anaesthesia": True}
    triaged = person(clinic, "Fox")
    assert planned(triaged, flags, publish=False).disposition == "emergency"
    assert names(clinician) == ["Evans", "Fox", "Drake", "Cole", "Baxter", "Abbott"]
    Alert.objects.filter(patient=emergency).update(acknowledged_at=timezone.now())
    assert names(clinician)[:2] == ["Fox", "Drake"] and names(clinician)[-1] == "Evans"


def test_the_plan_at_a_glance_follows_the_versions(clinic: Clinic, clinician: User) -> None:
    patient = person(clinic, "Glance")
    episode = patient.episodes.get()
    assert (episode.plan_status, episode.review_due) == ("none", None)
    draft = planned(patient, publish=False)
    assert (draft.plan_status, draft.phase, draft.disposition) == ("draft", "chronic", "proceed")
    assert draft.review_due is None and draft.due_by_weekday == []
    latest = versions.latest(episode)
    assert latest is not None
    versions.publish(episode, latest.number, "", None)
    episode.refresh_from_db()
    assert episode.plan_status == "published" and len(episode.due_by_weekday) == 7
    assert episode.review_due == timezone.localdate() + dt.timedelta(
        weeks=latest.document.review_in_weeks or 0)  # fmt: skip


def test_filters_mine_status_and_search(clinic: Clinic, clinician: User, lead: User,
                                        other_clinic: Clinic) -> None:  # fmt: skip
    person(clinic, "Mine", clinician)
    person(clinic, "Theirs", lead, clinic_identifier="MRN-77")
    gone = person(clinic, "Gone", clinician)
    Episode.objects.filter(patient=gone).update(closed=TODAY)
    person(other_clinic, "Elsewhere")
    assert names(clinician) == ["Mine", "Theirs"]
    assert names(clinician, Filters(mine=True)) == ["Mine"]
    assert names(clinician, Filters(status="discharged")) == ["Gone"]
    assert names(clinician, Filters(status="all")) == ["Gone", "Mine", "Theirs"]
    assert names(clinician, Filters(q="mrn-7")) == ["Theirs"]
    assert names(clinician, Filters(q="ELSE", status="all")) == []


def test_a_row_shows_the_last_entry_and_this_weeks_exercises(clinic: Clinic,
                                                             clinician: User) -> None:  # fmt: skip
    patient = person(clinic, "Diary")
    episode = planned(patient, weeks_ago=1)
    program = versions.latest(episode).document.home_program  # type: ignore[union-attr]
    assert program is not None
    monday = TODAY - dt.timedelta(days=TODAY.weekday())
    DiaryEntry.objects.create(patient=patient, episode=episode, kind="nrs", value=4,
                              on=TODAY - dt.timedelta(days=2))  # fmt: skip
    for k in range(3):  # Monday to Wednesday: every exercise due was done
        day = monday + dt.timedelta(days=k)
        for item in program.due_on(day):
            ExerciseLog.objects.create(patient=patient, episode=episode, on=day,
                                       exercise=item.exercise, outcome="done")  # fmt: skip
    [row] = rows_of(list(worklist(clinician, Filters(), TODAY)), TODAY)
    due = sum(len(program.due_on(monday + dt.timedelta(days=k))) for k in range(3))
    assert (row.exercises_done, row.exercises_due) == (due, due)
    assert row.last_entry == TODAY - dt.timedelta(days=2)
    assert row.plan_status == "published" and row.phase == "chronic"


def test_the_page_is_one_query_set_however_many_patients(
    clinic: Clinic, clinician: User, django_assert_max_num_queries: Any
) -> None:
    for k in range(60):
        person(clinic, f"Many{k:02d}")
    client = logged_in(clinician)
    with django_assert_max_num_queries(20):  # with the session's once-a-minute write
        page = client.get(reverse("patients:list")).content.decode()
    assert "60 patients, page 1 of 2" in page
    assert len(re.findall(r'<th scope="row">', page)) == 50


def test_the_worklist_page_puts_the_alerted_patient_on_top(clinic: Clinic,
                                                          clinician: User) -> None:  # fmt: skip
    person(clinic, "Aaron")
    alert(person(clinic, "Zed"), "emergency", 3)
    page = logged_in(clinician).get(reverse("patients:list")).content.decode()
    assert page.index("Zed, Pat") < page.index("Aaron, Pat")
    assert "Emergency" in page and "1 open alert" in page


def test_the_api_gives_the_same_rows_to_staff_only(clinic: Clinic, clinician: User,
                                                   patient: Patient) -> None:  # fmt: skip
    alert(person(clinic, "Zed"), "urgent", 2)
    client = logged_in(clinician)
    body = client.get("/api/v1/worklist", {"limit": 1}).json()
    assert body["count"] == 2 and body["items"][0]["name"] == "Pat Zed"
    assert body["items"][0]["attention"] == 1 and body["items"][0]["reasons"] == ["1 open alert"]
    assert "does not replace" in body["disclaimer"]
    second = client.get("/api/v1/worklist", {"limit": 1, "offset": 1}).json()
    assert second["items"][0]["patient_id"] == patient.pk
    bad = client.get("/api/v1/worklist", {"status": "everyone"})
    assert bad.status_code == 422 and bad.json()["field"] == "status"
    assert client.get("/api/v1/worklist", {"limit": 0}).json()["field"] == "limit"
    assert logged_in(patient.user).get("/api/v1/worklist").status_code == 403


def test_returned_and_overdue_questionnaires_show_and_sort(clinic: Clinic,
                                                          clinician: User) -> None:  # fmt: skip
    from backpath.web.questionnaires.models import QuestionnaireRequest

    def asked(patient: Patient, due: dt.date, returned: bool) -> None:
        QuestionnaireRequest.objects.create(
            patient=patient, episode=patient.episodes.get(), purpose="review",
            instruments=["peg"], channel="link", due=due, expires=timezone.now(),
            completed=timezone.now() if returned else None,
        )  # fmt: skip

    person(clinic, "Able")
    asked(person(clinic, "Late"), TODAY - dt.timedelta(days=1), returned=False)
    asked(person(clinic, "Back"), TODAY + dt.timedelta(days=3), returned=True)
    asked(person(clinic, "Soon"), TODAY + dt.timedelta(days=3), returned=False)
    assert names(clinician) == ["Back", "Late", "Able", "Soon"]
    rows = rows_of(list(worklist(clinician, Filters(), TODAY)), TODAY)
    assert [r.attention for r in rows[:2]] == ["New results", "Questionnaires overdue"]
