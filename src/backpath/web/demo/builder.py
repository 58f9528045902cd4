"""Build the demo clinic in the database, idempotently: a second run adds nothing.

Accounts are matched by username (their demo password and clinic are set again and any
login lockout is lifted, so the printed logins always work); patients by clinic and name
(an existing one is left as it is).
Plans come from the engine, exactly as the intake review page makes them; a published plan
with a home program gets the last weeks of its exercise log. A case that reported a stop sign
there has the open alert the writer raises for it (and its email, in the mail folder). Staff
accounts get an address at the reserved ``.invalid`` domain, so alert emails have a recipient.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any, NamedTuple

from axes.utils import reset as reset_lockouts
from django.db import transaction
from django.utils import timezone

from backpath.engine import assess, make_plan, parse_intake
from backpath.web.accounts.models import STAFF_ROLES, Clinic, User
from backpath.web.audit.models import AuditEvent
from backpath.web.demo.cases import ACCOUNTS, CASES, DEMO_PASSWORD, DemoAccount, DemoCase
from backpath.web.demo.diary import DAYS, baseline_answers, build_diary, build_exercise_log
from backpath.web.demo.history import PastEpisode, past_episodes
from backpath.web.diary.alerting import exercise_alert
from backpath.web.diary.models import DiaryEntry, ExerciseLog
from backpath.web.outcomes.aggregation import refresh_clinic
from backpath.web.patients.intake_forms import STEP_IDS
from backpath.web.patients.models import Episode, Intake, Patient
from backpath.web.plans import versions
from backpath.web.plans.models import PlanChange, PlanVersion

SEEDED_BY = "demo seed"
DEMO_MAIL_DOMAIN = "backpath-demo.invalid"
DEMO_PHONE = "020 7946 0123"  # from the UK's range kept for drama: rings no one


@dataclass(frozen=True)
class DemoResult:
    patients_created: int
    patients_existing: int
    accounts: tuple[DemoAccount, ...]


def intake_document(case: DemoCase) -> dict[str, Any]:
    """The case's complete ``backpath.intake/1`` document, questionnaires included."""
    disability, peg = baseline_answers(case)
    parts = case.intake_parts()
    parts["questionnaires"] |= {case.disability[0]: disability, "peg": peg}
    return {"schema": "backpath.intake/1", **parts}


def login_lines(result: DemoResult) -> list[str]:
    """How to sign in, one account per line."""
    width = max(len(a.username) for a in result.accounts)
    return [f"  {a.username:<{width}}  {DEMO_PASSWORD}   {a.note}" for a in result.accounts]


def build_demo(today: dt.date | None = None) -> DemoResult:
    """Create what is missing of the demo clinic; the diary of each case ends on ``today``."""
    today = today or timezone.localdate()
    with transaction.atomic():
        clinics = {name: Clinic.objects.get_or_create(name=name, defaults={"phone": DEMO_PHONE})[0]
                   for name in sorted({a.clinic for a in ACCOUNTS})}  # fmt: skip
        users = {a.username: _account(a, clinics[a.clinic]) for a in ACCOUNTS}
        created = 0
        for case in CASES:
            clinic = users[case.created_by].clinic
            if Patient.objects.filter(clinic=clinic, given_name=case.given_name,
                                      family_name=case.family_name).exists():  # fmt: skip
                continue
            _patient(case, clinic, users, today)
            created += 1
        for past in past_episodes(today):
            clinic = users[past.clinician].clinic
            if not Patient.objects.filter(clinic=clinic, given_name=past.case.given_name,
                                          family_name=past.case.family_name).exists():  # fmt: skip
                _past_patient(past, clinic, users)
    for clinic in clinics.values():  # the dashboard has figures from the first start
        refresh_clinic(clinic.pk, today)
    return DemoResult(created, len(CASES) - created, ACCOUNTS)


def _account(account: DemoAccount, clinic: Clinic) -> User:
    user = User.objects.filter(username=account.username).first() or User(username=account.username)
    user.role, user.clinic, user.is_active = account.role, clinic, True
    user.first_name, user.last_name = account.first_name, account.last_name
    if account.role in {str(r) for r in STAFF_ROLES}:
        user.email = f"{account.username}@{DEMO_MAIL_DOMAIN}"
    user.set_password(DEMO_PASSWORD)
    user.save()
    reset_lockouts(username=account.username)
    return user


def _at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


class _Started(NamedTuple):
    patient: Patient
    episode: Episode
    plan: Any
    version: PlanVersion


def _start(case: DemoCase, clinic: Clinic, author: User, opened: dt.date,
           closed: dt.date | None = None, login: User | None = None) -> _Started:  # fmt: skip
    """The case's patient, an episode opened on ``opened`` with its completed intake, and the
    engine's plan as version 1 (published that day unless the case is not), back-dated so the
    story reads in order."""
    patient = Patient.objects.create(
        clinic=clinic, given_name=case.given_name, family_name=case.family_name,
        birth_year=opened.year - case.age, sex=case.sex, user=login, created_by=author,
    )  # fmt: skip
    episode = Episode.objects.create(patient=patient, opened=opened, closed=closed,
                                     title=case.summary, clinician=author)  # fmt: skip
    document = intake_document(case)
    plan = make_plan(assess(parse_intake(document)))
    Intake.objects.create(
        episode=episode, data={k: v for k, v in document.items() if k != "schema"},
        completed_steps=list(STEP_IDS), completed=_at(opened, 9),
    )  # fmt: skip
    version = versions.create_version(
        episode, plan.to_json_dict(), user=author, summary="Generated from the intake.",
        status=PlanVersion.Status.PUBLISHED if case.published else PlanVersion.Status.DRAFT,
        published=_at(opened, 11) if case.published else None,
    )  # fmt: skip
    Patient.objects.filter(pk=patient.pk).update(created=_at(opened, 8))
    PlanVersion.objects.filter(pk=version.pk).update(created=_at(opened, 10))
    return _Started(patient, episode, plan, version)


def _patient(case: DemoCase, clinic: Clinic, users: dict[str, User], today: dt.date) -> None:
    start = today - dt.timedelta(days=DAYS)
    author = users[case.created_by]
    login = users[case.login] if case.login else None
    started = _start(case, clinic, author, start, login=login)
    patient, episode, plan, version = (
        started.patient,
        started.episode,
        started.plan,
        started.version,
    )
    if case.published:
        PlanChange.objects.create(version=version, action=PlanChange.Action.PUBLISH,
                                  reason="Discussed with the patient and published.",
                                  created_by=author)  # fmt: skip
        DiaryEntry.objects.bulk_create(
            DiaryEntry(patient=patient, episode=episode, created_by=login, **e.fields())
            for e in build_diary(case, plan, start)
        )
        ExerciseLog.objects.bulk_create(
            ExerciseLog(patient=patient, episode=episode, version=version, created_by=login,
                        **e.fields())
            for e in build_exercise_log(case, plan.home_program, today)
        )  # fmt: skip
        program = plan.home_program
        for log in ExerciseLog.objects.filter(episode=episode).exclude(stop_rule=""):
            item = program.find(log.exercise) if program else None
            exercise_alert(None, log, item.name if item else log.exercise)
            patient.alerts.filter(key__startswith=f"exercise_log:{log.pk}:").update(
                created=_at(log.on, 19)
            )
    AuditEvent.objects.create(
        username=SEEDED_BY, clinic=clinic, action="create", object_type="Patient",
        object_id=str(patient.pk), patient=patient, detail="demo data built by backpath demo",
    )  # fmt: skip


def _past_patient(past: PastEpisode, clinic: Clinic, users: dict[str, User]) -> None:
    """One closed episode of the demo's past year: intake, plan, diary and exercise log up
    to the day it closed."""
    case = past.case
    started = _start(case, clinic, users[past.clinician], past.opened, past.closed)
    patient, episode, plan, version = (
        started.patient,
        started.episode,
        started.plan,
        started.version,
    )
    if not case.published:  # referred on for red flags the day they came
        return
    DiaryEntry.objects.bulk_create(
        DiaryEntry(patient=patient, episode=episode, **e.fields())
        for e in build_diary(case, plan, past.opened)
        if e.on <= past.closed
    )
    program = plan.home_program
    if program is None:
        return
    rng = random.Random(f"backpath-demo/{case.key}/exercises")
    logs = []
    day = past.opened + dt.timedelta(days=1)
    while day <= past.closed:
        for item in program.due_on(day):
            if rng.random() < past.adherence:
                logs.append(ExerciseLog(patient=patient, episode=episode, version=version,
                                        on=day, exercise=item.exercise,
                                        outcome="done"))  # fmt: skip
        day += dt.timedelta(days=1)
    ExerciseLog.objects.bulk_create(logs)
