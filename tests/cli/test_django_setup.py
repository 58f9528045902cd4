"""``setup_django`` when Django is already set up (the test suite, any in-process caller)."""

from __future__ import annotations

import logging

from backpath.cli.django_setup import setup_django


def test_a_django_already_set_up_keeps_its_logging() -> None:
    """Set up again, Django would send log records to the stderr a command runner captured
    and then closed ("I/O operation on closed file" on every later warning)."""
    before = list(logging.getLogger().handlers)
    setup_django()
    assert logging.getLogger().handlers == before
