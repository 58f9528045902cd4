"""The words of the email that asks a patient to fill in questionnaires, and of its reminder.
Like every BackPath email it names no health detail, says how long the link works and that
it works once, and carries the disclaimer."""

from __future__ import annotations

import datetime as dt

from backpath import DISCLAIMER
from backpath.reports.account_text import expiry_words


def questionnaire_email(*, name: str, clinic: str, link: str, expires: dt.datetime,
                        count: int, reminder: bool = False) -> tuple[str, str]:  # fmt: skip
    """(subject, body) asking ``name`` to answer ``count`` short questionnaires."""
    what = f"{count} short questionnaire{'s' if count != 1 else ''}"
    lines = [
        f"Hello {name}," if name else "Hello,",
        "",
        (f"A reminder: {clinic} asked you to fill in {what}." if reminder
         else f"{clinic} asks you to fill in {what} before your next appointment."),
        "They take a few minutes and work on a phone. Open this link:",
        "",
        link,
        "",
        f"The link works once and until {expiry_words(expires)}. If something worries you "
        "about your health, do not wait for the appointment: contact the clinic or a doctor.",
        "",
        DISCLAIMER,
    ]  # fmt: skip
    subject = f"{'Reminder: q' if reminder else 'Q'}uestionnaires from {clinic}"
    return subject, "\n".join(lines) + "\n"
