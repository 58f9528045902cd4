"""Where links in emails point, written once for every email BackPath sends (reminders,
alerts): ``settings.BACKPATH_BASE_URL``, the public address of this deployment."""

from __future__ import annotations

from django.conf import settings

DEFAULT_BASE_URL = "http://127.0.0.1:8000"
"""The demo's address, used when a deployment does not set its own."""


def base_url() -> str:
    """The public address without a trailing slash, e.g. ``https://clinic.example``."""
    return str(getattr(settings, "BACKPATH_BASE_URL", "") or DEFAULT_BASE_URL).rstrip("/")
