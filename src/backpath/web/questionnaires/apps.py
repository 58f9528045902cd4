from django.apps import AppConfig


class QuestionnairesConfig(AppConfig):
    name = "backpath.web.questionnaires"
    label = "questionnaires"
    verbose_name = "Questionnaires the patient fills in"
