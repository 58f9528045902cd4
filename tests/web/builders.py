"""Builders shared by the web and browser tests: users and clients, intakes, plan versions,
home programs, diary records and reminder settings.

One copy of each, so that test modules import from here and never from each other (a test
module that imports another runs that module's tests' set-up twice and hides which builder a
test relies on). Fixtures stay in ``conftest.py``; plain functions live here.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.core.mail.backends import filebased
from django.core.mail.backends.base import BaseEmailBackend
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from backpath import contract
from backpath.engine import assess_and_plan
from backpath.engine.program_models import HomeProgram, ProgramExercise, WalkingGoal
from backpath.exercises import load_exercises
from backpath.web.accounts.models import Clinic, Role, User
from backpath.web.diary.models import DiaryEntry, ExerciseLog
from backpath.web.patients.models import Episode, Intake, Patient
from backpath.web.plans.models import PlanVersion
from backpath.web.reminders.models import ReminderPreference

PASSWORD = "correct-horse-battery-9"
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

NO_FLAGS = dict.fromkeys(contract.red_flag_ids(), False)
"""The red-flag screen answered "no" throughout, as an intake document holds it."""
NO_FLAGS_FORM = dict.fromkeys(contract.red_flag_ids(), "no")
"""The same answers as the clinic's intake form posts them."""

DAILY = ("bird_dog", "glute_bridge", "cat_camel")
WEEKLY = "hip_hinge"
"""An exercise done 3 times a week: Monday, Wednesday and Friday."""
PROGRAM = ("walking", "bird_dog", "glute_bridge")
"""The program ``give_program`` puts into a clinician's plan by default."""
PUBLISHED = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)
"""A Monday morning, for tests that depend on the weekday a plan was published."""

WALK_NOW = "Walk for 10 minutes twice today, at an easy pace."
WALK_GOAL = "Build up to 30 minutes of walking, 5 days a week."


# --- people -------------------------------------------------------------------------------


def make_user(username: str, role: str, clinic: Clinic | None) -> User:
    return User.objects.create_user(username=username, password=PASSWORD, role=role, clinic=clinic)


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def second_patient(clinic: Any) -> Patient:
    """Another patient of the same clinic, with a login and an open episode."""
    user = make_user("patient2", Role.PATIENT, clinic)
    other = Patient.objects.create(
        clinic=clinic, given_name="Bram", family_name="Kestrel", birth_year=1980, user=user
    )
    episode = Episode.objects.create(patient=other)
    Intake.objects.create(episode=episode)
    return other


# --- intakes and plans ----------------------------------------------------------------------


def complete_intake(
    client: Client,
    episode: Episode,
    red_flags: dict[str, str] | None = None,
    conditions: Sequence[str] = ("anticoagulant_therapy",),
) -> Any:
    """Fill in every step of the clinic's intake form and make the plan: chronic, on an
    anticoagulant (or with ``conditions``), avoiding needles, at most 2 sessions a week.
    Returns the final response."""
    steps: dict[str, dict[str, Any]] = {
        "person": {"pregnant": "", "weight_kg": "70", "height_cm": "170"},
        "episode": {
            "duration_weeks": "20",
            "region": "low_back",
            "leg_pain": "none",
            "suspected_cause": "nonspecific",
            "prior_episodes": "1",
        },
        "pain": {"nrs_now": "6", "nrs_week_average": "5"},
        "red_flags": red_flags or NO_FLAGS_FORM,
        "questionnaires": {f"startback_{i}": v for i, v in enumerate("101011013")},
        "conditions": {"conditions": list(conditions)},
        "preferences": {"avoid": ["needles"], "max_sessions_per_week": "2", "budget": "medium"},
    }
    for step, data in steps.items():
        response = client.post(reverse("patients:intake", args=[episode.pk, step]), data)
        assert response.status_code == 302, (step, response.content[:2000])
    prior = {
        "prior-TOTAL_FORMS": "4",
        "prior-INITIAL_FORMS": "0",
        "prior-MIN_NUM_FORMS": "4",
        "prior-MAX_NUM_FORMS": "10",
    }
    for i in range(4):
        prior |= {f"prior-{i}-treatment": "", f"prior-{i}-weeks": "", f"prior-{i}-response": ""}
    url = reverse("patients:intake", args=[episode.pk, "prior_treatments"])
    assert client.post(url, prior).status_code == 302
    return client.post(
        reverse("patients:intake_review", args=[episode.pk]), {"profile": "consensus"}
    )


def chronic_intake(**changes: Any) -> dict[str, Any]:
    """The chronic example intake (screened: no red flags), with ``changes`` applied."""
    data: dict[str, Any] = json.loads((EXAMPLES / "chronic_low_back_pain.json").read_text())
    data["red_flags"] = dict(NO_FLAGS)
    data.update(changes)
    return data


def plan_version(
    episode: Episode,
    status: str = PlanVersion.Status.PUBLISHED,
    intake: dict[str, Any] | None = None,
    weeks_ago: float = 0,
) -> PlanVersion:
    """A plan built by the engine and stored as a version, published ``weeks_ago`` weeks ago."""
    plan = assess_and_plan(intake or chronic_intake()).to_json_dict()
    number = episode.plan_versions.count() + 1
    published = None
    if status == PlanVersion.Status.PUBLISHED:
        published = timezone.now() - dt.timedelta(weeks=weeks_ago)
    return PlanVersion.objects.create(
        episode=episode, number=number, plan=plan, status=status, published=published
    )


def plan_without_program(episode: Episode, **kwargs: Any) -> PlanVersion:
    """``plan_version`` with the home program taken out: a plan with no exercise-based item."""
    version = plan_version(episode, **kwargs)
    version.plan.pop("home_program", None)
    version.save()
    return version


def latest(episode: Episode) -> PlanVersion:
    return episode.plan_versions.order_by("-number").first()  # type: ignore[return-value]


# --- home programs --------------------------------------------------------------------------


def program_item(exercise: str, level: int = 0) -> ProgramExercise:
    """A library exercise prescribed at ``level`` with its usual dose."""
    ex = load_exercises()[exercise]
    return ProgramExercise(
        exercise=exercise,
        name=ex.name,
        level=level,
        dose=ex.dose,
        why=f"Chosen for you: {ex.summary}",
        precautions=tuple(ex.precautions),
        stop_rules=tuple(ex.stop_rules),
        sources=tuple(ex.dose_sources),
    )


def home_program(
    exercises: tuple[str, ...] = (*DAILY, WEEKLY),
    treatments: tuple[str, ...] = ("physical_therapy", "general_exercise"),
) -> HomeProgram:
    """A home program of ``exercises`` with a walking goal (``WALK_NOW`` / ``WALK_GOAL``)."""
    return HomeProgram(
        treatments=treatments,
        exercises=tuple(program_item(e) for e in exercises),
        walking_goal=WalkingGoal(
            now=WALK_NOW,
            minutes=30,
            per_week=5,
            by_week=26,
            text=WALK_GOAL,
            sources=("pocovi2024_walkback",),
        ),
    )


def with_program(
    episode: Episode,
    program: HomeProgram | None = None,
    status: str = PlanVersion.Status.PUBLISHED,
    weeks_ago: float = 0,
    published: dt.datetime | None = None,
) -> PlanVersion:
    """A new plan version (engine plan) carrying ``program`` as its home program; published
    ``weeks_ago`` weeks ago, or at ``published`` when given."""
    version = plan_version(episode, status=status, weeks_ago=weeks_ago)
    version.plan = {
        **version.plan,
        "home_program": (program or home_program()).model_dump(mode="json"),
    }
    if published is not None:
        version.published = published
    version.save(update_fields=["plan", "published"])
    return version


def give_program(episode: Episode, program: HomeProgram | None = None) -> PlanVersion:
    """Put ``program`` (default: ``PROGRAM``) into the episode's latest version, as the plan
    pages store it."""
    version = latest(episode)
    version.plan = version.document.with_program(program or home_program(PROGRAM)).to_json_dict()
    version.save(update_fields=["plan"])
    return version


# --- the patient's records ------------------------------------------------------------------


def today() -> dt.date:
    return timezone.localdate()


def days_ago(n: int) -> dt.date:
    return today() - dt.timedelta(days=n)


def add_entry(patient: Patient, kind: str, days: int, value: float, **extra: Any) -> DiaryEntry:
    """A diary entry of ``kind`` made ``days`` days ago in the current episode."""
    return DiaryEntry.objects.create(
        patient=patient,
        episode=patient.current_episode(),
        kind=kind,
        value=value,
        on=days_ago(days),
        **extra,
    )


def log_exercise(
    episode: Episode, exercise: str, days: int, outcome: str, stop_rule: str = ""
) -> ExerciseLog:
    """An exercise log ``days`` days ago, written directly (not through the page)."""
    return ExerciseLog.objects.create(
        patient=episode.patient,
        episode=episode,
        on=days_ago(days),
        exercise=exercise,
        outcome=outcome,
        stop_rule=stop_rule,
    )


def tap(client: Client, exercise: str, outcome: str, on: dt.date | None = None, **more: Any) -> Any:
    """Log an exercise from the Today page, as the patient's tap posts it."""
    data = {"on": (on or today()).isoformat(), "exercise": exercise, "outcome": outcome, **more}
    return client.post(reverse("care:log_exercise"), data)


def opt_in(patient: Patient, **fields: Any) -> ReminderPreference:
    """Reminders turned on (by email at 8:00 unless ``fields`` say otherwise)."""
    values = {"enabled": True, "email": "ada@example.org", "hour": 8} | fields
    return ReminderPreference.objects.create(patient=patient, **values)


def ready(patient: Patient, **fields: Any) -> ReminderPreference:
    """A patient with a home program published on ``PUBLISHED`` who turned reminders on."""
    with_program(patient.current_episode(), published=PUBLISHED)
    return opt_in(patient, **fields)


class BrokenMail(BaseEmailBackend):
    """A mail server that is down (``override_settings(EMAIL_BACKEND=BROKEN_MAIL)``)."""

    def send_messages(self, email_messages: Any) -> int:
        raise ConnectionRefusedError("connection refused by smtp.example.org:25")


BROKEN_MAIL = f"{__name__}.BrokenMail"


class SlowFileMail(filebased.EmailBackend):
    """A mail server that takes ``BACKPATH_TEST_MAIL_SECONDS`` to accept each message: before
    sending it writes ``sending-<pid>`` into the mail folder, so a test can kill the worker
    while a send is under way (and before anything was written)."""

    def send_messages(self, email_messages: Any) -> int:
        folder = Path(str(self.file_path))
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"sending-{os.getpid()}").write_text("sending")
        time.sleep(float(os.environ.get("BACKPATH_TEST_MAIL_SECONDS", "2")))
        (folder / f"sending-{os.getpid()}").unlink(missing_ok=True)
        return int(super().send_messages(email_messages))


SLOW_MAIL = f"{__name__}.SlowFileMail"


# --- printouts ------------------------------------------------------------------------------


def pdf_text(pdf: bytes) -> str:
    """The PDF's text by ``pdftotext`` when installed; else its metadata and every inflated
    stream (WeasyPrint writes the page's description, the disclaimer, as the PDF subject)."""
    if shutil.which("pdftotext"):
        out = subprocess.run(
            ["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True
        ).stdout
        return " ".join(out.decode().split())
    parts = [pdf]
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            parts.append(zlib.decompress(stream))
        except zlib.error:
            continue
    return b" ".join(parts).decode("latin-1")


def pdf_pages_filled(pdf: bytes, footer: float = 0.12) -> list[float]:
    """For each page, how far down its content reaches, as a share of the page above the
    running footer (poppler's ``pdftoppm`` draws each page in grey at low resolution): a
    page whose content stops a fifth of the way down is mostly white."""
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run(["pdftoppm", "-r", "24", "-gray", "-", f"{folder}/p"], input=pdf,
                       check=True, capture_output=True)  # fmt: skip
        shares = []
        for path in sorted(Path(folder).glob("p*.pgm")):
            data = path.read_bytes()
            magic, width, height, _, pixels = data.split(maxsplit=4)
            assert magic == b"P5"
            w, h = int(width), int(height)
            body = int(h * (1 - footer))
            inked = [y for y in range(body) if min(pixels[y * w : (y + 1) * w]) < 160]
            shares.append((inked[-1] + 1) / body if inked else 0.0)
    return shares


# --- periodic jobs ------------------------------------------------------------------------

JOB_RUNS: list[dt.datetime] = []
"""The due times ``count_job`` ran for (a periodic job for the scheduler's tests)."""


def count_job(due: dt.datetime) -> str:
    JOB_RUNS.append(due)
    return f"run {len(JOB_RUNS)}"


# --- closed episodes, for the outcome dashboard ------------------------------------------------


def closed_episode(
    clinic: Clinic,
    clinician: User | None,
    name: str,
    *,
    last_odi: float,
    closed_days_ago: int = 30,
    length: int = 84,
    intake: dict[str, Any] | None = None,
) -> Episode:
    """A patient whose episode (the chronic example's plan, published on the first day; its
    Oswestry baseline is 38%) closed ``closed_days_ago`` days ago, ``length`` days after it
    opened, with a last Oswestry score of ``last_odi`` on the day it closed."""
    closed = days_ago(closed_days_ago)
    opened = closed - dt.timedelta(days=length)
    patient = Patient.objects.create(clinic=clinic, given_name=name, family_name="Test",
                                     birth_year=1970, created_by=clinician)  # fmt: skip
    episode = Episode.objects.create(patient=patient, opened=opened, closed=closed,
                                     clinician=clinician)  # fmt: skip
    data = intake or chronic_intake()
    Intake.objects.create(episode=episode, data={k: v for k, v in data.items() if k != "schema"})
    plan = assess_and_plan(data).to_json_dict()
    PlanVersion.objects.create(
        episode=episode, number=1, plan=plan, status=PlanVersion.Status.PUBLISHED,
        published=timezone.make_aware(dt.datetime.combine(opened, dt.time(11))),
    )  # fmt: skip
    DiaryEntry.objects.create(patient=patient, episode=episode, kind="odi", value=last_odi,
                              on=closed)  # fmt: skip
    return episode
