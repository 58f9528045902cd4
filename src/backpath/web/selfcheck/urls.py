from django.urls import path

from backpath.web.selfcheck import views

app_name = "selfcheck"

urlpatterns = [
    path("check/<int:clinic_id>/", views.start, name="start"),
    path("check/<int:clinic_id>/basics/", views.basics, name="basics"),
    path("check/<int:clinic_id>/request/", views.submit, name="submit"),
    path("requests/", views.queue, name="queue"),
    path("requests/<int:request_id>/convert/", views.convert, name="convert"),
    path("requests/<int:request_id>/status/", views.change_status, name="status"),
]
