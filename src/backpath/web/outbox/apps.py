from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "backpath.web.outbox"
    label = "outbox"
    verbose_name = "Outbox: emails sent once, in the background"
