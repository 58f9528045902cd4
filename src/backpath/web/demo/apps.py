from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo clinic: its generated data and the ``seed_demo`` command that makes it."""

    name = "backpath.web.demo"
    label = "demo"
