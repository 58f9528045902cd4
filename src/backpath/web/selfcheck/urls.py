from django.urls import path

from backpath.web.selfcheck import views

app_name = "selfcheck"

urlpatterns = [
    path("check/<int:clinic_id>/", views.start, name="start"),
    path("check/<int:clinic_id>/basics/", views.basics, name="basics"),
    path("check/<int:clinic_id>/help-now/", views.act_now, name="act_now"),
    path("check/<int:clinic_id>/options/", views.options, name="options"),
    path("check/<int:clinic_id>/request/", views.submit, name="submit"),
    path("check/<int:clinic_id>/sent/", views.thanks, name="thanks"),
    path("requests/", views.queue, name="queue"),
    path("requests/<int:request_id>/convert/", views.convert, name="convert"),
    path("requests/<int:request_id>/status/", views.change_status, name="status"),
]
