from django.urls import path

from backpath.web.alerts import views

app_name = "alerts"

urlpatterns = [
    path("<int:alert_id>/acknowledge/", views.acknowledge_alert, name="acknowledge"),
]
