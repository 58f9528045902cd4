from django.apps import AppConfig


class PatientsConfig(AppConfig):
    name = "backpath.web.patients"
    label = "patients"
