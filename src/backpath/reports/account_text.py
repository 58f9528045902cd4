"""The words of the emails and the letter that give someone their BackPath login: an
invitation (staff or patient), the first lead's welcome, a password reset. Each names the
clinic, says how long the link works and that it works once, and carries the disclaimer; none
names a health detail (email is not a safe place for it)."""

from __future__ import annotations

import datetime as dt

from backpath import DISCLAIMER

ROLE_WORDS = {
    "lead": "a clinic lead (you manage the clinic's staff)",
    "clinician": "a clinician",
    "patient": "a patient (your plan, diary and exercises)",
}


def expiry_words(expires: dt.datetime) -> str:
    """'3 Dec 2026 at 14:05 UTC': when a one-time link stops working."""
    return f"{expires:%-d %b %Y at %H:%M} {expires.tzname() or 'UTC'}"


def invitation_email(
    *, name: str, clinic: str, role: str, link: str, expires: dt.datetime, by: str = ""
) -> tuple[str, str]:
    """(subject, body) inviting ``name`` to sign in to ``clinic``'s BackPath as ``role``."""
    who = f"{by} at {clinic}" if by else clinic
    lines = [
        f"Hello {name}," if name else "Hello,",
        "",
        f"{who} has invited you to BackPath as {ROLE_WORDS.get(role, role)}.",
        "Open this link to choose your password and sign in:",
        "",
        link,
        "",
        f"The link works once and until {expiry_words(expires)}. If it has expired, ask the "
        "clinic to send a new one. If you did not expect this email, you can ignore it.",
        "",
        DISCLAIMER,
    ]
    return f"Your BackPath login at {clinic}", "\n".join(lines) + "\n"


def letter_lines(*, name: str, clinic: str, username: str, expires: dt.datetime) -> list[str]:
    """The printed invitation's paragraphs (the page adds the link and its QR code)."""
    return [
        f"Dear {name},",
        f"{clinic} uses BackPath to share your care plan with you, and for your pain diary "
        "and home exercises.",
        "To start, scan the code with your phone's camera, or type the address below into a "
        "web browser, and choose a password.",
        f"Your sign-in name is {username}.",
        f"The link works once and until {expiry_words(expires)}. If it has expired, ask the "
        "clinic for a new letter.",
    ]
