"""Signing in with a username and password (Django's ``ModelBackend``), and the signed-in user
read back on every request with their clinic in the same query: every page's header names the
clinic, and the clinic is what every access rule compares, so one query serves both. The read
is prepared (``backpath.web.prepared``): every signed-in request makes it."""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from backpath.web.prepared import PreparedRead

PATH = "backpath.web.accounts.backends.ClinicModelBackend"


def _user_with_clinic(_: Hashable, pk: int) -> QuerySet[Any]:
    return get_user_model()._default_manager.select_related("clinic").filter(pk=pk)


_USER: PreparedRead[Any] = PreparedRead(_user_with_clinic, size=1)


class ClinicModelBackend(ModelBackend):
    def get_user(self, user_id: Any) -> Any:
        try:
            pk = get_user_model()._meta.pk.to_python(user_id)
        except ValidationError:
            return None
        user = _USER.first(None, pk)
        return user if user is not None and self.user_can_authenticate(user) else None
