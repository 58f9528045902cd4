from django.urls import path

from backpath.web.diary import views

app_name = "diary"

urlpatterns = [
    path("plan/", views.my_plan, name="my_plan"),
    path("diary/", views.diary, name="diary"),
    path("progress/", views.progress, name="progress"),
]
