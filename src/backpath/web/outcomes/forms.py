"""The dashboard's filters: a period, its grain, and the case-mix groups to look at."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from backpath.web.accounts.models import STAFF_ROLES, User
from backpath.web.outcomes.dashboard import PHASE_LABELS, STARTBACK_LABELS, Filters

MAX_YEARS = 5
# A browser's date field only takes ISO dates; Django would render the locale's format.
ISO_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def default_range(today: dt.date) -> tuple[dt.date, dt.date]:
    """The last twelve whole months and this one."""
    start = dt.date(today.year - 1, today.month, 1)
    return start, today


class FilterForm(forms.Form):
    start = forms.DateField(label="From", widget=ISO_DATE)
    end = forms.DateField(label="To", widget=ISO_DATE)
    grain = forms.ChoiceField(label="Per", choices=[("month", "month"), ("quarter", "quarter")])
    clinician = forms.TypedChoiceField(label="Clinician", required=False, coerce=int,
                                       empty_value=None)  # fmt: skip
    phase = forms.ChoiceField(
        label="Phase", required=False,
        choices=[("", "All phases")] + [(k, v) for k, v in PHASE_LABELS.items() if k],
    )  # fmt: skip
    startback = forms.ChoiceField(
        label="STarT Back", required=False,
        choices=[("", "All groups")] + [(k, v) for k, v in STARTBACK_LABELS.items() if k],
    )  # fmt: skip

    def __init__(self, data: Any, *, user: Any, today: dt.date) -> None:
        start, end = default_range(today)
        initial = {"start": start, "end": end, "grain": "month"}
        super().__init__({**initial, **{k: v for k, v in data.items() if v != ""}} if data
                         else initial)  # fmt: skip
        if user.is_lead:
            staff = User.objects.filter(clinic_id=user.clinic_id, role__in=STAFF_ROLES)
            self.fields["clinician"].choices = [("", "Everyone")] + [
                (u.pk, u.get_full_name() or u.username) for u in staff.order_by("last_name")
            ]
        else:
            del self.fields["clinician"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                self.add_error("end", "The end of the period must be on or after its start.")
            elif (end - start).days > 366 * MAX_YEARS:
                self.add_error("end", f"A period can be at most {MAX_YEARS} years long.")
        return data

    def filters(self) -> Filters:
        d = self.cleaned_data
        return Filters(start=d["start"], end=d["end"], grain=d["grain"],
                       clinician=d.get("clinician"), phase=d.get("phase") or "",
                       startback=d.get("startback") or "")  # fmt: skip
