"""/fhir/...: ``metadata``, and every other address through ``views.api``, which routes it
by the CapabilityStatement (``routing``): what it does not list is a 404 or 405
OperationOutcome."""

from django.urls import URLPattern, path, re_path

from backpath.web.fhir import views

app_name = "fhir"

urlpatterns: list[URLPattern] = [
    path("metadata", views.metadata, name="metadata"),
    re_path(r"^(?P<path>[\s\S]*)$", views.api, name="api"),
]
