from django.urls import path
from django.views.generic import RedirectView

from backpath.web.care import handout, today, views

app_name = "care"

urlpatterns = [
    path("", views.start, name="start"),
    path("plan/", views.my_plan, name="my_plan"),
    path("today/", today.today, name="today"),
    path("today/log/", today.log_exercise, name="log_exercise"),
    path("program/", handout.handout, name="handout"),
    path("program.pdf", handout.handout_pdf, name="handout_pdf"),
    path("summary.pdf", handout.summary_pdf, name="summary_pdf"),
    path("diary/", views.diary, name="diary"),
    path("progress/", views.progress, name="progress"),
    # The review moved to the plan's URLs (review app); old links and bookmarks still work.
    path(
        "review/<int:episode_id>/",
        RedirectView.as_view(pattern_name="review:review", permanent=True, query_string=True),
        name="old_review",
    ),
]
