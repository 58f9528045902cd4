from django.apps import AppConfig


class SelfcheckConfig(AppConfig):
    name = "backpath.web.selfcheck"
    label = "selfcheck"
    verbose_name = "Public self-check and consultation requests"
