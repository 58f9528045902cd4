"""Template context for every page: the disclaimer lives in one place."""

from __future__ import annotations

from django.http import HttpRequest

from backpath import DISCLAIMER, __version__


def backpath(request: HttpRequest) -> dict[str, str]:
    return {"disclaimer": DISCLAIMER, "backpath_version": __version__}
