"""Sign-in events into the audit trail: a failed sign-in and a lockout, with the address they
came from (Django's and django-axes' own signals)."""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_login_failed
from django.dispatch import receiver

from backpath.web.audit.record import client_ip, record_event


def _where(request: Any) -> dict[str, Any]:
    if request is None:
        return {}
    return {"ip": client_ip(request), "path": request.path, "method": request.method or ""}


@receiver(user_login_failed)
def login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **_: Any) -> None:
    name = str(credentials.get("username", ""))[:150]
    record_event(
        None, "login_failed", None, detail=f"failed sign-in as {name!r}", **_where(request)
    )


@receiver(user_locked_out)
def locked_out(sender: Any, request: Any = None, username: str = "", **_: Any) -> None:
    record_event(
        None, "lockout", None, detail=f"sign-in paused for {username!r}", **_where(request)
    )
