from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "backpath.web.api"
    label = "api"

    def ready(self) -> None:
        from backpath.web.api import signals  # noqa: F401 - revokes tokens on a new password
