"""Whole pages served again while nothing they show has changed.

A busy page (the clinician's plan page above all) is rendered once per *stamp*: the rows it
shows, as the view has just read them, with the user it is rendered for and the day. Any
change to any of those rows changes the stamp, so an entry can never be stale and nothing has
to be invalidated; the view still reads the rows, checks access and records the read on every
request, and only the rendering is saved. What differs per request is left out of the entry:
the CSRF token is rendered as a placeholder and put back for each response, and a request with
messages to show, or an htmx request, is rendered fresh. Entries live in each process's memory
(the ``fragments`` cache), as the sections of the plan page do.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Iterable
from typing import Any

from django.contrib.messages import get_messages
from django.core.cache import caches
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils import timezone

SECONDS = 3600
TOKEN_PLACEHOLDER = "csrf-placeholder-" + secrets.token_hex(16)
"""Stands for the CSRF token in a stored page; random per process, so no input can forge it."""


def row(obj: Any) -> Any:
    """What a row shows: its model and every loaded field's value. Deferred fields are left
    out rather than loaded: a view defers only a large document whose every change another
    field of the row tells (a plan version's ``revision``, an intake's ``updated``). Anything
    else stands for itself."""
    if not isinstance(obj, Model):
        return obj
    deferred = obj.get_deferred_fields()
    fields = obj._meta.concrete_fields
    return (
        obj._meta.label,
        *(getattr(obj, f.attname) for f in fields if f.attname not in deferred),
    )


def viewer(request: HttpRequest) -> tuple[Any, ...]:
    """The signed-in user as every page's header shows them (name, role, clinic)."""
    user = request.user
    clinic = getattr(user, "clinic", None)
    return (row(user), row(clinic))


def stamp(request: HttpRequest, parts: Iterable[Any]) -> str:
    """The key of a page: the path, the viewer, today's date and the view's ``parts`` (rows
    and values it shows)."""
    shown = tuple(row(part) for part in parts)
    text = repr((request.path, viewer(request), timezone.localdate(), shown))
    return "page:" + hashlib.sha256(text.encode()).hexdigest()


def servable(request: HttpRequest) -> bool:
    """Only a plain GET is served from a stored page: messages waiting to be shown and htmx
    requests (which swap parts of a page) are rendered fresh."""
    if request.method != "GET" or getattr(request, "htmx", False):
        return False
    return len(get_messages(request)) == 0


def render_page(
    request: HttpRequest,
    template: str,
    parts: Iterable[Any],
    context: Callable[[], dict[str, Any] | HttpResponse],
) -> HttpResponse:
    """``template`` rendered with ``context()`` (built only when the page is not stored), or
    the page stored under the same stamp, with this request's CSRF token put in. When
    ``context()`` gives a response instead (the record cannot be shown), that is sent and
    nothing is stored."""
    if not servable(request):
        built = context()
        if isinstance(built, HttpResponse):
            return built
        return HttpResponse(render_to_string(template, built, request=request))
    store = caches["fragments"]
    key = stamp(request, parts)
    html = store.get(key)
    if html is None:
        built = context()
        if isinstance(built, HttpResponse):
            return built
        html = render_to_string(
            template, {**built, "csrf_token": TOKEN_PLACEHOLDER}, request=request
        )
        store.set(key, html, SECONDS)
    return HttpResponse(html.replace(TOKEN_PLACEHOLDER, get_token(request)))
