"""/fhir/...: the FHIR R4 endpoints; anything else under /fhir/ is a 404 OperationOutcome."""

from django.urls import URLPattern, path, re_path

from backpath.web.fhir import views

app_name = "fhir"

urlpatterns: list[URLPattern] = [
    path("metadata", views.metadata, name="metadata"),
    path("Patient/<str:patient_id>", views.patient_read, name="patient"),
    path("Patient/<str:patient_id>/$everything", views.patient_everything, name="everything"),
    path("CarePlan", views.careplan_search, name="careplan-search"),
    path("Questionnaire/<str:questionnaire_id>", views.questionnaire_read, name="questionnaire"),
    re_path(r"^(?P<path>.*)$", views.unsupported),
]
