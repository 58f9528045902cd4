"""Housekeeping: what the server writes is private to its user, a refused request is one log
line without a trace, and the insecure development key never runs a real server."""

from __future__ import annotations

import io
import logging
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.backends.filebased import EmailBackend
from typer.testing import CliRunner

from backpath.cli.main import app
from backpath.web.log_filters import NoTraceForRefusals
from backpath.web.settings import INSECURE_KEY


def test_mail_files_and_folders_are_readable_by_the_server_user_only(tmp_path: Path) -> None:
    folder = tmp_path / "mail"
    EmailBackend(file_path=str(folder)).send_messages([EmailMessage("s", "b", to=["a@b.example"])])
    (message,) = folder.iterdir()
    assert folder.stat().st_mode & 0o777 == 0o700
    assert message.stat().st_mode & 0o777 == 0o600


def test_a_refusal_is_logged_without_a_trace() -> None:
    try:
        raise PermissionError("This page is for clinic staff.")
    except PermissionError:
        record = logging.LogRecord("django.request", logging.WARNING, __file__, 1,
                                   "Forbidden: %s", ("/patients/",), sys.exc_info())  # fmt: skip
    record.status_code = 403
    assert NoTraceForRefusals().filter(record) and record.exc_info is None
    console = settings.LOGGING["handlers"]["console"]
    assert "no_trace_for_refusals" in console["filters"]


def test_serve_refuses_the_development_key() -> None:
    result = CliRunner().invoke(app, ["serve"], env={"SECRET_KEY": INSECURE_KEY})
    assert result.exit_code == 2 and "development key" in result.stderr


def test_the_settings_refuse_the_development_key_without_debug(tmp_path: Path) -> Any:
    env = {"PATH": os.environ["PATH"], "SECRET_KEY": INSECURE_KEY, "DEBUG": "0",
           "BACKPATH_DATA_DIR": str(tmp_path)}  # fmt: skip
    result = subprocess.run([sys.executable, "-c", "import backpath.web.settings"], env=env,
                            capture_output=True, text=True, timeout=60)  # fmt: skip
    assert result.returncode != 0 and "development key" in result.stderr


def test_every_model_change_has_its_migration(db: Any) -> None:
    """A model changed without its migration breaks the next deployment's migrate."""
    from django.core.management import call_command

    out = io.StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, verbosity=1)
    except SystemExit:  # --check exits 1 when a migration is missing
        pytest.fail(f"models changed without a migration:\n{out.getvalue()}")
