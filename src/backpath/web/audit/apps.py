from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "backpath.web.audit"
    label = "audit"
