"""One-time links that let a person choose a password: an invitation, the first lead's
welcome, a password reset.

Django's own token machinery signs them (``default_token_generator``): a token is bound to the
user's id, password hash and last sign-in, so it stops working once a password is chosen (it
works once) or a newer invitation replaces the password hash, and it expires after
``settings.PASSWORD_RESET_TIMEOUT`` (72 hours unless ``BACKPATH_LINK_HOURS`` says otherwise).
Nothing here is home-made cryptography.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from backpath.web.links import base_url


@dataclass(frozen=True)
class OneTimeLink:
    url: str
    expires: dt.datetime


def lifetime() -> dt.timedelta:
    return dt.timedelta(seconds=int(settings.PASSWORD_RESET_TIMEOUT))


def welcome_link(user: Any) -> OneTimeLink:
    """A link to choose a first password (an invitation). Call ``reissue`` first so earlier
    links of the same user stop working."""
    return _link("logins:welcome", user)


def reset_link(user: Any) -> OneTimeLink:
    return _link("logins:reset_confirm", user)


def reissue(user: Any) -> None:
    """Give a user without a chosen password a fresh unusable one: every link sent before
    stops working (re-send and revoke)."""
    user.set_unusable_password()
    user.save(update_fields=["password"])


def _link(name: str, user: Any) -> OneTimeLink:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    path = reverse(name, kwargs={"uidb64": uid, "token": default_token_generator.make_token(user)})
    return OneTimeLink(url=base_url() + path, expires=timezone.now() + lifetime())
