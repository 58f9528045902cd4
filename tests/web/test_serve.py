"""``backpath demo`` and ``backpath serve``: gunicorn on loopback, configured by the
environment, with production settings that pass ``manage.py check --deploy``."""

from __future__ import annotations

import os
import re
import secrets
import socket
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from typer.testing import CliRunner

from backpath.cli.main import app
from backpath.cli.web_commands import demo_environment, demo_secret_key, gunicorn_args
from backpath.web.demo.cases import DEMO_PASSWORD

BACKPATH = Path(sys.executable).with_name("backpath")
runner = CliRunner()


def clean_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """A process environment with none of the test settings' variables (no DEBUG, no
    insecure key, no DATABASE_URL): what an operator would start from."""
    base = {k: os.environ[k] for k in ("PATH", "HOME", "LANG") if k in os.environ}
    return base | {"BACKPATH_DATA_DIR": str(tmp_path / "data")} | extra


def production_key() -> str:
    return secrets.token_urlsafe(50)  # 67 characters


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, str]:
    request = urllib.request.Request(url, headers=headers or {})
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Location", "")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


@contextmanager
def running(args: list[str], env: dict[str, str], log: Path, port: int) -> Iterator[str]:
    """Start a server process, wait until /healthz answers, stop it with SIGTERM."""
    with log.open("w") as out:
        process = subprocess.Popen(args, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and process.poll() is None:
            try:
                get(url + "/healthz")
                break
            except OSError:
                time.sleep(0.2)
        assert process.poll() is None, log.read_text()
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_check_deploy_is_clean_with_production_settings(tmp_path: Path) -> None:
    env = clean_env(tmp_path, SECRET_KEY=production_key(), BACKPATH_SECURE="1", DEBUG="0",
                    ALLOWED_HOSTS="backpath.example.org",
                    DJANGO_SETTINGS_MODULE="backpath.web.settings")  # fmt: skip
    result = subprocess.run(
        [sys.executable, "-m", "backpath.web", "check", "--deploy", "--fail-level", "WARNING"],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("key", "message"),
    [("", "SECRET_KEY: must be set"), ("short-key", "SECRET_KEY: must be 50 or more")],
)
def test_serve_refuses_to_start_without_a_strong_secret_key(key: str, message: str) -> None:
    result = runner.invoke(app, ["serve"], env={"SECRET_KEY": key})
    assert result.exit_code == 2
    assert message in result.stderr and result.stdout == ""


def test_demo_refuses_a_port_that_is_taken() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        port = taken.getsockname()[1]
        result = runner.invoke(app, ["demo", "--port", str(port)])
    assert result.exit_code == 2 and "--port" in result.stderr and "not available" in result.stderr


def test_the_demo_runs_on_sqlite_on_loopback_over_plain_http(tmp_path: Path) -> None:
    env = demo_environment({"DATABASE_URL": "postgresql://elsewhere/db", "PATH": "/bin"}, tmp_path)
    assert "DATABASE_URL" not in env and env["BACKPATH_DATA_DIR"] == str(tmp_path)
    assert (env["DEBUG"], env["BACKPATH_SECURE"]) == ("0", "0")
    assert env["ALLOWED_HOSTS"] == "127.0.0.1,localhost"
    assert "127.0.0.1:8000" in gunicorn_args("127.0.0.1", 8000, 2)
    assert env["BACKPATH_BASE_URL"] == "http://127.0.0.1:8000"
    moved = demo_environment({"PATH": "/bin"}, tmp_path, 8765)
    assert moved["BACKPATH_BASE_URL"] == "http://127.0.0.1:8765"
    kept = demo_environment({"BACKPATH_BASE_URL": "https://demo.example"}, tmp_path, 8765)
    assert kept["BACKPATH_BASE_URL"] == "https://demo.example"


def test_the_demo_secret_key_is_made_once_and_readable_only_by_its_owner(tmp_path: Path) -> None:
    key = demo_secret_key(tmp_path)
    assert len(key) >= 50 and demo_secret_key(tmp_path) == key
    assert stat.S_IMODE((tmp_path / "secret_key").stat().st_mode) == 0o600


@pytest.mark.slow
def test_backpath_demo_serves_the_demo_clinic_and_can_be_run_again(tmp_path: Path) -> None:
    env = clean_env(tmp_path)
    for run, created in ((1, "12 patients created"), (2, "0 patients created")):
        port = free_port()
        log = tmp_path / f"demo-{run}.log"
        with running([str(BACKPATH), "demo", "--port", str(port)], env, log, port) as url:
            assert get(url + "/healthz")[0] == 200
            status, page = get(url + "/login/")
            assert status == 200 and "does not replace" in page
            assert get(url + "/static/backpath/site.css")[0] == 200
            assert signs_in(url, "clinician") and signs_in(url, "patient")
        output = log.read_text()
        assert f"http://127.0.0.1:{port}/" in output and created in output
        assert "clinician" in output and DEMO_PASSWORD in output
    assert stat.S_IMODE((tmp_path / "data" / "secret_key").stat().st_mode) == 0o600


def signs_in(url: str, username: str) -> bool:
    """Sign in through the real login form (with its CSRF token) and reach the home page."""
    jar = urllib.request.HTTPCookieProcessor()
    opener = urllib.request.build_opener(jar)
    with opener.open(url + "/login/", timeout=5) as response:
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.read().decode())
    assert token is not None
    data = urllib.parse.urlencode({"username": username, "password": DEMO_PASSWORD,
                                   "csrfmiddlewaretoken": token.group(1)}).encode()  # fmt: skip
    request = urllib.request.Request(url + "/login/", data=data, headers={"Referer": url})
    with opener.open(request, timeout=10) as response:
        return "/login/" not in response.url and response.status == 200


@pytest.mark.slow
def test_backpath_serve_is_production_style_behind_https(tmp_path: Path) -> None:
    port = free_port()
    env = clean_env(tmp_path, SECRET_KEY=production_key(), ALLOWED_HOSTS="127.0.0.1")
    args = [str(BACKPATH), "serve", "--port", str(port), "--workers", "1"]
    with running(args, env, tmp_path / "serve.log", port) as url:
        status, location = get(url + "/healthz")
        assert status == 301 and location.startswith("https://")
        status, body = get(url + "/healthz", {"X-Forwarded-Proto": "https"})
        assert status == 200 and "ok" in body
    assert (tmp_path / "data" / "backpath.sqlite3").exists()  # migrated first
    assert not (tmp_path / "data" / "secret_key").exists()  # serve never invents a key


def test_a_port_whose_connections_wait_in_time_wait_is_free_for_a_restart() -> None:
    from backpath.cli.web_commands import ensure_port_free

    with socket.socket() as listener:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        client = socket.create_connection(("127.0.0.1", port))
        served, _ = listener.accept()
        served.close()  # the server side closes first: its end waits in TIME_WAIT
        client.close()
    ensure_port_free("127.0.0.1", port)  # no "Address already in use"


@pytest.mark.slow
def test_serve_restarts_at_once_after_kill_9(tmp_path: Path) -> None:
    import signal

    port = free_port()
    env = clean_env(tmp_path, SECRET_KEY=production_key(), ALLOWED_HOSTS="127.0.0.1")
    args = [str(BACKPATH), "serve", "--port", str(port), "--workers", "1"]
    headers = {"X-Forwarded-Proto": "https"}
    with (tmp_path / "first.log").open("w") as out:
        first = subprocess.Popen(args, env=env, stdout=out, stderr=subprocess.STDOUT,
                                 start_new_session=True)  # fmt: skip
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                assert get(f"http://127.0.0.1:{port}/healthz", headers)[0] == 200
                break
            except OSError:
                assert time.monotonic() < deadline and first.poll() is None
                time.sleep(0.2)
    finally:
        os.killpg(first.pid, signal.SIGKILL)  # the crash: master and workers at once
        first.wait(timeout=30)
    args.append("--no-migrate")
    with running(args, env, tmp_path / "second.log", port) as url:
        assert get(url + "/healthz", headers)[0] == 200
    assert "not available" not in (tmp_path / "second.log").read_text()


@pytest.mark.slow
def test_the_demo_starts_a_background_worker_that_sends_queued_email(tmp_path: Path) -> None:
    env = clean_env(tmp_path)
    port = free_port()
    log = tmp_path / "demo.log"
    with running([str(BACKPATH), "demo", "--port", str(port)], env, log, port):
        made = subprocess.run(
            [str(BACKPATH), "createclinic", "Riverside Physio", "--lead-email", "lee@r.example"],
            env=env, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert made.returncode == 0, made.stderr
        mail = tmp_path / "data" / "mail"

        def invitations() -> list[str]:
            files = [p.read_text() for p in mail.iterdir()] if mail.exists() else []
            return [text for text in files if "To: lee@r.example" in text]

        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not invitations():
            time.sleep(0.2)
        time.sleep(1)  # time for a second copy, if there were one
        assert len(invitations()) == 1, log.read_text()[-2000:]
    assert "background worker started" in log.read_text()


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_two_web_processes_and_a_worker_share_postgresql_and_redis(tmp_path: Path) -> None:
    """Past one machine, on loopback: what one web process writes the other reads, and an
    email queued through one is sent once by the worker, through Redis."""
    import json

    import redis
    from django.db import connection

    from backpath.web.accounts.models import Clinic, Role
    from backpath.web.api.models import ApiToken
    from backpath.web.patients.models import Patient
    from tests.web.builders import make_user

    if connection.vendor != "postgresql":
        pytest.skip("several processes share PostgreSQL (make test's PostgreSQL pass)")
    try:
        redis.Redis.from_url("redis://127.0.0.1:6379/13").flushdb()
    except redis.exceptions.ConnectionError:
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    db = connection.settings_dict
    env = clean_env(
        tmp_path, DATABASE_URL=f"postgresql://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        REDIS_URL="redis://127.0.0.1:6379/13", SECRET_KEY=production_key(),
        ALLOWED_HOSTS="127.0.0.1", BACKPATH_SECURE="0", BACKPATH_STAFF_MFA="0",
    )  # fmt: skip
    clinic = Clinic.objects.create(name="Two Machines Clinic")
    staff = make_user("twomachines", Role.CLINICIAN, clinic)
    patient = Patient.objects.create(clinic=clinic, given_name="Noor", family_name="Haddad",
                                     birth_year=1980, email="noor@two.example")  # fmt: skip
    _, key = ApiToken.issue(staff)
    bearer = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    one, two = free_port(), free_port()
    serve = [str(BACKPATH), "serve", "--no-worker", "--no-migrate", "--workers", "1", "--port"]
    with (tmp_path / "worker.log").open("w") as out:
        worker = subprocess.Popen([str(BACKPATH), "worker"], env=env, stdout=out,
                                  stderr=subprocess.STDOUT)  # fmt: skip
    try:
        with (
            running([*serve, str(one)], env, tmp_path / "one.log", one) as first,
            running([*serve, str(two)], env, tmp_path / "two.log", two) as second,
        ):
            entry = json.dumps({"kind": "nrs", "value": 4}).encode()
            request = urllib.request.Request(f"{first}/api/v1/patients/{patient.pk}/diary",
                                             data=entry, headers=bearer, method="POST")  # fmt: skip
            with urllib.request.urlopen(request, timeout=10) as response:
                assert response.status == 201
            status, body = get(f"{second}/fhir/Patient/{patient.pk}/$everything", bearer)
            values = [e["resource"].get("valueInteger") for e in json.loads(body)["entry"]]
            assert status == 200 and 4 in values  # written through one, read through the other
            invite = urllib.request.Request(
                f"{second}/api/v1/patients/{patient.pk}/invitation", data=b"", headers=bearer,
                method="POST",
            )  # fmt: skip
            with urllib.request.urlopen(invite, timeout=10) as response:
                assert response.status == 201
            mail = tmp_path / "data" / "mail"

            def invitations() -> int:
                files = list(mail.glob("*.log")) if mail.exists() else []
                return sum("To: noor@two.example" in p.read_text() for p in files)

            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and invitations() == 0:
                time.sleep(0.2)
            time.sleep(1.5)
            assert invitations() == 1, (tmp_path / "worker.log").read_text()[-2000:]
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        redis.Redis.from_url("redis://127.0.0.1:6379/13").flushdb()
