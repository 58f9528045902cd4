"""Signing in with a username and password (Django's ``ModelBackend``), and the signed-in user
read back on every request with their clinic in the same query: every page's header names the
clinic, and the clinic is what every access rule compares, so one query serves both."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

PATH = "backpath.web.accounts.backends.ClinicModelBackend"


class ClinicModelBackend(ModelBackend):
    def get_user(self, user_id: Any) -> Any:
        model = get_user_model()
        try:
            user = model._default_manager.select_related("clinic").get(pk=user_id)
        except model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
