"""Scale benchmark: a generated health system in PostgreSQL, and what a clinic's day costs in it.

    .venv/bin/python bench/scale.py [--clinics 50] [--patients 100000] [--diary-per-patient 50]
        [--logs-per-patient 10] [--samples 60] [--emails 1000] [--keep]

By default it loads 50 clinics, 100,000 patients (one episode, intake and published plan
each), 5 million diary rows, 1 million exercise-log rows and each episode's outcome row, with
bulk ``COPY`` into a database of its own (DATABASE_URL, default
postgresql://postgres@127.0.0.1:5432/backpath_scale, dropped and made again unless --keep).
Then, in this process (Django's test client, no network), it prints p50/p99 of:

- the bare Django view (/healthz), the baseline every other figure is a multiple of;
- the outcome dashboard of the largest clinic's lead (each filter's first view draws its
  charts; repeat views use the cached drawing);
- the patient list's first page (the worklist) and a patient's record;
- the nightly outcomes job for one clinic (every episode recomputed from its diary);
- the queue's throughput: emails per second through the Redis backend (REDIS_URL, default
  database 11 of the local Redis) with 2 workers, against delivering the same emails inline;
- the plan PDF's render time per version.

A single clinic of 5,000 patients with a year of diary each (the worklist's target):

    .venv/bin/python bench/scale.py --clinics 1 --patients 5000 --diary-per-patient 365 \
        --logs-per-patient 120

Every loop is bounded in count and time; loopback only.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import os
import random
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = "postgresql://postgres@127.0.0.1:5432/backpath_scale"
DEFAULT_REDIS = "redis://127.0.0.1:6379/11"
CLINICIANS_PER_CLINIC = 9
TREATMENTS = ("physical_therapy", "general_exercise", "yoga", "spinal_manipulation", "cbt",
              "massage", "acupuncture", "heat", "nsaids", "education")  # fmt: skip
EXERCISES = ("walking", "bird_dog", "glute_bridge", "cat_camel", "hip_hinge", "knee_to_chest")


def recreate_database(url: str, keep: bool) -> bool:
    """Make the benchmark's own database; True when it was (re)made empty."""
    import psycopg

    parts = urllib.parse.urlparse(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if exists and keep:
            return False
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return True


def setup_django(url: str, redis: str, data_dir: str) -> dict[str, str]:
    env = {"DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "backpath.web.settings",
           "SECRET_KEY": secrets.token_urlsafe(50), "BACKPATH_SECURE": "0",
           "ALLOWED_HOSTS": "localhost", "BACKPATH_STAFF_MFA": "0", "REDIS_URL": redis,
           "BACKPATH_DATA_DIR": data_dir,
           "BACKPATH_DB_STATEMENT_TIMEOUT_MS": "600000"}  # fmt: skip
    os.environ.update(env)
    import django

    django.setup()
    return {**os.environ, **env}


# --- loading ------------------------------------------------------------------------------------


def copy_rows(model: Any, varying: list[str], rows: Iterable[tuple[Any, ...]],
              fixed: dict[str, Any] | None = None) -> int:  # fmt: skip
    """``COPY`` rows into ``model``'s table: ``varying`` columns (attnames) from each row, every
    other column from ``fixed`` or the field's default (JSON given as text)."""
    from django.db import connection

    fixed = dict(fixed or {})
    rest = []
    for field in model._meta.concrete_fields:
        if field.attname in varying or (field.primary_key and field.attname not in fixed):
            continue
        value = fixed[field.attname] if field.attname in fixed else field.get_default()
        if field.get_internal_type() == "JSONField" and not isinstance(value, str):
            value = json.dumps(value)
        rest.append((field.column, value))
    columns = [model._meta.get_field(n).column for n in varying] + [c for c, _ in rest]
    tail = tuple(v for _, v in rest)
    quoted = ", ".join(f'"{c}"' for c in columns)
    sql = f'COPY "{model._meta.db_table}" ({quoted}) FROM STDIN'
    count = 0
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row + tail)
            count += 1
    return count


def reset_sequences(*models: Any) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for model in models:
            table = model._meta.db_table
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                           f'(SELECT COALESCE(MAX(id), 1) FROM "{table}"))')  # fmt: skip


def plan_pool() -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """Plans the engine makes for the example intakes (plan JSON, intake, plan at a glance)."""
    from backpath.engine import assess_and_plan
    from backpath.web.plans.glance import glance_of

    pool = []
    for path in sorted((ROOT / "examples").glob("*.json")):
        intake = json.loads(path.read_text())
        plan = assess_and_plan(intake).to_json_dict()
        if plan["triage"]["disposition"] in ("proceed", "referral_with_plan"):
            data = {k: v for k, v in intake.items() if k != "schema"}
            at = dt.datetime(2026, 1, 5, tzinfo=dt.UTC)
            glance = glance_of((plan, "published"), (plan, at))
            glance["review_weeks"] = plan.get("review_in_weeks") or 6
            pool.append((json.dumps(plan), data, glance))
    return pool


@contextmanager
def step(label: str) -> Iterator[None]:
    start = time.perf_counter()
    yield
    print(f"  {label:<46} {time.perf_counter() - start:7.1f} s", flush=True)


def load(args: argparse.Namespace, today: dt.date) -> dict[str, Any]:
    from django.contrib.auth.hashers import make_password
    from django.db import connection
    from django.utils import timezone

    from backpath.web.accounts.models import Clinic, Role, User
    from backpath.web.alerts.models import Alert
    from backpath.web.diary.models import DiaryEntry, ExerciseLog
    from backpath.web.outcomes.models import EpisodeOutcome, EpisodeTreatment
    from backpath.web.patients.models import Episode, Intake, Patient
    from backpath.web.plans.models import PlanVersion

    rng = random.Random(2026)
    clinics_n, patients_n = args.clinics, args.patients
    diary_per, logs_per = args.diary_per_patient, args.logs_per_patient
    now = timezone.now()
    print(f"loading {clinics_n} clinics, {patients_n:,} patients, ~{patients_n * diary_per:,} "
          f"diary rows, ~{patients_n * logs_per:,} exercise logs")  # fmt: skip
    with step("clinics and staff (ORM)"):
        clinics = Clinic.objects.bulk_create(Clinic(name=f"Clinic {i + 1:02d}")
                                             for i in range(clinics_n))  # fmt: skip
        password = make_password(secrets.token_urlsafe(16))
        staff = []
        for c in clinics:
            staff.append(User(username=f"lead{c.pk}", role=Role.LEAD, clinic=c, password=password,
                              first_name="Lead", last_name=f"{c.pk}"))  # fmt: skip
            staff += [User(username=f"c{c.pk}-{k}", role=Role.CLINICIAN, clinic=c,
                           password=password, first_name="Clin", last_name=f"{c.pk}-{k}")
                      for k in range(CLINICIANS_PER_CLINIC)]  # fmt: skip
        User.objects.bulk_create(staff)
        by_clinic: dict[int, list[int]] = {}
        for pk, clinic_id in User.objects.filter(role=Role.CLINICIAN).values_list("pk", "clinic"):
            by_clinic.setdefault(clinic_id, []).append(pk)
    per_clinic = patients_n // clinics_n
    clinic_of = [clinics[min(i // per_clinic, clinics_n - 1)].pk for i in range(patients_n)]
    oldest = max(720, diary_per + 20)  # a diary entry a day at most
    opened = [today - dt.timedelta(days=rng.randint(20, oldest)) for _ in range(patients_n)]
    closed = [o + dt.timedelta(days=rng.randint(28, 120)) if rng.random() < 0.7 else None
              for o in opened]  # fmt: skip
    closed = [c if c is not None and c < today else None for c in closed]
    clinician = [rng.choice(by_clinic[clinic_of[i]]) for i in range(patients_n)]
    pool = plan_pool()
    with step("patients (COPY)"):
        copy_rows(Patient, ["id", "clinic_id", "given_name", "family_name", "birth_year", "sex",
                            "created", "created_by_id"],
                  ((i + 1, clinic_of[i], f"Given{i}", f"Family{i % 5000}",
                    rng.randint(1940, 2005), rng.choice(("female", "male")), now, clinician[i])
                   for i in range(patients_n)))  # fmt: skip
    with step("episodes and intakes (COPY)"):
        glance = [pool[i % len(pool)][2] for i in range(patients_n)]
        copy_rows(Episode, ["id", "patient_id", "opened", "closed", "clinician_id",
                            "plan_status", "disposition", "phase", "review_due",
                            "due_by_weekday"],
                  ((i + 1, i + 1, opened[i], closed[i], clinician[i], "published",
                    glance[i]["disposition"], glance[i]["phase"],
                    opened[i] + dt.timedelta(weeks=glance[i]["review_weeks"]),
                    json.dumps(glance[i]["due_by_weekday"]))
                   for i in range(patients_n)))  # fmt: skip
        copy_rows(Intake, ["id", "episode_id", "data", "completed"],
                  ((i + 1, i + 1, json.dumps(pool[i % len(pool)][1]), now)
                   for i in range(patients_n)), fixed={"updated": now})  # fmt: skip
    with step("published plans (COPY)"):
        copy_rows(PlanVersion, ["id", "episode_id", "plan", "created", "created_by_id",
                                "published"],
                  ((i + 1, i + 1, pool[i % len(pool)][0], now, clinician[i],
                    timezone.make_aware(dt.datetime.combine(opened[i], dt.time(11))))
                   for i in range(patients_n)),
                  fixed={"number": 1, "status": "published"})  # fmt: skip

    def diary() -> Iterator[tuple[Any, ...]]:
        for i in range(patients_n):
            start, end = opened[i], closed[i] or today
            span = max(1, (end - start).days)
            pain = rng.randint(4, 9)
            for k in range(diary_per):
                day = start + dt.timedelta(days=k * span // diary_per)
                if k % 10 == 5:
                    yield (i + 1, i + 1, day, "session", None, rng.choice(TREATMENTS), True)
                elif k % 16 == 0:
                    yield (i + 1, i + 1, day, "odi", float(max(0, 40 - k // 2)), "", None)
                elif k % 7 == 0:
                    yield (i + 1, i + 1, day, "peg", round(pain * 0.9, 1), "", None)
                else:
                    yield (i + 1, i + 1, day, "nrs", float(max(0, pain - k // 12)), "", None)

    with step("diary (COPY)"):
        rows = copy_rows(DiaryEntry, ["patient_id", "episode_id", "on", "kind", "value",
                                      "treatment", "attended"], diary(),
                         fixed={"created": now})  # fmt: skip

    def logs() -> Iterator[tuple[Any, ...]]:
        for i in range(patients_n):
            for k in range(logs_per):
                day = (closed[i] or today) - dt.timedelta(days=k // 2)  # the latest weeks
                yield (i + 1, i + 1, i + 1, day, EXERCISES[k % len(EXERCISES)],
                       "done" if rng.random() < 0.7 else "skipped")  # fmt: skip

    with step("exercise logs (COPY)"):
        log_rows = copy_rows(ExerciseLog, ["patient_id", "episode_id", "version_id", "on",
                                           "exercise", "outcome"], logs(),
                             fixed={"created": now, "updated": now})  # fmt: skip

    def outcomes() -> Iterator[tuple[Any, ...]]:
        for i in range(patients_n):
            severity = rng.uniform(0.1, 0.8)
            known = closed[i] is not None and rng.random() < 0.9
            responder = known and rng.random() < 0.85 - severity
            yield (i + 1, i + 1, i + 1, clinic_of[i], clinician[i], opened[i], closed[i],
                   rng.choice(("acute", "subacute", "chronic")),
                   rng.choice(("low", "medium", "high")), rng.randint(20, 85),
                   rng.choice((2.0, 8.0, 30.0)), "odi_percent", round(severity, 3),
                   responder if known else None, rng.randint(14, 84) if responder else None,
                   rng.randint(0, 12), rng.randint(0, 1) if rng.random() < 0.05 else 0,
                   (due := rng.randint(20, 60)), rng.randint(5, due), now)  # fmt: skip

    with step("episode outcomes (COPY)"):
        copy_rows(EpisodeOutcome, ["id", "episode_id", "patient_id", "clinic_id", "clinician_id",
                                   "opened", "closed", "phase", "startback", "age",
                                   "duration_weeks", "primary", "baseline_severity",
                                   "responder", "days_to_response", "sessions",
                                   "adverse_events", "exercises_due", "exercises_done",
                                   "computed"], outcomes(),
                  fixed={"baseline_done": True})  # fmt: skip
        copy_rows(EpisodeTreatment, ["outcome_id", "treatment", "in_plan", "sessions"],
                  ((i + 1, t, True, rng.randint(0, 8)) for i in range(patients_n)
                   for t in rng.sample(TREATMENTS, 3)))  # fmt: skip
    with step("open alerts, sequences, ANALYZE"):
        Alert.objects.bulk_create(
            Alert(clinic_id=clinic_of[i], patient_id=i + 1, origin="diary", urgency="urgent",
                  severity=2, reported="Pain much worse", advice="Contact the clinic today.",
                  key=f"bench:{i}")
            for i in range(0, patients_n, 200)
        )  # fmt: skip
        reset_sequences(Patient, Episode, Intake, PlanVersion, EpisodeOutcome)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return {"clinic": clinics[0].pk, "patients": patients_n, "diary": rows, "logs": log_rows,
            "first_patient": 1}  # fmt: skip


# --- measuring ----------------------------------------------------------------------------------


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def timed(get: Callable[[], Any], samples: int, seconds: float) -> list[float]:
    """Milliseconds per call, at most ``samples`` calls and about ``seconds`` seconds."""
    out: list[float] = []
    stop = time.perf_counter() + seconds
    while len(out) < samples and time.perf_counter() < stop:
        start = time.perf_counter()
        status = get()
        out.append((time.perf_counter() - start) * 1000)
        assert status == 200, status
    return out


def line(label: str, ms: list[float], base: float) -> None:
    p50, p99 = statistics.median(ms), pct(ms, 0.99)
    print(f"{label:<44} n={len(ms):>4}  p50 {p50:8.1f} ms  p99 {p99:8.1f} ms  "
          f"({p99 / base:6.0f}x the bare view's p99)")  # fmt: skip


def queue_throughput(env: dict[str, str], emails: int) -> tuple[float, float]:
    """Emails per second: inline ``deliver`` calls, then 2 RQ workers on Redis."""
    import django_rq
    from django.db import transaction

    from backpath.web.outbox import outbox
    from backpath.web.outbox.models import Email

    django_rq.get_connection("default").flushdb()
    run = secrets.token_hex(4)  # fresh keys: a kept database already holds earlier runs' emails
    start = time.perf_counter()
    for k in range(min(emails, 200)):
        email, _ = Email.objects.get_or_create(key=f"inline:{run}:{k}", defaults={
            "subject": "Bench", "body": "Inline delivery.", "to": ["a@bench.invalid"]})  # fmt: skip
        outbox.deliver.call(email.pk)
    inline = min(emails, 200) / (time.perf_counter() - start)
    workers = [subprocess.Popen([sys.executable, "-m", "backpath.web", "work"], env=env,
                                cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
               for _ in range(2)]  # fmt: skip
    try:
        outbox.queue(f"warm-up:{run}", "Bench", "Warm-up.", ["a@bench.invalid"])
        deadline = time.perf_counter() + 60
        while not Email.objects.filter(key=f"warm-up:{run}", sent__isnull=False).exists():
            assert time.perf_counter() < deadline, "the workers did not start"
            time.sleep(0.1)
        start = time.perf_counter()
        with transaction.atomic():
            for k in range(emails):
                outbox.queue(f"bench:{run}:{k}", "Bench", "Queued delivery.", ["a@bench.invalid"])
        deadline = time.perf_counter() + 300
        while Email.objects.filter(key__startswith=f"bench:{run}:", sent__isnull=True).exists():
            assert time.perf_counter() < deadline, "the queue did not drain in 5 minutes"
            time.sleep(0.05)
        queued = emails / (time.perf_counter() - start)
    finally:
        for w in workers:
            w.terminate()
        for w in workers:
            w.wait(timeout=30)
    return inline, queued


def page_count(pdf: bytes) -> str:
    """Pages, by poppler's pdfinfo when it is installed (``make chromium`` installs it)."""
    if shutil.which("pdfinfo") is None:
        return "?"
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=False).stdout
    found = re.search(rb"Pages:\s+(\d+)", info)
    return found.group(1).decode() if found else "?"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clinics", type=int, default=50)
    parser.add_argument("--patients", type=int, default=100_000)
    parser.add_argument("--diary-per-patient", type=int, default=50)
    parser.add_argument("--logs-per-patient", type=int, default=10)
    parser.add_argument("--samples", type=int, default=60)
    parser.add_argument("--emails", type=int, default=1000)
    parser.add_argument("--keep", action="store_true", help="reuse a database already loaded")
    parser.add_argument(
        "--no-nightly",
        action="store_true",
        help="skip timing the nightly outcomes job (with --keep)",
    )
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", DEFAULT_DB)
    fresh = recreate_database(url, args.keep)
    data_dir = tempfile.mkdtemp(prefix="backpath-scale-")
    env = setup_django(url, os.environ.get("REDIS_URL", DEFAULT_REDIS), data_dir)
    from django.core.management import call_command
    from django.test import Client

    from backpath.web.accounts.models import User
    from backpath.web.outcomes.aggregation import refit, refresh_clinic
    from backpath.web.plans.models import PlanVersion
    from backpath.web.plans.views import plan_pdf_bytes

    today = dt.date.today()
    logging.getLogger("weasyprint").setLevel(logging.ERROR)  # its CSS notes are not figures
    call_command("migrate", verbosity=0)
    if fresh:
        started = time.perf_counter()
        info = load(args, today)
        print(f"loaded in {time.perf_counter() - started:.0f} s: {info['diary']:,} diary rows, "
              f"{info['logs']:,} exercise logs")  # fmt: skip
    clinic = User.objects.filter(role="lead").order_by("clinic_id").first().clinic  # type: ignore[union-attr]
    from django.utils import timezone

    if not args.no_nightly:
        with step(f"nightly outcomes job, one clinic ({clinic.patients.count():,} patients)"):
            refresh_clinic(clinic.pk, today)
    with step("case-mix refit, every other clinic"):
        for other in User.objects.filter(role="lead").exclude(clinic=clinic):
            refit(other.clinic_id, timezone.now())  # type: ignore[arg-type]
    client = Client(HTTP_HOST="localhost")
    client.force_login(User.objects.get(clinic=clinic, role="lead"))
    patient_ids = list(clinic.patients.values_list("pk", flat=True)[:500])
    rng = random.Random(1)
    filters = [{"phase": p, "startback": s, "grain": g} for p in ("", "acute", "chronic")
               for s in ("", "low", "high") for g in ("month", "quarter")]  # fmt: skip
    warm = ("/healthz", "/patients/", f"/patients/{patient_ids[0]}/",
            "/outcomes/?phase=subacute")  # not among the timed filters  # fmt: skip
    for path in warm:  # a running server has imported its libraries already
        client.get(path)
    print(f"\nin-process timings (Django test client, PostgreSQL), {args.samples} samples each:")
    base_ms = timed(lambda: client.get("/healthz").status_code, args.samples * 5, 30)
    base = pct(base_ms, 0.99)
    line("bare Django view (/healthz)", base_ms, base)
    first = [timed(lambda f=f: client.get("/outcomes/", f).status_code, 1, 60)[0]  # type: ignore[misc]
             for f in filters]  # fmt: skip
    line(f"dashboard, first view of {len(filters)} filters", first, base)
    line("dashboard, repeat views",
         timed(lambda: client.get("/outcomes/", rng.choice(filters)).status_code, args.samples,
               60), base)  # fmt: skip
    line(
        "patient list, first page (worklist)",
        timed(lambda: client.get("/patients/").status_code, args.samples, 60),
        base,
    )
    line("patient record",
         timed(lambda: client.get(f"/patients/{rng.choice(patient_ids)}/").status_code,
               args.samples, 60), base)  # fmt: skip
    version = PlanVersion.objects.filter(episode__patient__clinic=clinic).first()
    assert version is not None
    pdf_ms = []
    for _ in range(3):
        start = time.perf_counter()
        pdf = plan_pdf_bytes(version)
        pages = page_count(pdf)
        pdf_ms.append((time.perf_counter() - start) * 1000)
    mean = statistics.mean(pdf_ms)
    print(f"{'plan PDF, render per version (worker)':<44} n=   3  mean {mean:8.0f} ms  "
          f"({mean / base:6.0f}x the bare view's p99; {pages} pages)")  # fmt: skip
    inline, queued = queue_throughput(env, args.emails)
    print(f"{'queue: emails/s, 2 RQ workers on Redis':<44} {queued:8.0f} /s  (inline delivery "
          f"in one process: {inline:.0f} /s; ratio {queued / inline:.2f})")  # fmt: skip


if __name__ == "__main__":
    main()
