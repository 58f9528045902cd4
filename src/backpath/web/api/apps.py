from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "backpath.web.api"
    label = "api"
