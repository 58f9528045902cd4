"""/healthz says the process is alive; /readyz says it can work: the database answers and the
data folder is writable, else 503 naming what failed. Database connections and statements
time out rather than hang."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.db import OperationalError, connection
from django.test import Client, override_settings


def test_ready_when_the_database_and_the_data_folder_work(db: Any) -> None:
    response = Client().get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "failed": {}}


def test_a_database_that_does_not_answer_is_503(db: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    def hung(*args: Any, **kwargs: Any) -> Any:
        raise OperationalError("canceling statement due to statement timeout")

    with monkeypatch.context() as patched:  # undone before the test database is rolled back
        patched.setattr(connection, "cursor", hung)
        response = Client().get("/readyz")
    assert response.status_code == 503
    assert set(response.json()["failed"]) == {"database"}
    assert "OperationalError" in response.json()["failed"]["database"]
    assert Client().get("/healthz").status_code == 200  # alive all the same


def test_a_data_folder_that_cannot_be_written_is_503(db: Any, tmp_path: Path) -> None:
    missing = tmp_path / "gone"
    with override_settings(DATA_DIR=missing):
        response = Client().get("/readyz")
    assert response.status_code == 503 and set(response.json()["failed"]) == {"data_folder"}


def test_postgresql_connections_and_statements_have_timeouts() -> None:
    from backpath.web import settings

    options = settings._database("postgresql://u@127.0.0.1:5432/db")["OPTIONS"]
    assert options["connect_timeout"] == settings.DB_CONNECT_TIMEOUT == 5
    assert options["options"] == "-c statement_timeout=30000"
