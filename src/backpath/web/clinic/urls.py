from django.urls import path

from backpath.web.clinic import discharge_views, identifier_views, views

app_name = "patients"

urlpatterns = [
    path("", views.patient_list, name="list"),
    path("new/", views.patient_create, name="create"),
    path("<int:patient_id>/", views.patient_detail, name="detail"),
    path("<int:patient_id>/episodes/new/", views.episode_open, name="episode_open"),
    path("<int:patient_id>/identifiers/", identifier_views.identifier_add, name="identifier_add"),
    path(
        "<int:patient_id>/identifiers/<int:identifier_id>/remove/",
        identifier_views.identifier_remove,
        name="identifier_remove",
    ),
    path("episodes/<int:episode_id>/intake/review/", views.intake_review, name="intake_review"),
    path("episodes/<int:episode_id>/intake/<slug:step>/", views.intake_step, name="intake"),
    path(
        "episodes/<int:episode_id>/intake/questionnaires/<slug:instrument>/",
        views.intake_questionnaire,
        name="intake_questionnaire",
    ),
    path("episodes/<int:episode_id>/discharge/", discharge_views.discharge, name="discharge"),
    path(
        "episodes/<int:episode_id>/letters/referral/question/",
        discharge_views.referral_question,
        name="referral_question",
    ),
    path("episodes/<int:episode_id>/letters/<slug:kind>/", discharge_views.letter, name="letter"),
]
