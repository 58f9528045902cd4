from django.urls import path

from backpath.web.diary import review, views

app_name = "diary"

urlpatterns = [
    path("plan/", views.my_plan, name="my_plan"),
    path("diary/", views.diary, name="diary"),
    path("progress/", views.progress, name="progress"),
    path("review/<int:episode_id>/", review.review, name="review"),
]
