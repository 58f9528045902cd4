from django.apps import AppConfig


class LoginsConfig(AppConfig):
    name = "backpath.web.logins"
    label = "logins"
    verbose_name = "Logins: invitations, one-time links, staff"

    def ready(self) -> None:
        from backpath.web.logins import signals  # noqa: F401 - connects the audit receivers
