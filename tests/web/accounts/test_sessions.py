"""Sessions are kept in their table and read through a cache table of their own: a session
lasts while its row does, and ending it ends the cached copy too."""

from __future__ import annotations

from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.urls import reverse

from backpath.web.accounts.models import User
from backpath.web.logins import lifecycle
from tests.web.builders import logged_in


def test_sessions_are_read_through_a_cache_table_of_their_own() -> None:
    if getattr(settings, "REDIS_URL", None):
        assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.cache"
        return
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.cached_db"
    assert settings.SESSION_CACHE_ALIAS == "sessions"
    assert settings.CACHES["sessions"]["LOCATION"] not in {
        settings.CACHES[alias]["LOCATION"] for alias in ("default", "charts")
    }


def test_a_session_dropped_from_the_cache_is_read_from_its_table(clinician: User) -> None:
    client = logged_in(clinician)
    assert client.get(reverse("patients:list")).status_code == 200
    caches["sessions"].clear()
    assert client.get(reverse("patients:list")).status_code == 200


def test_ending_a_users_sessions_ends_their_cached_copies(clinician: User) -> None:
    client = logged_in(clinician)
    assert client.get(reverse("patients:list")).status_code == 200  # cached now
    assert lifecycle.end_sessions(clinician) == 1
    assert not Session.objects.exists()
    assert client.get(reverse("patients:list")).status_code == 302  # back to sign-in
