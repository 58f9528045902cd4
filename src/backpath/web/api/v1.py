"""REST API v1 (Django Ninja). OpenAPI at /api/docs and /api/openapi.json."""

from __future__ import annotations

from typing import Any

from ninja import NinjaAPI

from backpath import DISCLAIMER
from backpath.engine import assess_and_plan
from backpath.errors import InvalidInput

api = NinjaAPI(
    title="BackPath API",
    version="1",
    description="Evidence-based, non-surgical back pain care. " + DISCLAIMER,
    urls_namespace="api",
)


@api.post("/v1/assess", tags=["assess"], summary="Assess an intake and return the plan")
def assess(request: Any, intake: dict[str, Any]) -> Any:
    try:
        return assess_and_plan(intake).to_json_dict()
    except InvalidInput as exc:
        return api.create_response(request, {"detail": str(exc), "field": exc.field}, status=422)
