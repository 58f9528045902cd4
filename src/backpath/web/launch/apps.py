from django.apps import AppConfig


class LaunchConfig(AppConfig):
    name = "backpath.web.launch"
    label = "launch"
