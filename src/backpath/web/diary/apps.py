from django.apps import AppConfig


class DiaryConfig(AppConfig):
    name = "backpath.web.diary"
    label = "diary"
