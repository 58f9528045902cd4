"""The demo clinic: exactly its accounts and twelve patients, idempotent, contract-valid plans
and twelve weeks of diary scored by the instruments."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from io import StringIO
from typing import Any

import jsonschema
import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from backpath import contract, instruments
from backpath.web.accounts.models import Clinic, User
from backpath.web.audit.models import AuditEvent
from backpath.web.demo import CASES, DEMO_CLINIC, DEMO_PASSWORD, OTHER_CLINIC, build_demo
from backpath.web.demo.diary import build_diary
from backpath.web.diary.models import DiaryEntry
from backpath.web.patients.models import Episode, Intake, Patient
from backpath.web.plans.models import PlanChange, PlanVersion

ACCOUNTS = {"clinician": "clinician", "lead": "lead", "clinician2": "clinician",
            "riverside": "clinician", "patient": "patient"}  # fmt: skip
MODELS = (Clinic, User, Patient, Episode, Intake, PlanVersion, PlanChange, DiaryEntry)


@pytest.fixture
def demo(db: Any) -> None:
    build_demo()


def counts() -> dict[str, int]:
    return {m.__name__: m.objects.count() for m in MODELS}


def test_the_demo_creates_exactly_its_accounts_and_twelve_patients(demo: None) -> None:
    assert dict(User.objects.values_list("username", "role")) == ACCOUNTS
    assert set(Clinic.objects.values_list("name", flat=True)) == {DEMO_CLINIC, OTHER_CLINIC}
    assert Patient.objects.filter(clinic__name=DEMO_CLINIC).count() == 12
    assert Patient.objects.count() == 12
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
    assert Patient.objects.visible_to(User.objects.get(username="clinician2")).count() == 12


def test_every_demo_plan_and_intake_validates_against_the_contract(demo: None) -> None:
    for version in PlanVersion.objects.select_related("episode__intake"):
        jsonschema.validate(version.plan, contract.schema("plan"))
        intake = {"schema": "backpath.intake/1", **version.episode.intake.data}
        jsonschema.validate(intake, contract.schema("intake"))
        assert version.episode.intake.completed is not None


def test_the_demo_covers_every_kind_of_case(demo: None) -> None:
    plans = [v.plan for v in PlanVersion.objects.all()]
    intakes = [i.data for i in Intake.objects.all()]
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
    emergency = PlanVersion.objects.get(plan__triage__disposition="emergency")
    assert emergency.plan["recommended"] == []


def test_the_diary_of_each_published_plan_spans_twelve_weeks(demo: None) -> None:
    today = timezone.localdate()
    published = PlanVersion.objects.filter(status="published").select_related("episode")
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
    event = DiaryEntry.objects.get(kind="adverse_event")
    plan = event.episode.plan_versions.get().plan
    assert event.treatment in {r["treatment"] for r in plan["recommended"]}


def test_the_demo_diary_is_the_same_every_time(demo: None) -> None:
    case = next(c for c in CASES if c.key == "chronic")
    plan = PlanVersion.objects.get(episode__patient__family_name=case.family_name).plan
    start = dt.date(2026, 1, 5)
    assert build_diary(case, plan, start) == build_diary(case, plan, start)


def test_seeding_is_recorded_in_the_audit_trail(demo: None) -> None:
    assert AuditEvent.objects.filter(action="create", object_type="Patient").count() == 12


def test_the_seed_command_prints_the_logins(db: Any) -> None:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    text = out.getvalue()
    assert "12 patients created" in text
    assert all(username in text for username in ACCOUNTS) and DEMO_PASSWORD in text
