"""The lead's EHR registrations: ``/ehrs/`` (list and add) and deactivation."""

from django.urls import path

from backpath.web.ehrs import views

app_name = "ehrs"

urlpatterns = [
    path("", views.registrations, name="list"),
    path("record-numbers/", views.record_numbers, name="record_numbers"),
    path("<int:registration_id>/deactivate/", views.deactivate, name="deactivate"),
]
