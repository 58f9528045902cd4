"""``manage.py seed_demo``: create the demo clinic (idempotent). ``backpath demo`` runs it."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from backpath.web.demo.builder import build_demo, login_lines


class Command(BaseCommand):
    help = "Create the BackPath demo clinic, its accounts and 12 patients (safe to re-run)."

    def handle(self, *args: Any, **options: Any) -> None:
        result = build_demo()
        self.stdout.write(
            f"Demo clinic ready: {result.patients_created} patients created, "
            f"{result.patients_existing} already there."
        )
        self.stdout.write("Logins (username, password):")
        for line in login_lines(result):
            self.stdout.write(line)
