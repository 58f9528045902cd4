from django.urls import path

from backpath.web.api.v1 import api

urlpatterns = [path("", api.urls)]
