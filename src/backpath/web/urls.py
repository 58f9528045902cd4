"""Root URLs. Each bounded context owns its URLs; the REST API lives under /api/."""

from django.contrib import admin
from django.http import HttpRequest, JsonResponse
from django.urls import include, path

from backpath.web.readiness import readiness


def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness: the process answers (nothing else is checked, so a slow database never gets
    a healthy server restarted)."""
    return JsonResponse({"status": "ok"})


def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness: the database answers a query and the data folder is writable; 503 naming
    what failed otherwise, so a load balancer sends no one to a server that cannot work."""
    failed = {name: problem for name, problem in readiness().items() if problem}
    status = 503 if failed else 200
    return JsonResponse({"status": "unavailable" if failed else "ready", "failed": failed},
                        status=status)  # fmt: skip


urlpatterns = [
    path("", include("backpath.web.accounts.urls")),
    path("", include("backpath.web.logins.urls")),
    path("patients/", include("backpath.web.clinic.urls")),
    path("plans/", include("backpath.web.plans.urls")),
    path("plans/", include("backpath.web.review.urls")),
    path("me/", include("backpath.web.care.urls")),
    path("me/", include("backpath.web.reminders.urls")),
    path("api/", include("backpath.web.api.urls")),
    path("tokens/", include("backpath.web.api.token_urls")),
    path("audit/", include("backpath.web.audit.urls")),
    path("outcomes/", include("backpath.web.outcomes.urls")),
    path("alerts/", include("backpath.web.alerts.urls")),
    path("fhir/", include("backpath.web.fhir.urls")),
    path("ehrs/", include("backpath.web.ehrs.urls")),
    path("", include("backpath.web.cds.urls")),
    path("launch/", include("backpath.web.launch.urls")),
    path("", include("backpath.web.selfcheck.urls")),
    path("", include("backpath.web.questionnaires.urls")),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
]
