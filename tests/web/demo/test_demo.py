"""The demo clinic: exactly its accounts, twelve patients in care and a past year of closed
episodes, idempotent, contract-valid plans and twelve weeks of diary scored by the instruments."""

from __future__ import annotations

import datetime as dt
import html
from collections import Counter
from collections.abc import Iterator
from typing import Any

import jsonschema
import pytest
from django.db import models, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from backpath import contract, instruments
from backpath.engine.program_models import HomeProgram
from backpath.reports.poses import figure_ids
from backpath.web.accounts.models import Clinic, User
from backpath.web.alerts.models import Alert
from backpath.web.audit.models import AuditEvent
from backpath.web.demo.builder import build_demo
from backpath.web.demo.cases import CASES, DEMO_CLINIC, DEMO_PASSWORD, OTHER_CLINIC
from backpath.web.demo.diary import EXERCISE_DAYS, build_diary, build_exercise_log
from backpath.web.demo.history import HISTORY_EPISODES, RED_FLAG_EPISODES, past_episodes
from backpath.web.diary.models import DiaryEntry, ExerciseLog
from backpath.web.outcomes.models import CaseMixFit, EpisodeOutcome
from backpath.web.patients.models import Episode, Intake, Patient
from backpath.web.plans.models import PlanChange, PlanVersion
from tests.web.builders import home_program

ACCOUNTS = {"clinician": "clinician", "lead": "lead", "clinician2": "clinician",
            "riverside": "clinician", "patient": "patient"}  # fmt: skip
MODELS = (Clinic, User, Patient, Episode, Intake, PlanVersion, PlanChange, DiaryEntry,
          ExerciseLog)  # fmt: skip


IN_CARE = {"episode__closed__isnull": True}


@pytest.fixture(scope="module")
def built(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    """The demo, built once for this module inside a transaction rolled back at its end
    (each test's own changes are rolled back to a savepoint inside it)."""
    with django_db_blocker.unblock(), transaction.atomic():
        build_demo()
        yield
        transaction.set_rollback(True)


@pytest.fixture
def demo(built: None, db: Any) -> None:
    """The module's demo, for one test."""


def counts() -> dict[str, int]:
    return {m.__name__: m.objects.count() for m in MODELS}


def test_the_demo_creates_exactly_its_accounts_and_twelve_patients(demo: None) -> None:
    assert dict(User.objects.values_list("username", "role")) == ACCOUNTS
    assert set(Clinic.objects.values_list("name", flat=True)) == {DEMO_CLINIC, OTHER_CLINIC}
    in_care = Patient.objects.filter(episodes__closed__isnull=True)
    assert in_care.filter(clinic__name=DEMO_CLINIC).count() == in_care.count() == 12
    assert Patient.objects.count() == 12 + HISTORY_EPISODES + RED_FLAG_EPISODES
    clinician = User.objects.get(username="clinician")
    assert clinician.get_full_name() == "Maya Chen" and clinician.clinic.name == DEMO_CLINIC


def test_the_demo_patient_login_belongs_to_a_chronic_case(demo: None) -> None:
    patient = Patient.objects.get(user__username="patient")
    version = patient.episodes.get().plan_versions.get()
    assert version.plan["phase"] == "chronic" and version.status == "published"


def test_building_the_demo_twice_adds_nothing(demo: None) -> None:
    before = counts()
    result = build_demo()
    assert (result.patients_created, result.patients_existing) == (0, 12)
    assert counts() == before


def test_every_demo_account_signs_in_with_the_demo_password(demo: None) -> None:
    for username in ACCOUNTS:
        response = Client().post("/login/", {"username": username, "password": DEMO_PASSWORD})
        assert response.status_code == 302, username


def test_the_other_clinic_sees_none_of_the_demo_patients(demo: None) -> None:
    assert not Patient.objects.visible_to(User.objects.get(username="riverside")).exists()
    assert Patient.objects.visible_to(User.objects.get(username="clinician2")).count() == (
        Patient.objects.count())  # fmt: skip


def test_every_demo_plan_and_intake_validates_against_the_contract(demo: None) -> None:
    for version in PlanVersion.objects.select_related("episode__intake"):
        jsonschema.validate(version.plan, contract.schema("plan"))
        intake = {"schema": "backpath.intake/1", **version.episode.intake.data}
        jsonschema.validate(intake, contract.schema("intake"))
        assert version.episode.intake.completed is not None


def test_the_demo_covers_every_kind_of_case(demo: None) -> None:
    plans = [v.plan for v in PlanVersion.objects.filter(**IN_CARE)]
    intakes = [i.data for i in Intake.objects.filter(episode__closed__isnull=True)]
    assert {"acute", "subacute", "chronic"} <= {p["phase"] for p in plans}
    assert Counter(p["triage"]["disposition"] for p in plans) == {
        "proceed": 10, "emergency": 1, "urgent_referral": 1}  # fmt: skip
    conditions = {c for i in intakes for c in i["conditions"]}
    assert {"anticoagulant_therapy", "pregnancy", "chronic_kidney_disease"} <= conditions
    preferences = [i["preferences"] for i in intakes]
    assert any({"needles", "medication"} <= set(p["avoid"]) for p in preferences)
    assert any(p.get("budget") == "low" and p.get("max_sessions_per_week") for p in preferences)


def test_red_flag_cases_have_a_draft_without_treatment_and_no_diary(demo: None) -> None:
    for version in PlanVersion.objects.exclude(plan__triage__disposition="proceed"):
        assert version.status == "draft"
        assert not DiaryEntry.objects.filter(episode=version.episode).exists()
    emergency = PlanVersion.objects.get(plan__triage__disposition="emergency", **IN_CARE)
    assert emergency.plan["recommended"] == []


def test_the_diary_of_each_published_plan_spans_twelve_weeks(demo: None) -> None:
    today = timezone.localdate()
    published = PlanVersion.objects.filter(status="published", **IN_CARE).select_related("episode")
    assert published.count() == 10
    for version in published:
        diary = DiaryEntry.objects.filter(episode=version.episode)
        days = sorted(diary.filter(kind="nrs").values_list("on", flat=True))
        assert (days[0], days[-1]) == (today - dt.timedelta(weeks=12), today)
        assert len(days) >= 60  # daily, with a few missed days
        assert diary.filter(kind="peg").count() == 13  # weekly, baseline included
        assert diary.filter(kind__in=["odi", "rmdq"]).count() == 3  # baseline, 6 and 12 weeks
        assert diary.filter(kind="session").exists()


def test_diary_scores_are_computed_by_the_instruments(demo: None) -> None:
    for entry in DiaryEntry.objects.filter(kind__in=["peg", "odi", "rmdq"]):
        result = instruments.score(entry.kind, entry.answers).to_dict()
        expected = {"peg": "mean", "odi": "percent", "rmdq": "total"}[entry.kind]
        assert entry.value == pytest.approx(result[expected])


def test_one_demo_patient_reports_an_adverse_event_of_a_planned_treatment(demo: None) -> None:
    event = DiaryEntry.objects.get(kind="adverse_event", episode__closed__isnull=True)
    plan = event.episode.plan_versions.get().plan
    assert event.treatment in {r["treatment"] for r in plan["recommended"]}


def test_the_demo_diary_is_the_same_every_time(demo: None) -> None:
    case = next(c for c in CASES if c.key == "chronic")
    plan = PlanVersion.objects.get(episode__patient__family_name=case.family_name).document
    start = dt.date(2026, 1, 5)
    assert build_diary(case, plan, start) == build_diary(case, plan, start)


def test_seeding_is_recorded_in_the_audit_trail(demo: None) -> None:
    assert AuditEvent.objects.filter(action="create", object_type="Patient").count() == 12


EXERCISE_ITEMS = {"physical_therapy", "general_exercise", "yoga", "pilates", "tai_chi"}


def test_every_published_plan_with_exercise_carries_a_program_and_weeks_of_its_log(
    demo: None,
) -> None:
    today = timezone.localdate()
    with_program = 0
    for version in PlanVersion.objects.filter(status="published", **IN_CARE):
        if not EXERCISE_ITEMS & {r["treatment"] for r in version.plan["recommended"]}:
            continue
        program = HomeProgram.model_validate(version.plan["home_program"])
        with_program += 1
        rows = ExerciseLog.objects.filter(episode=version.episode, version=version)
        days = sorted(set(rows.values_list("on", flat=True)))
        assert days[0] == today - dt.timedelta(days=EXERCISE_DAYS) and days[-1] < today
        outcomes = Counter(rows.values_list("outcome", flat=True))
        assert outcomes["too_painful"] == 1 and outcomes["skipped"] >= 1
        assert outcomes["done"] > 3 * outcomes["skipped"]
        for row in rows:
            item = program.find(row.exercise)
            assert item is not None and item.due_on(row.on)
    assert with_program >= 8


def test_the_demo_patient_sees_an_illustrated_program_and_the_review_suggests_progress(
    demo: None,
) -> None:
    patient = Patient.objects.get(user__username="patient")
    version = patient.episodes.get().plan_versions.get()
    program = HomeProgram.model_validate(version.plan["home_program"])
    assert 3 <= len(program.exercises) <= 5
    assert {e.exercise for e in program.exercises} <= set(figure_ids())
    clinician = Client()
    clinician.force_login(User.objects.get(username="clinician"))
    page = clinician.get(f"/plans/episode/{version.episode.pk}/review/").content.decode()
    assert "Home exercises" in page and "Progress to the next step" in page
    own = Client()
    own.force_login(User.objects.get(username="patient"))
    mine = html.unescape(own.get("/me/plan/").content.decode())  # the patient's side
    assert mine.count('role="img"') >= len(program.exercises)
    assert all(e.name in mine for e in program.exercises)


def test_the_demo_exercise_log_is_mostly_done_on_due_days_with_one_painful_day() -> None:
    case = next(c for c in CASES if c.key == "chronic")
    program = home_program(("walking", "bird_dog", "hip_hinge"))  # hip hinge: 3 a week
    today = dt.date(2026, 3, 2)
    log = build_exercise_log(case, program, today)
    assert log == build_exercise_log(case, program, today)  # the same every time
    assert min(e.on for e in log) == today - dt.timedelta(days=EXERCISE_DAYS)
    assert max(e.on for e in log) == today - dt.timedelta(days=1)  # today is left to tap
    for entry in log:
        item = program.find(entry.exercise)
        assert item is not None and item.due_on(entry.on)
    outcomes = Counter(e.outcome for e in log)
    assert outcomes["too_painful"] == 1 and 0 < outcomes["skipped"] < outcomes["done"] / 3
    assert len({e.on for e in log if e.exercise == "hip_hinge"}) < EXERCISE_DAYS / 2
    assert build_exercise_log(case, None, today) == []


def test_the_demo_shows_an_open_alert_that_was_emailed_to_the_responsible_clinician(
    demo: None,
) -> None:
    alert = Alert.objects.get()
    assert alert.is_open and alert.urgency == "urgent" and alert.origin == "exercise_log"
    assert alert.patient is not None and alert.patient.family_name == "Green"
    assert alert.emailed_to == "clinician@backpath-demo.invalid"
    client = Client()
    client.force_login(User.objects.get(username="clinician"))
    listing = client.get(reverse("patients:list")).content.decode()
    assert "Open alerts (1)" in listing and "Green, David" in listing


def test_the_past_year_gives_the_dashboard_closed_episodes_and_a_fitted_model(
    demo: None,
) -> None:
    past = Episode.objects.filter(closed__isnull=False)
    assert past.count() == HISTORY_EPISODES + RED_FLAG_EPISODES
    assert all(e.closed <= timezone.localdate() for e in past)
    assert not DiaryEntry.objects.filter(episode__closed__isnull=False,
                                         on__gt=models.F("episode__closed")).exists()  # fmt: skip
    fit = CaseMixFit.objects.get(clinic__name=DEMO_CLINIC)
    assert fit.model is not None and fit.episodes >= 100
    lead = Client()
    lead.force_login(User.objects.get(username="lead"))
    today = timezone.localdate()
    since = today - dt.timedelta(days=450)
    page = lead.get(reverse("outcomes:dashboard"), {"start": since, "end": today})
    page = page.content.decode()
    assert "in line with case mix" in page and "Withheld" not in page.split("Clinician")[0]
    assert EpisodeOutcome.objects.filter(responder=True).count() > 20
    assert EpisodeOutcome.objects.filter(responder=False).count() > 20
    assert EpisodeOutcome.objects.filter(red_flag_referral=True).count() >= 5


def test_the_past_year_is_the_same_every_time() -> None:
    today = dt.date(2026, 3, 2)
    assert past_episodes(today) == past_episodes(today)
    names = {(p.case.given_name, p.case.family_name) for p in past_episodes(today)}
    assert len(names) == HISTORY_EPISODES + RED_FLAG_EPISODES
    assert not names & {(c.given_name, c.family_name) for c in CASES}
