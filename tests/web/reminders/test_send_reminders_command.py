"""``backpath send-reminders`` (and ``python -m backpath.web send_reminders``): one run of the
email reminders, its summary line and exit code."""

from __future__ import annotations

import datetime as dt
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from django.utils import timezone
from typer.testing import CliRunner

from backpath.cli.main import app
from backpath.web.patients.models import Patient
from backpath.web.reminders.models import ReminderSent
from tests.web.builders import BROKEN_MAIL, ready

runner = CliRunner()


def today() -> str:
    return timezone.now().astimezone(dt.UTC).date().isoformat()


def test_send_reminders_sends_once_and_says_so(patient: Patient) -> None:
    ready(patient, hour=0)
    first = runner.invoke(app, ["send-reminders"])
    assert first.exit_code == 0, first.stderr
    assert first.stdout.strip() == "Sent 1, failed 0, skipped 0."
    again = runner.invoke(app, ["send-reminders"])
    assert again.exit_code == 0
    assert again.stdout.strip() == "Sent 0, failed 0, skipped 1 (1 already sent)."
    assert len(mail.outbox) == 1


def test_dry_run_sends_and_records_nothing(patient: Patient) -> None:
    ready(patient)
    result = runner.invoke(app, ["send-reminders", "--dry-run", "--date", today()])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("Would send 1, failed 0, skipped 0")
    assert mail.outbox == [] and not ReminderSent.objects.exists()


def test_a_bad_date_is_one_line_naming_the_option(patient: Patient) -> None:
    result = runner.invoke(app, ["send-reminders", "--date", "next monday"])
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "error: --date: must be a date as YYYY-MM-DD, got 'next monday'"
    )
    assert result.stdout == ""


def test_a_failed_send_exits_1_so_cron_reports_it(patient: Patient) -> None:
    ready(patient)
    with override_settings(EMAIL_BACKEND=BROKEN_MAIL):
        result = runner.invoke(app, ["send-reminders", "--date", today()])
    assert result.exit_code == 1
    assert "Sent 0, failed 1" in result.stdout
    assert ReminderSent.objects.get().status == "failed"


def test_the_management_command_runs_the_same(patient: Patient) -> None:
    ready(patient)
    out = io.StringIO()
    call_command("send_reminders", "--date", today(), stdout=out)
    assert out.getvalue().strip() == "Sent 1, failed 0, skipped 0."
    with pytest.raises(CommandError, match="--date: must be a date"):
        call_command("send_reminders", "--date", "2026-13-01", stdout=io.StringIO())


@pytest.mark.slow
def test_the_installed_command_sets_up_django_and_reports_a_missing_database(
    tmp_path: Path,
) -> None:
    """A real process, outside the test settings: an unmigrated data folder is one line."""
    env = {
        k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")
    }
    env["BACKPATH_DATA_DIR"] = str(tmp_path)
    done = subprocess.run(
        [str(Path(sys.executable).parent / "backpath"), "send-reminders", "--dry-run"],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip().startswith("error: database: no such table")
    assert "Traceback" not in done.stderr
