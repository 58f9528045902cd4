from django.urls import path

from backpath.web.outcomes import views

app_name = "outcomes"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("outcomes.csv", views.dashboard_csv, name="csv"),
    path("refresh", views.refresh, name="refresh"),
]
