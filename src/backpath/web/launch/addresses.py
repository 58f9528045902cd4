"""BackPath's two SMART addresses an EHR registers, absolute, from ``BACKPATH_BASE_URL`` (the
public address of this deployment; never the request's Host header, which a client chooses):
the launch URL (also the ``url`` of a CDS Hooks card link of ``type: "smart"``) and the redirect
URI. An EHR compares the redirect URI exactly, so the browser must reach BackPath at that
address for the session (and the launch's state) to be found when the EHR sends it back."""

from __future__ import annotations

from django.urls import reverse

from backpath.web.links import base_url


def launch_url() -> str:
    """``{BACKPATH_BASE_URL}/launch/smart``; the EHR adds ``?iss=...&launch=...``."""
    return base_url() + reverse("launch:smart")


def redirect_uri() -> str:
    """``{BACKPATH_BASE_URL}/launch/smart/callback``."""
    return base_url() + reverse("launch:callback")
