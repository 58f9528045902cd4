from django.urls import path

from backpath.web.reminders import views

app_name = "reminders"

urlpatterns = [
    path("reminders/", views.reminder_settings, name="settings"),
    path("program.ics", views.program_ics, name="program_ics"),
]
