"""Where links in emails point, written once for every email BackPath sends (reminders,
alerts): ``settings.BACKPATH_BASE_URL``, the public address of this deployment."""

from __future__ import annotations

from django.conf import settings

from backpath.addresses import DEFAULT_BASE_URL


def base_url() -> str:
    """The public address without a trailing slash, e.g. ``https://clinic.example``."""
    return str(getattr(settings, "BACKPATH_BASE_URL", "") or DEFAULT_BASE_URL).rstrip("/")
