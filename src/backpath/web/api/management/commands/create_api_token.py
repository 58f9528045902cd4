"""``python -m backpath.web create_api_token USERNAME [--name N] [--scope S] [--days D]``:
issue a token, print the key.

The key goes to stdout alone (for scripts); the note about it to stderr. Only its hash is stored.
Its owner sees and revokes it on their API tokens page (/tokens/).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from backpath.web.api.models import DEFAULT_DAYS, SCOPES, ApiToken


class Command(BaseCommand):
    help = "Issue an API token for a user and print the key (shown only this once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="What the token is for, e.g. 'EHR sync'.")
        parser.add_argument("--scope", default="full", help=f"One of {', '.join(SCOPES)}.")
        parser.add_argument("--days", type=int, default=DEFAULT_DAYS, help="Days until it expires.")

    def handle(
        self, *args: Any, username: str, name: str, scope: str, days: int, **options: Any
    ) -> None:
        try:
            user = get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist:
            raise CommandError(f"username: no user {username!r}") from None
        if not user.is_active:
            raise CommandError(f"username: {username!r} is not active")
        if len(name) > 100:
            raise CommandError("--name: keep it to 100 characters or fewer")
        if scope not in SCOPES:
            raise CommandError(f"--scope: must be one of {', '.join(SCOPES)} (got {scope!r})")
        if not 1 <= days <= 3650:
            raise CommandError("--days: from 1 to 3650")
        token, key = ApiToken.issue(user, name=name, scope=scope, days=days)
        self.stderr.write(
            f"Token {token.prefix}… for {username}. Store the key now; it cannot be shown again. "
            "Send it as 'Authorization: Bearer <key>'."
        )
        self.stdout.write(key)
