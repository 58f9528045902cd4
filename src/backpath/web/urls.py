"""Root URLs. Each bounded context owns its URLs; the REST API lives under /api/."""

from django.contrib import admin
from django.http import HttpRequest, JsonResponse
from django.urls import include, path


def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


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
    path("alerts/", include("backpath.web.alerts.urls")),
    path("fhir/", include("backpath.web.fhir.urls")),
    path("", include("backpath.web.cds.urls")),
    path("", include("backpath.web.selfcheck.urls")),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
]
