"""``python -m backpath.web send_reminders``: the same run as ``backpath send-reminders``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from backpath.errors import InvalidInput
from backpath.web.reminders.reminders import parse_day, send_reminders


class Command(BaseCommand):
    help = "Email today's home exercises to patients who turned reminders on (at most once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="The day (YYYY-MM-DD) for everyone, whatever the hour")
        parser.add_argument("--dry-run", action="store_true", help="Send and record nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        try:
            day: dt.date | None = parse_day(options["date"], now) if options["date"] else None
        except InvalidInput as exc:
            raise CommandError(str(exc)) from None
        result = send_reminders(now, day=day, dry_run=options["dry_run"])
        self.stdout.write(result.summary())
        if result.failed:
            raise CommandError(f"{result.failed} reminders failed; the next run retries them.")
