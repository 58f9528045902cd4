"""Reports read from a PostgreSQL replica when there is one (``DATABASE_REPLICA_URL``).

Only the report tables (the ``outcomes`` app: episode results, case-mix fits) are read there;
everything else, and every write, goes to the primary, so a person never reads back their own
change from a replica that has not caught up. Without a replica, or inside ``primary_only()``
(the dashboard's fallback when the replica cannot be reached), reads go to the primary too.
The replica is never migrated: it copies the primary.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings

REPLICA = "replica"
REPORT_APPS = frozenset({"outcomes"})
_primary_only: ContextVar[bool] = ContextVar("backpath_primary_only", default=False)


def has_replica() -> bool:
    return REPLICA in settings.DATABASES


@contextmanager
def primary_only() -> Iterator[None]:
    """Read reports from the primary within this block (the replica failed)."""
    token = _primary_only.set(True)
    try:
        yield
    finally:
        _primary_only.reset(token)


class ReportsReadReplica:
    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        if model._meta.app_label in REPORT_APPS and has_replica() and not _primary_only.get():
            return REPLICA
        return None

    def db_for_write(self, model: Any, **hints: Any) -> str | None:
        return "default"

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        return True  # the replica holds the same rows as the primary

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        return False if db == REPLICA else None
