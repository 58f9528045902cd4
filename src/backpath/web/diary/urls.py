from django.urls import path

from backpath.web.diary import handout, review, today, views

app_name = "diary"

urlpatterns = [
    path("plan/", views.my_plan, name="my_plan"),
    path("today/", today.today, name="today"),
    path("today/log/", today.log_exercise, name="log_exercise"),
    path("program/", handout.handout, name="handout"),
    path("program.pdf", handout.handout_pdf, name="handout_pdf"),
    path("diary/", views.diary, name="diary"),
    path("progress/", views.progress, name="progress"),
    path("review/<int:episode_id>/", review.review, name="review"),
]
