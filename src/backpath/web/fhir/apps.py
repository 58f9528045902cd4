from django.apps import AppConfig


class FhirConfig(AppConfig):
    name = "backpath.web.fhir"
    label = "fhir"
    verbose_name = "FHIR endpoints"
