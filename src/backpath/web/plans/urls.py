from django.urls import path

from backpath.web.plans import views

app_name = "plans"

urlpatterns = [
    path("episode/<int:episode_id>/", views.plan_page, name="plan"),
]
