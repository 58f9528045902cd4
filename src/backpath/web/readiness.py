"""What a server needs to do its work, checked for ``/readyz``: the database and the data folder.

Each check returns None when it passes, else one line saying what failed (never a trace:
the answer is public)."""

from __future__ import annotations

import os
import tempfile

from django.conf import settings
from django.db import DatabaseError, connection


def database() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        return f"the database does not answer ({type(exc).__name__})"
    return None


def data_folder() -> str | None:
    folder = settings.DATA_DIR
    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".ready-"):
            pass
    except OSError as exc:
        return f"the data folder is not writable ({os.strerror(exc.errno or 0) or exc})"
    return None


def readiness() -> dict[str, str | None]:
    return {"database": database(), "data_folder": data_folder()}
