from django.apps import AppConfig


class CdsConfig(AppConfig):
    name = "backpath.web.cds"
    label = "cds"
    verbose_name = "CDS Hooks service"
