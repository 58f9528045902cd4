"""Django for the commands that use the web app's database (``demo``, ``serve``,
``send-reminders``, ``export fhir``): the settings module and the data folder they share.

Django itself is imported only inside ``setup_django``, when such a command runs.
"""

from __future__ import annotations

import os
from pathlib import Path

from backpath.errors import InvalidInput

SETTINGS = "backpath.web.settings"


def data_dir() -> Path:
    """The data folder: ``BACKPATH_DATA_DIR``, else ``./data`` (an absolute path)."""
    return Path(os.environ.get("BACKPATH_DATA_DIR", "data")).resolve()


def use_server_secret_key(why: str) -> None:
    """Commands whose output the server must read (a signed link, a sealed secret) need the
    server's key: ``SECRET_KEY``, else the demo data folder's. ``why`` ends the error."""
    if os.environ.get("SECRET_KEY"):
        return
    demo_key = data_dir() / "secret_key"
    if demo_key.is_file():
        os.environ["SECRET_KEY"] = demo_key.read_text("ascii").strip()
        return
    raise InvalidInput(
        "SECRET_KEY", f"must be set to the server's key (the one `backpath serve` uses), {why}"
    )


def setup_django() -> None:
    """Configure Django from the environment, unless it already is (as in the test suite).

    A Django already set up is left alone: ``django.setup()`` run again would configure
    logging anew, onto whatever ``sys.stderr`` is at that moment (a command run in-process
    by a test runner captures it, then closes it)."""
    from django.apps import apps
    from django.conf import settings

    if apps.ready:
        return
    if not settings.configured:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS)
        os.environ.setdefault("BACKPATH_DATA_DIR", str(data_dir()))
        import secrets

        # Reading the database signs nothing, so a throwaway key is as good as the real one.
        os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(64))
    import django
    from django.core.exceptions import ImproperlyConfigured

    try:
        django.setup()
    except ImproperlyConfigured as exc:
        raise InvalidInput("settings", str(exc)) from None
