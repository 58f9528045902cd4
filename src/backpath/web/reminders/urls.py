from django.urls import path

from backpath.web.reminders import views

app_name = "reminders"

urlpatterns = [
    path("reminders/", views.reminder_settings, name="settings"),
    path("program.ics", views.program_ics, name="program_ics"),
    path("calendar/new/", views.feed_new, name="feed_new"),
    path("calendar/stop/", views.feed_stop, name="feed_stop"),
    path("calendar/<str:secret>.ics", views.calendar_feed, name="feed"),
]
