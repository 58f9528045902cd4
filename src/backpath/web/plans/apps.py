from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "backpath.web.plans"
    label = "plans"
