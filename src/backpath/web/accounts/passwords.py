"""Password length by role: staff logins open many patients' records, so they need at least
12 characters; a patient's at least 8. Django's other validators (common passwords, likeness
to the user's name, all digits) apply to everyone."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import MinimumLengthValidator

STAFF_MIN_LENGTH = 12
OTHER_MIN_LENGTH = 8


class RoleMinimumLengthValidator(MinimumLengthValidator):
    def __init__(self) -> None:
        super().__init__(min_length=OTHER_MIN_LENGTH)

    def _length_for(self, user: Any) -> int:
        is_patient = getattr(user, "is_patient", False)
        return OTHER_MIN_LENGTH if user is not None and is_patient else STAFF_MIN_LENGTH

    def validate(self, password: str, user: Any = None) -> None:
        MinimumLengthValidator(self._length_for(user)).validate(password, user)

    def get_help_text(self) -> str:
        return (
            f"At least {STAFF_MIN_LENGTH} characters for clinic staff, "
            f"{OTHER_MIN_LENGTH} for patients."
        )
