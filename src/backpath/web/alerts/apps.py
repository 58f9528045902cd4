from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "backpath.web.alerts"
    label = "alerts"
