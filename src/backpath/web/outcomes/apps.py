from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "backpath.web.outcomes"
    label = "outcomes"
    verbose_name = "Outcomes: each episode's result and the clinic's dashboard"
