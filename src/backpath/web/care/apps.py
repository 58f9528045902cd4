from django.apps import AppConfig


class CareConfig(AppConfig):
    """The patient's pages: My plan, Today, the handout, the diary page and progress."""

    name = "backpath.web.care"
    label = "care"
