from django.urls import path

from backpath.web.questionnaires import views

app_name = "questionnaires"

urlpatterns = [
    path("q/<str:secret>/", views.fill, name="fill"),
    path("me/questionnaires/<int:request_id>/", views.fill_in_app, name="fill_in_app"),
    path("patients/<int:patient_id>/questionnaires/send/", views.send, name="send"),
    path("questionnaires/<int:request_id>/confirm/", views.confirm, name="confirm"),
]
