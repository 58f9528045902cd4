"""The replay cache: a jti is accepted once per issuer, and forgotten once its token expired."""

from __future__ import annotations

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from backpath.web.ehrs import replay
from backpath.web.ehrs.models import UsedJti


def test_a_jti_is_accepted_once_per_issuer(db: Any) -> None:
    soon = timezone.now() + dt.timedelta(minutes=2)
    assert replay.first_use("https://a.example", "j-1", soon)
    assert not replay.first_use("https://a.example", "j-1", soon)
    assert replay.first_use("https://b.example", "j-1", soon)


def test_the_periodic_job_forgets_only_ids_of_long_expired_tokens(db: Any) -> None:
    now = timezone.now()
    replay.first_use("https://a.example", "old", now - dt.timedelta(minutes=10))
    replay.first_use("https://a.example", "recent", now - dt.timedelta(minutes=1))
    replay.first_use("https://a.example", "live", now + dt.timedelta(minutes=2))
    assert replay.forget_expired(now) == "1 expired JWT ids forgotten"
    assert sorted(UsedJti.objects.values_list("jti", flat=True)) == ["live", "recent"]


def test_the_job_is_scheduled_hourly(settings: Any) -> None:
    job = settings.BACKPATH_PERIODIC_JOBS["cds_jti"]
    assert job == {"function": "backpath.web.ehrs.replay.forget_expired", "every_minutes": 60}


@pytest.mark.django_db(transaction=True)
def test_of_racing_calls_with_one_jti_exactly_one_wins() -> None:
    if connection.vendor == "sqlite":
        pytest.skip("the in-memory test database locks whole tables across threads; "
                    "PostgreSQL (make test's pass) runs the race")  # fmt: skip
    expires = timezone.now() + dt.timedelta(minutes=2)
    start = threading.Barrier(6)

    def call() -> bool:
        start.wait()
        try:
            return replay.first_use("https://a.example", "raced", expires)
        finally:
            connection.close()

    with ThreadPoolExecutor(6) as pool:
        results = list(pool.map(lambda _: call(), range(6)))
    assert sorted(results) == [False] * 5 + [True]
