"""Reports read from a replica (``DATABASE_REPLICA_URL``) and fall back to the primary."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.test import override_settings

from backpath.web.accounts.models import User
from backpath.web.outcomes.models import EpisodeOutcome
from backpath.web.replica import REPLICA, ReportsReadReplica, primary_only

ROUTER = ReportsReadReplica()
WITH_REPLICA = {"default": {}, REPLICA: {}}


@pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")
def test_only_report_reads_go_to_the_replica() -> None:
    with override_settings(DATABASES=WITH_REPLICA):
        assert ROUTER.db_for_read(EpisodeOutcome) == REPLICA
        assert ROUTER.db_for_read(User) is None
        assert ROUTER.db_for_write(EpisodeOutcome) == "default"
        with primary_only():
            assert ROUTER.db_for_read(EpisodeOutcome) is None
    assert ROUTER.db_for_read(EpisodeOutcome) is None  # no replica configured
    assert ROUTER.allow_migrate(REPLICA, "outcomes") is False
    assert ROUTER.allow_migrate("default", "outcomes") is None


SCRIPT = textwrap.dedent(
    """
    import django
    django.setup()
    from django.core.management import call_command
    from django.db import connections
    from django.test import Client
    from backpath.web.accounts.models import Clinic, Role, User
    from backpath.web.outcomes.aggregation import refresh_clinic

    call_command("migrate", verbosity=0)
    clinic = Clinic.objects.create(name="Replica Clinic")
    lead = User.objects.create_user("lead", password="x" * 12, role=Role.LEAD, clinic=clinic)
    refresh_clinic(clinic.pk)
    client = Client(HTTP_HOST="localhost")
    client.force_login(lead)
    replica = connections["replica"]
    replica.force_debug_cursor = True  # record its queries (without connecting first)
    print("status", client.get("/outcomes/").status_code)
    print("replica queries", len(replica.queries_log))
    """
)


def run(tmp_path: Path, replica_url: str) -> str:
    db = tmp_path / "primary.sqlite3"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "REDIS"))}
    env |= {"DJANGO_SETTINGS_MODULE": "backpath.web.test_settings",
            "DATABASE_URL": f"sqlite:///{db}", "DATABASE_REPLICA_URL": replica_url,
            "BACKPATH_DB_CONNECT_TIMEOUT": "2", "BACKPATH_DATA_DIR": str(tmp_path)}  # fmt: skip
    done = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True,
                          text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout + done.stderr  # the fallback is logged by the project's logging


@pytest.mark.slow
def test_the_dashboard_reads_the_replica(tmp_path: Path) -> None:
    out = run(tmp_path, f"sqlite:///{tmp_path / 'primary.sqlite3'}")  # a replica in step
    assert "status 200" in out
    assert int(out.split("replica queries ")[1].split()[0]) > 0


@pytest.mark.slow
def test_the_dashboard_falls_back_to_the_primary_when_the_replica_is_down(
    tmp_path: Path,
) -> None:
    out = run(tmp_path, "postgresql://backpath@127.0.0.1:1/none")  # nothing listens there
    assert "status 200" in out
    assert "the replica failed" in out and "reading the primary" in out
