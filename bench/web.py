"""Web benchmark: a real server (gunicorn) and load from this second process, on loopback only.

    .venv/bin/python bench/web.py [--users 32] [--requests 2000] [--seconds 60] [--redis URL]
                                  [--workers 2] [--threads 4]

Prints, in one run against the same server: the plan page's HTML size, its p50/p99 at N
concurrent signed-in users next to a bare Django view (/healthz) with the ratio of their p99s,
the same bare view with a signed-in session (what every signed-in page pays before its own
work: the session, the user and the session gate) with the plan page's p99 against it (what the
page's own work costs), and diary POST throughput through the REST API. ``--threads 1`` runs
sync workers, as ``backpath serve`` does. Targets (issue 14): plan-page HTML <= 60 KB;
plan-page p99 within 4x the bare view's p99 in the same run.
Uses PostgreSQL (DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/backpath_bench,
created if missing). Every loop is bounded in count and in time; it stops by itself.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

DEFAULT_DB = "postgresql://postgres@127.0.0.1:5432/backpath_bench"
PASSWORD = "bench-password-not-secret-1"
HOST = "127.0.0.1"
PAGE_TARGET = 60_000  # bytes of plan-page HTML
RATIO_TARGET = 4.0  # plan-page p99 over the bare view's p99, same run


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def ensure_database(url: str) -> None:
    import psycopg

    parts = urllib.parse.urlparse(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def prepare(env: dict[str, str]) -> tuple[int, int]:
    """Migrate and create one clinic, a clinician and a patient with a published plan."""
    code = r"""
import django, json, sys
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from backpath.engine import assess_and_plan
from backpath.web.accounts.models import Clinic, User
from backpath.web.patients.models import Episode, Intake, Patient
from backpath.web.plans.models import PlanVersion
clinic, _ = Clinic.objects.get_or_create(name="Bench Clinic")
user = User.objects.filter(username="bench").first() or User.objects.create_user(
    username="bench", password=sys.argv[1], role="clinician", clinic=clinic)
patient = Patient.objects.filter(clinic=clinic).first() or Patient.objects.create(
    clinic=clinic, given_name="Bench", family_name="Patient", birth_year=1970)
episode = patient.episodes.first() or Episode.objects.create(patient=patient)
Intake.objects.get_or_create(episode=episode)
episode.plan_versions.all().delete()  # today's engine makes today's plan
intake = json.load(open("examples/chronic_low_back_pain.json"))
PlanVersion.objects.create(episode=episode, number=1, status="published",
                           plan=assess_and_plan(intake).to_json_dict())
print(json.dumps([patient.pk, episode.pk]))
"""
    root = Path(__file__).resolve().parent.parent
    out = subprocess.run(
        [sys.executable, "-c", code, PASSWORD],
        env=env, check=True, capture_output=True, text=True, cwd=root,
    )  # fmt: skip
    patient_id, episode_id = json.loads(out.stdout.strip().splitlines()[-1])
    return int(patient_id), int(episode_id)


def start_server(
    env: dict[str, str], port: int, workers: int, threads: int = 4
) -> subprocess.Popen[bytes]:
    cmd = [str(Path(sys.executable).parent / "gunicorn"), "backpath.web.wsgi:application",
           "--bind", f"{HOST}:{port}", "--workers", str(workers), "--threads", str(threads),
           "--log-level", "warning"]  # fmt: skip
    proc = subprocess.Popen(cmd, env=env)
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"http://{HOST}:{port}/healthz", timeout=1).read()
            return proc
        except OSError:
            time.sleep(0.2)
    proc.terminate()
    raise SystemExit("the server did not start within 30 s")


def sign_in(base: str) -> tuple[str, str]:
    """Real sign-in through the login form; returns the session and CSRF cookies."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.open(f"{base}/login/").read()
    csrf = next(c.value for c in jar if c.name == "csrftoken")
    body = urllib.parse.urlencode({"username": "bench", "password": PASSWORD,
                                   "csrfmiddlewaretoken": csrf}).encode()  # fmt: skip
    opener.open(urllib.request.Request(f"{base}/login/", data=body,
                                       headers={"Referer": f"{base}/login/"})).read()  # fmt: skip
    cookies = {c.name: c.value for c in jar}
    return cookies["sessionid"], cookies["csrftoken"]


def timed_requests(make: Any, users: int, count: int, seconds: float) -> tuple[list[float], float]:
    """Run ``count`` requests from ``users`` threads (bounded by ``seconds``); latencies in ms."""
    deadline = time.time() + seconds
    per_user = max(1, count // users)

    def worker(_: int) -> list[float]:
        out = []
        for _ in range(per_user):
            if time.time() > deadline:
                break
            request = make()
            start = time.perf_counter()
            with urllib.request.urlopen(request, timeout=30) as response:
                response.read()
                if response.status >= 400:
                    raise RuntimeError(f"HTTP {response.status}")
            out.append((time.perf_counter() - start) * 1000)
        return out

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=users) as pool:
        latencies = [ms for chunk in pool.map(worker, range(users)) for ms in chunk]
    return latencies, time.perf_counter() - start


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=32)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4, help="1: sync workers")
    parser.add_argument(
        "--redis", default="", help="REDIS_URL for cache and sessions, as past one machine"
    )
    args = parser.parse_args()

    url = os.environ.get("DATABASE_URL", DEFAULT_DB)
    ensure_database(url)
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "backpath.web.settings",
           "SECRET_KEY": secrets.token_urlsafe(50), "BACKPATH_SECURE": "0",
           "BACKPATH_STAFF_MFA": "0",  # the plan page is measured, not the second factor
           "ALLOWED_HOSTS": HOST}  # fmt: skip
    if args.redis:
        env["REDIS_URL"] = args.redis
    patient_id, episode_id = prepare(env)
    port = free_port()
    base = f"http://{HOST}:{port}"
    server = start_server(env, port, args.workers, args.threads)
    try:
        session, csrf = sign_in(base)
        cookie = f"sessionid={session}; csrftoken={csrf}"

        def plan_page() -> urllib.request.Request:
            return urllib.request.Request(f"{base}/plans/episode/{episode_id}/",
                                          headers={"Cookie": cookie})  # fmt: skip

        def bare() -> urllib.request.Request:
            return urllib.request.Request(f"{base}/healthz")

        def bare_signed_in() -> urllib.request.Request:
            return urllib.request.Request(f"{base}/healthz", headers={"Cookie": cookie})

        def diary_post() -> urllib.request.Request:
            body = json.dumps({"kind": "nrs", "on": "2026-11-24", "value": 4}).encode()
            return urllib.request.Request(
                f"{base}/api/v1/patients/{patient_id}/diary", data=body, method="POST",
                headers={"Cookie": cookie, "X-CSRFToken": csrf, "Referer": base,
                         "Content-Type": "application/json"})  # fmt: skip

        for warm_up in (plan_page, bare, bare_signed_in):  # every worker, every path
            timed_requests(warm_up, args.users, 4 * args.users, 10)
        with urllib.request.urlopen(plan_page(), timeout=30) as response:
            body = response.read()
            if response.url != plan_page().full_url or b"Plan for Bench Patient" not in body:
                raise SystemExit(f"expected the plan page, got {response.url}")
            size = len(body)
        stores = "PostgreSQL, Redis (cache, sessions)" if args.redis else "PostgreSQL"
        kind = (
            f"{args.workers} workers x {args.threads} threads"
            if args.threads > 1
            else (f"{args.workers} sync workers")
        )
        print(f"server: gunicorn, {kind}, {stores}; "
              f"load: {args.users} concurrent users from this process, loopback")  # fmt: skip
        verdict = "within" if size <= PAGE_TARGET else "OVER"
        print(
            f"plan page HTML: {size / 1000:.1f} KB ({verdict} the {PAGE_TARGET // 1000} KB target)"
        )
        p99 = {}
        for label, make in (("bare Django view (/healthz)", bare),
                            ("the same, signed in", bare_signed_in),
                            ("plan page", plan_page)):  # fmt: skip
            lat, wall = timed_requests(make, args.users, args.requests, args.seconds)
            p99[label] = pct(lat, 0.99)
            print(
                f"{label:<28} n={len(lat):>5}  p50 {statistics.median(lat):7.1f} ms  "
                f"p99 {pct(lat, 0.99):7.1f} ms  {len(lat) / wall:7.0f} req/s"
            )
        ratio = p99["plan page"] / p99["bare Django view (/healthz)"]
        verdict = "within" if ratio <= RATIO_TARGET else "OVER"
        print(
            f"plan page p99 / bare view p99: {ratio:.1f}x ({verdict} the {RATIO_TARGET:g}x target)"
        )
        own = p99["plan page"] / p99["the same, signed in"]
        print(f"plan page p99 / signed-in bare view p99: {own:.1f}x (the page's own work)")
        lat, wall = timed_requests(diary_post, args.users, args.requests // 2, args.seconds)
        print(
            f"{'diary POST (REST API)':<28} n={len(lat):>5}  p50 {statistics.median(lat):7.1f} ms  "
            f"p99 {pct(lat, 0.99):7.1f} ms  {len(lat) / wall:7.0f} writes/s"
        )
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


if __name__ == "__main__":
    main()
