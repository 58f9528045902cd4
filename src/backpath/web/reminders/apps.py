from django.apps import AppConfig


class RemindersConfig(AppConfig):
    name = "backpath.web.reminders"
    label = "reminders"
    verbose_name = "Reminders and calendar"
