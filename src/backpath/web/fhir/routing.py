"""Which FHIR interaction a request asks for, read from its method and address as FHIR R4's
RESTful API lays them out, and whether the server serves it (``capability.SERVED``).

    GET  [type]                    search-type         POST [type]           create
    POST [type]/_search            search-type (POST)  GET  [type]/_history  history-type
    GET  [type]/[id]               read                PUT/PATCH/DELETE      update/patch/delete
    GET  [type]/[id]/_history      history-instance    GET  .../_history/[v] vread
    GET  [type]/$[op], [type]/[id]/$[op]               an operation

A type the statement does not list: 404. An interaction it does not list for a listed type
(or a method FHIR defines nothing for at that address): 405, with ``Allow`` naming the
methods that address does answer. An operation it does not list: 404. HEAD is GET.
"""

from __future__ import annotations

from dataclasses import dataclass

from backpath.interop.capability import BY_TYPE, READ, SEARCH, SERVED
from backpath.web.fhir.responses import FhirError

GET = ("GET", "HEAD")
INSTANCE_METHODS = {"PUT": "update", "PATCH": "patch", "DELETE": "delete"}


@dataclass(frozen=True)
class Route:
    resource_type: str
    interaction: str | None
    """A FHIR interaction code, or None for a method FHIR defines nothing for here."""
    resource_id: str | None = None
    operation: str | None = None


def route(path: str, method: str) -> Route:
    """The interaction ``method`` on ``path`` (below the base) asks for; a 404 FhirError
    for addresses that are no FHIR interaction or name a type the server does not serve."""
    parts = path.split("/")
    kind = parts[0]
    if kind not in BY_TYPE:
        served = ", ".join(s.type for s in SERVED)
        raise FhirError(
            404, "not-supported", f"{kind[:64] or '/'}: not served here; this server serves "
            f"metadata and the types {served}."
        )  # fmt: skip
    get = method in GET
    if len(parts) == 1:
        return Route(kind, SEARCH if get else "create" if method == "POST" else None)
    second = parts[1]
    if len(parts) == 2 and second.startswith("$"):
        return Route(kind, None, operation=second[1:])
    if len(parts) == 2 and second == "_search":
        return Route(kind, None)  # search by POST: not offered (GET only)
    if len(parts) == 2 and second == "_history":
        return Route(kind, "history-type" if get else None)
    if len(parts) == 2 and second:
        interaction = READ if get else INSTANCE_METHODS.get(method)
        return Route(kind, interaction, resource_id=second)
    if len(parts) == 3 and second and parts[2].startswith("$"):
        return Route(kind, None, resource_id=second, operation=parts[2][1:])
    if len(parts) == 3 and second and parts[2] == "_history":
        return Route(kind, "history-instance" if get else None, resource_id=second)
    if len(parts) == 4 and second and parts[2] == "_history" and parts[3]:
        return Route(kind, "vread" if get else None, resource_id=second)
    raise FhirError(
        404, "not-supported", f"/{path[:100]}: not a FHIR interaction this server knows."
    )


def allowed_methods(found: Route) -> str:
    """What the ``Allow`` header of a 405 at this address says."""
    interactions = BY_TYPE[found.resource_type].interactions
    if found.resource_id is None and found.interaction in (SEARCH, "create", None):
        return "GET, HEAD" if SEARCH in interactions else ""
    if found.resource_id is not None and found.interaction in (
        READ,
        *INSTANCE_METHODS.values(),
        None,
    ):
        return "GET, HEAD" if READ in interactions else ""
    return ""


def not_allowed(found: Route, method: str) -> FhirError:
    """The 405 for an interaction the server does not offer on a type it serves."""
    what = found.interaction or f"{method} here"
    allow = allowed_methods(found)
    served = ", ".join(BY_TYPE[found.resource_type].interactions)
    return FhirError(
        405,
        "not-supported",
        f"{found.resource_type}: {what} is not supported; this server is read-only and "
        f"offers {served} for {found.resource_type} (allowed here: {allow or 'no method'}).",
        {"Allow": allow},
    )
