from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "backpath.web.review"
    label = "review"
