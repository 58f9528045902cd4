"""``/launch/smart`` is the launch URL an EHR registers, ``/launch/smart/callback`` the
redirect URI (neither with a trailing slash: EHRs compare them exactly); the rest are pages."""

from django.urls import path

from backpath.web.launch import registration_views, views

app_name = "launch"

urlpatterns = [
    path("smart", views.launch, name="smart"),
    path("smart/callback", views.callback, name="callback"),
    path("smart/continue/", views.resume, name="resume"),
    path("smart/new/<str:key>/", views.confirm, name="confirm"),
    path("ehrs/", registration_views.ehrs, name="ehrs"),
    path("ehrs/<int:ehr_id>/deactivate/", registration_views.deactivate, name="deactivate"),
]
