"""The parameters of a search (and of ``$everything``) as the request gives them.

Lenient by default, as FHIR's search page asks: a parameter the server does not support is
ignored, and left out of the links so the client sees what was used. With
``Prefer: handling=strict`` it is a 400 naming it. ``_format`` and ``_pretty`` are accepted
everywhere. A supported parameter with a bad value is always a 400 naming it.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.http import HttpRequest
from django.utils import timezone
from fhir.resources.R4B.domainresource import DomainResource

from backpath.errors import InvalidInput
from backpath.interop.fhir_search import DateCondition, date_condition, reference_id
from backpath.web.fhir.paging import PAGING_PARAMS, Page, read_page
from backpath.web.fhir.responses import FhirError

COMMON_PARAMS = frozenset({"_format", "_pretty"})


def strict(request: HttpRequest) -> bool:
    prefer = request.headers.get("Prefer", "").replace(" ", "").lower().split(",")
    return "handling=strict" in prefer


def used_params(request: HttpRequest, supported: frozenset[str]) -> list[tuple[str, str]]:
    """The filter parameters the server uses, in the order given (paging ones left out);
    with strict handling, a 400 for the first one it does not support."""
    unknown = sorted(set(request.GET) - supported - COMMON_PARAMS)
    if unknown and strict(request):
        allowed = ", ".join(sorted(supported)) or "none"
        raise FhirError(
            400,
            "not-supported",
            f"{unknown[0][:64]}: unsupported parameter (supported: {allowed}).",
        )
    return [
        (name, value)
        for name in request.GET
        if name in supported and name not in PAGING_PARAMS
        for value in request.GET.getlist(name)
    ]


def optional(request: HttpRequest, name: str, usage: str) -> str | None:
    """The single value of ``name``, or None when it is absent or empty; 400 if repeated."""
    values = request.GET.getlist(name)
    if len(values) > 1:
        raise InvalidInput(name, f"given {len(values)} times; {usage}.")
    return values[0] if values and values[0].strip() else None


def required(request: HttpRequest, name: str, usage: str) -> str:
    """The single value of ``name``; 400 when it is missing, empty or repeated."""
    value = optional(request, name, usage)
    if value is None:
        raise InvalidInput(name, f"required; {usage}.")
    return value


def page_of(request: HttpRequest, path: str, params: Sequence[tuple[str, str]]) -> Page:
    """The page asked for; ``_count`` and ``_page`` may each be given once."""
    for name in ("_count", "_page"):
        if len(request.GET.getlist(name)) > 1:
            raise InvalidInput(name, "given more than once; give it once.")
    return read_page(path, params, request.GET.get("_count"), request.GET.get("_page"))


def patient_id(request: HttpRequest, base_url: str) -> str:
    """The id in ``patient`` (``12``, ``Patient/12`` or ``<base>/Patient/12``)."""
    raw = required(request, "patient", "give one Patient id, such as 12 or Patient/12")
    return reference_id("patient", raw, "Patient", base_url)


def last_updated(request: HttpRequest) -> list[DateCondition]:
    """Every ``_lastUpdated`` condition (all must hold), read in the server's time zone."""
    zone = timezone.get_default_timezone()
    return [
        date_condition("_lastUpdated", raw, zone) for raw in request.GET.getlist("_lastUpdated")
    ]


def updated_within(
    resources: Sequence[DomainResource], conditions: Sequence[DateCondition]
) -> list[DomainResource]:
    """The resources whose ``meta.lastUpdated`` meets every condition."""
    return [
        r
        for r in resources
        if r.meta is not None
        and r.meta.lastUpdated is not None
        and all(c.matches(r.meta.lastUpdated) for c in conditions)
    ]
