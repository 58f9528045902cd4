"""The words of the email that tells the clinic about an alert. It names no patient (only the
record number), since email is not a safe place for health data: the link leads to the
record, where the clinician signs in."""

from __future__ import annotations

from backpath import DISCLAIMER


def alert_email(
    *, urgency: str, origin: str, patient_id: int | None, reported: str, advice: str,
    clinic: str, link: str,
) -> tuple[str, str]:  # fmt: skip
    """(subject, body) for an alert of ``urgency`` ('Same day', ...) raised through ``origin``
    ('Exercise log', ...): what was reported, what the person was told, where to act."""
    who = f"patient record {patient_id}" if patient_id else "a self-check visitor"
    lines = [
        f"{urgency}: {who} reported through the {origin.lower()}:",
        "",
        reported,
        "",
        "They were told:",
        advice,
        "",
        f"Open it and acknowledge the alert: {link}",
        "",
        DISCLAIMER,
    ]
    return f"BackPath alert ({urgency}) at {clinic}", "\n".join(lines) + "\n"
