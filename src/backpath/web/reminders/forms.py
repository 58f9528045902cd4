"""The reminder settings form: on or off, the address, the hour and the time zone."""

from __future__ import annotations

import zoneinfo
from functools import cache
from typing import Any

from django import forms
from django.conf import settings

from backpath.web.reminders.models import ReminderPreference

HOURS = [(h, f"{h:02d}:00") for h in range(24)]


@cache
def zone_choices() -> list[tuple[str, str]]:
    names = sorted(z for z in zoneinfo.available_timezones() if "/" in z and z[0].isupper())
    clinic = f"The clinic's time zone ({settings.TIME_ZONE})"
    return [("", clinic), *((z, z.replace("_", " ")) for z in names)]


class ReminderForm(forms.ModelForm):
    enabled = forms.BooleanField(label="Email me on days with home exercises", required=False)
    email = forms.EmailField(
        label="Email address",
        required=False,
        help_text="Where the reminders go, e.g. name@example.org.",
        error_messages={"invalid": "Enter an email address such as name@example.org."},
    )
    hour = forms.TypedChoiceField(
        label="Send at",
        choices=HOURS,
        coerce=int,
        help_text="Your local time. The email comes within the hour after this.",
        error_messages={
            "invalid_choice": "Choose an hour from 00:00 to 23:00.",
            "required": "Required. Choose an hour from 00:00 to 23:00.",
        },
    )
    timezone = forms.ChoiceField(
        label="Time zone",
        required=False,
        choices=zone_choices,
        error_messages={"invalid_choice": "Choose a time zone from the list, e.g. Europe/London."},
    )

    class Meta:
        model = ReminderPreference
        fields = ["enabled", "email", "hour", "timezone"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound and not self.instance.timezone:
            # No zone chosen yet: reminders.js may preselect the browser's (and says so);
            # without JavaScript the clinic's zone stays selected.
            self.fields["timezone"].widget.attrs["data-browser-zone"] = "1"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("enabled") and not data.get("email") and "email" not in self.errors:
            self.add_error(
                "email", "Needed to send reminders: enter your email address, or turn them off."
            )
        return data
