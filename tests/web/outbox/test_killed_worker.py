"""On PostgreSQL with two real worker processes: one is killed with ``kill -9`` in the middle
of sending; every email still goes out, and none twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from django.test import override_settings

from backpath.web.outbox import outbox
from backpath.web.outbox.models import Email
from tests.conftest import ROOT
from tests.web.builders import SLOW_MAIL

EMAILS = 6


def worker(env: dict[str, str], log: Path, *extra: str) -> subprocess.Popen[bytes]:
    with log.open("a") as out:
        command = [sys.executable, "-m", "backpath.web", "work", *extra]
        return subprocess.Popen(command, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)


def sent_to(mail: Path) -> list[str]:
    return [line.removeprefix("To: ") for path in mail.glob("*.log")
            for line in path.read_text().splitlines() if line.startswith("To: ")]  # fmt: skip


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_send_loses_no_email_and_doubles_none(tmp_path: Path) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("two worker processes share the queue through PostgreSQL (make test's pass)")
    db = connection.settings_dict
    url = f"postgresql://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    mail = tmp_path / "data" / "mail"
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE",)}
    env |= {"DATABASE_URL": url, "BACKPATH_DATA_DIR": str(tmp_path / "data"),
            "SECRET_KEY": "k" * 60, "DJANGO_SETTINGS_MODULE": "backpath.web.settings",
            "EMAIL_BACKEND": SLOW_MAIL, "BACKPATH_TEST_MAIL_SECONDS": "1.5"}  # fmt: skip
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
        for n in range(EMAILS):
            outbox.queue(f"invitation:{n}", "Your login", "Open the link.", [f"p{n}@c.example"])
    log = tmp_path / "workers.log"
    first, second = worker(env, log), worker(env, log)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not list(mail.glob(f"sending-{first.pid}")):
            time.sleep(0.05)
        assert list(mail.glob(f"sending-{first.pid}")), log.read_text()[-3000:]
        os.kill(first.pid, signal.SIGKILL)  # mid-send: nothing of this message written yet
        first.wait(timeout=10)
        recovery = worker(env, log, "--batch")  # a new worker queues the unsent email again
        recovery.wait(timeout=120)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(sent_to(mail)) < EMAILS:
            time.sleep(0.2)
    finally:
        for process in (first, second):
            if process.poll() is None:
                process.terminate()
                process.wait(timeout=30)
    assert sorted(sent_to(mail)) == sorted(f"p{n}@c.example" for n in range(EMAILS))
    assert Email.objects.filter(sent__isnull=True).count() == 0
    assert "Task id=" in log.read_text()
