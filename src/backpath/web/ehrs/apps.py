from django.apps import AppConfig


class EhrsConfig(AppConfig):
    name = "backpath.web.ehrs"
    label = "ehrs"
    verbose_name = "EHR registrations"
