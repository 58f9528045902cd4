"""``backpath demo`` and ``backpath serve``: the web app under gunicorn.

Both prepare the environment Django's settings read, migrate in this process, then replace
this process with gunicorn (so Ctrl-C and SIGTERM reach the server directly). Django is
imported only when one of these commands runs, so the rest of the CLI stays light.

- ``demo``: SQLite in the data folder, the demo clinic, plain HTTP on 127.0.0.1 only.
- ``serve``: production settings from the environment (``SECRET_KEY`` required,
  ``DATABASE_URL``, ``ALLOWED_HOSTS``, ``BACKPATH_SECURE``, ...; see backpath.web.settings).
- ``send-reminders``: one run of the email reminders against the same database (for cron or
  a timer); it neither migrates nor serves.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from backpath.cli.django_setup import SETTINGS, data_dir, setup_django
from backpath.errors import InvalidInput, database_error

WSGI_APP = "backpath.web.wsgi:application"
DEMO_HOST = "127.0.0.1"
MIN_SECRET_KEY = 50

PortOpt = Annotated[int, typer.Option(help="TCP port to listen on", min=1, max=65535)]


def demo_secret_key(folder: Path) -> str:
    """The demo's secret key: made once, kept in ``folder/secret_key`` readable by the owner."""
    path = folder / "secret_key"
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another demo made it meanwhile
            pass
        else:
            import secrets

            with os.fdopen(fd, "w", encoding="ascii") as f:
                f.write(secrets.token_urlsafe(64))
    key = path.read_text("ascii").strip()
    if len(key) < MIN_SECRET_KEY:
        raise InvalidInput(str(path), f"holds a key shorter than {MIN_SECRET_KEY} characters")
    return key


def demo_environment(base: Mapping[str, str], folder: Path, port: int = 8000) -> dict[str, str]:
    """The environment of the demo server: SQLite in ``folder``, no DEBUG, loopback only; its
    public address (links, FHIR canonical URLs, SMART addresses) is where it listens unless
    BACKPATH_BASE_URL says otherwise."""
    env = {k: v for k, v in base.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.setdefault("BACKPATH_BASE_URL", f"http://{DEMO_HOST}:{port}")
    return env | {
        "DJANGO_SETTINGS_MODULE": SETTINGS,
        "BACKPATH_DATA_DIR": str(folder),
        "SECRET_KEY": demo_secret_key(folder),
        "DEBUG": "0",
        "BACKPATH_SECURE": "0",  # plain HTTP on loopback; serve sets this to 1 behind HTTPS
        "BACKPATH_STAFF_MFA": "0",  # demo logins sign in with a password alone
        "BACKPATH_WORKER": "1",  # the background worker runs beside the demo server
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
    }


def serve_environment(base: Mapping[str, str]) -> dict[str, str]:
    """The production environment, checked for what Django would otherwise reject late."""
    key = base.get("SECRET_KEY", "")
    if not key:
        raise InvalidInput("SECRET_KEY", "must be set (50 or more random characters)")
    if key.startswith("backpath-insecure-development-key"):
        raise InvalidInput("SECRET_KEY", "is the development key; set 50 or more random characters")
    if len(key) < MIN_SECRET_KEY or len(set(key)) < 5:
        raise InvalidInput("SECRET_KEY", f"must be {MIN_SECRET_KEY} or more random characters")
    return {**base, "DJANGO_SETTINGS_MODULE": base.get("DJANGO_SETTINGS_MODULE", SETTINGS)}


def ensure_port_free(host: str, port: int) -> None:
    """Refuse a port another process listens on, but not one whose old connections wait in
    TIME_WAIT after a crash: the probe sets SO_REUSEADDR, as gunicorn's listener does, so a
    restart right after ``kill -9`` serves at once."""
    import socket

    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError as exc:
            raise InvalidInput(
                "--port", f"{host}:{port} is not available ({exc.strerror}); choose another"
            ) from None


def prepare_database(env: Mapping[str, str], seed_demo: bool) -> list[str]:
    """Migrate (and seed the demo) in this process with ``env``; returns lines to print."""
    for name in set(os.environ) - set(env):
        del os.environ[name]
    os.environ.update(env)
    try:
        import django
        from django.core.exceptions import ImproperlyConfigured
        from django.core.management import call_command
        from django.db import DatabaseError, connections

        django.setup()
    except ImproperlyConfigured as exc:
        raise InvalidInput("settings", str(exc)) from None
    try:
        call_command("migrate", interactive=False, verbosity=0)
        lines: list[str] = []
        if seed_demo:
            from backpath.web.accounts.models import Clinic
            from backpath.web.demo.builder import build_demo, login_lines
            from backpath.web.demo.cases import DEMO_CLINIC

            result = build_demo()
            clinic = Clinic.objects.get(name=DEMO_CLINIC)
            lines = [f"Demo clinic: {result.patients_created} patients created, "
                     f"{result.patients_existing} already there.",
                     "Sign in with one of these (username, password):",
                     *login_lines(result),
                     f"Public self-check for the demo clinic: /check/{clinic.pk}/"]  # fmt: skip
    except DatabaseError as exc:
        raise database_error(exc) from None
    finally:
        connections.close_all()
    return lines


def gunicorn_args(host: str, port: int, workers: int) -> list[str]:
    return [sys.executable, "-m", "gunicorn", WSGI_APP, "--bind", f"{host}:{port}",
            "--workers", str(workers), "--timeout", "60", "--graceful-timeout", "10",
            "--access-logfile", "-", "--error-logfile", "-", "--no-control-socket",
            "--config", "python:backpath.web.gunicorn_hooks"]  # fmt: skip


def exec_gunicorn(args: list[str], env: Mapping[str, str]) -> NoReturn:
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(args[0], args, dict(env))


def demo(port: PortOpt = 8000) -> None:
    """Serve the demo clinic on 127.0.0.1 (SQLite in ./data or BACKPATH_DATA_DIR)."""
    ensure_port_free(DEMO_HOST, port)
    folder = data_dir()
    env = demo_environment(os.environ, folder, port)
    lines = prepare_database(env, seed_demo=True)
    typer.echo(f"BackPath demo: http://{DEMO_HOST}:{port}/  (data in {folder}; Ctrl-C stops it)")
    for line in lines:
        typer.echo(line)
    typer.echo(f"Emails (invitations, resets, alerts, reminders) go to files in {folder / 'mail'}")
    typer.echo("BackPath supports, and does not replace, a clinician's judgement.")
    exec_gunicorn(gunicorn_args(DEMO_HOST, port, workers=2), env)


def serve(
    host: Annotated[str, typer.Option(help="Address to bind (behind a reverse proxy)")] = (
        "127.0.0.1"
    ),
    port: PortOpt = 8000,
    workers: Annotated[int, typer.Option(help="gunicorn worker processes", min=1, max=64)] = (
        min(2 * (os.cpu_count() or 1) + 1, 9)
    ),
    migrate: Annotated[bool, typer.Option("--migrate/--no-migrate", help="Migrate first")] = True,
    worker: Annotated[
        bool,
        typer.Option("--worker/--no-worker", help="Run the background worker beside the server"),
    ] = True,
) -> None:
    """Serve BackPath with gunicorn, configured by the environment (SECRET_KEY required)."""
    env = serve_environment(os.environ) | {"BACKPATH_WORKER": "1" if worker else "0"}
    ensure_port_free(host, port)
    if migrate:
        prepare_database(env, seed_demo=False)
    alone = "" if worker else "; run `backpath worker` for background work"
    typer.echo(f"BackPath on http://{host}:{port}/ with {workers} workers{alone}")
    exec_gunicorn(gunicorn_args(host, port, workers), env)


def worker(
    batch: Annotated[bool, typer.Option("--batch", help="Stop when the queue is empty")] = False,
) -> None:
    """Work the background queue (emails) on its own, beside `serve --no-worker`."""
    setup_django()
    from django.core.management import call_command
    from django.db import DatabaseError

    try:
        call_command("work", batch=batch)
    except DatabaseError as exc:
        raise database_error(exc) from None


def send_reminders(
    date: Annotated[
        str | None,
        typer.Option("--date", help="Send for this day (YYYY-MM-DD) whatever the hour"),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Say what would be sent; send and record nothing")
    ] = False,
) -> None:
    """Email the day's home exercises to patients who turned reminders on, once each (run
    it every 15 minutes or hourly). Exit 1 when a send failed (the next run retries it)."""
    setup_django()
    from django.db import DatabaseError
    from django.utils import timezone

    from backpath.web.reminders.reminders import parse_day
    from backpath.web.reminders.reminders import send_reminders as run

    now = timezone.now()
    day = parse_day(date, now) if date is not None else None
    try:
        result = run(now, day=day, dry_run=dry_run)
    except DatabaseError as exc:
        raise database_error(exc) from None
    typer.echo(result.summary())
    if result.failed:
        raise typer.Exit(1)
