"""``/cds-services`` and ``/cds-services/<id>``: no trailing slash, as the CDS Hooks
specification fixes; mounted at the root so Django's include() needs no slash either."""

from django.urls import path

from backpath.interop.cds_hooks import SERVICE_ID
from backpath.web.cds import views

app_name = "cds"

urlpatterns = [
    path("cds-services", views.discovery, name="discovery"),
    path(f"cds-services/{SERVICE_ID}", views.patient_view, name="patient-view"),
]
