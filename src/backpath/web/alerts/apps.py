from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "backpath.web.alerts"
    label = "alerts"

    def ready(self) -> None:
        # Connects the receiver that shows a failed alert email on the alert (in the worker
        # process too, which imports no view).
        from backpath.web.alerts import notify  # noqa: F401
