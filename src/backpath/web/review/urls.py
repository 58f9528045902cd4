from django.urls import path

from backpath.web.review import views

app_name = "review"

urlpatterns = [
    path("episode/<int:episode_id>/review/", views.review, name="review"),
]
