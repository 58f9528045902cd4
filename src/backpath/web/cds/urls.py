"""Mounted at ``cds-services`` (no trailing slash), as the CDS Hooks specification fixes."""

from django.urls import path

from backpath.interop.cds_hooks import SERVICE_ID
from backpath.web.cds import views

app_name = "cds"

urlpatterns = [
    path("", views.discovery, name="discovery"),
    path(f"/{SERVICE_ID}", views.patient_view, name="patient-view"),
]
