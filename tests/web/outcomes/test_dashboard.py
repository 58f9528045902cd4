"""The outcome dashboard: who sees what, the small-group rule, filters, CSV, the nightly job."""

from __future__ import annotations

import csv
import io
from html import escape
from typing import Any

import pytest
from django.urls import reverse

from backpath import DISCLAIMER
from backpath.web.accounts.models import Clinic, Role, User
from backpath.web.outbox.schedule import jobs
from backpath.web.outcomes.aggregation import refresh_all, refresh_clinic
from backpath.web.outcomes.models import CaseMixFit, EpisodeOutcome, EpisodeTreatment
from tests.web.builders import closed_episode, logged_in, make_user

RESPONDED, DID_NOT = 10.0, 36.0  # last Oswestry %, against the example's baseline of 38


def episodes(clinic: Clinic, clinician: User | None, responders: int, others: int,
             prefix: str) -> None:  # fmt: skip
    for i in range(responders + others):
        closed_episode(clinic, clinician, f"{prefix}{i}",
                       last_odi=RESPONDED if i < responders else DID_NOT)  # fmt: skip


def csv_of(client: Any, query: str = "") -> list[list[str]]:
    response = client.get(reverse("outcomes:csv") + query)
    assert response.status_code == 200, response.content[:500]
    lines = response.content.decode().splitlines()
    assert lines[0].startswith(f"# {DISCLAIMER}")
    return list(csv.reader(io.StringIO("\n".join(lines[1:]))))


def row(rows: list[list[str]], section: str, group: str) -> list[str]:
    return next(r for r in rows if r[0] == section and r[1] == group)


def test_the_lead_sees_the_clinic_and_each_clinician_their_own(
    clinic: Clinic, clinician: User, lead: User, outsider: User
) -> None:
    episodes(clinic, clinician, 4, 2, "c")
    episodes(clinic, lead, 1, 5, "l")
    refresh_clinic(clinic.pk)
    lead_rows = csv_of(logged_in(lead))
    assert row(lead_rows, "responders", "All closed episodes")[2:4] == ["5", "12"]
    assert row(lead_rows, "responders by clinician", clinician.get_full_name() or
               "Not recorded")[2:4] == ["4", "6"]  # fmt: skip
    mine = csv_of(logged_in(clinician))
    assert row(mine, "responders", "All closed episodes")[2:4] == ["4", "6"]
    assert not any(r[0] == "responders by clinician" for r in mine)
    theirs = csv_of(logged_in(outsider))
    assert row(theirs, "responders", "All closed episodes")[2] == "fewer than 5"


def test_no_number_is_shown_for_fewer_than_five_patients(clinic: Clinic, clinician: User) -> None:
    episodes(clinic, clinician, 3, 1, "s")
    refresh_clinic(clinic.pk)
    client = logged_in(clinician)
    rows = csv_of(client)
    for r in rows[1:]:
        if r[0].startswith("episodes "):
            assert r[2] in ("0", "fewer than 5"), r
        elif r[0] != "adverse events per 100 sessions":
            assert set(r[2:7]) <= {"fewer than 5"}, r
    page = client.get(reverse("outcomes:dashboard")).content.decode()
    assert "Withheld" in page and "3 of 4" not in page and "75%" not in page


def test_the_page_shows_charts_with_tables_and_the_disclaimer(
    clinic: Clinic, clinician: User, lead: User
) -> None:
    episodes(clinic, clinician, 6, 4, "p")
    refresh_clinic(clinic.pk)
    response = logged_in(lead).get(reverse("outcomes:dashboard"))
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count('<svg role="img"') >= 3 and "<table>" in page
    assert "6 of 10" in page and "too few episodes to tell" in page
    assert escape(DISCLAIMER) in page


def test_bad_filters_are_named_and_nothing_is_shown(clinic: Clinic, lead: User) -> None:
    client = logged_in(lead)
    query = {"start": "2026-05-01", "end": "2026-01-01", "grain": "week"}
    response = client.get(reverse("outcomes:dashboard"), query)
    page = response.content.decode()
    assert response.status_code == 400
    assert "The end of the period must be on or after its start." in page
    assert "week is not one of the available choices" in page
    bad = client.get(reverse("outcomes:csv"), {"start": "yesterday"})
    assert bad.status_code == 400 and bad.content.decode().startswith("error: start:")


def test_a_lead_cannot_pick_another_clinics_clinician(
    clinic: Clinic, lead: User, outsider: User
) -> None:
    response = logged_in(lead).get(reverse("outcomes:dashboard"), {"clinician": outsider.pk})
    assert response.status_code == 400 and "Select a valid choice" in response.content.decode()


def test_patients_are_refused(clinic: Clinic) -> None:
    patient = make_user("pat", Role.PATIENT, clinic)
    assert logged_in(patient).get(reverse("outcomes:dashboard")).status_code == 403
    assert logged_in(patient).get(reverse("outcomes:csv")).status_code == 403


def test_refreshing_twice_gives_the_same_rows(clinic: Clinic, clinician: User) -> None:
    episodes(clinic, clinician, 3, 3, "r")
    refresh_clinic(clinic.pk)
    first = list(EpisodeOutcome.objects.order_by("episode").values(
        "episode", "responder", "primary", "days_to_response", "exercises_due"))  # fmt: skip
    treatments = EpisodeTreatment.objects.count()
    refresh_clinic(clinic.pk)
    again = list(EpisodeOutcome.objects.order_by("episode").values(
        "episode", "responder", "primary", "days_to_response", "exercises_due"))  # fmt: skip
    assert first == again and EpisodeTreatment.objects.count() == treatments > 0
    assert [r["responder"] for r in first] == [True] * 3 + [False] * 3
    assert {r["primary"] for r in first} == {"odi_percent"}


def test_the_case_mix_model_is_fitted_once_there_are_enough_episodes(
    clinic: Clinic, clinician: User, lead: User
) -> None:
    episodes(clinic, clinician, 5, 5, "a")
    refresh_clinic(clinic.pk)
    fit = CaseMixFit.objects.get(clinic=clinic)
    assert fit.model is None and "Too few closed episodes" in fit.note
    assert "Too few closed episodes" in logged_in(lead).get(
        reverse("outcomes:dashboard")).content.decode()  # fmt: skip


def test_the_nightly_job_queues_every_clinic(clinic: Clinic, clinician: User,
                                            other_clinic: Clinic) -> None:  # fmt: skip
    assert jobs()["outcomes"]["every_minutes"] == 24 * 60
    episodes(clinic, clinician, 1, 0, "n")
    assert "2 clinics" in refresh_all()  # the tests' queue runs each task at once
    assert EpisodeOutcome.objects.filter(clinic=clinic).count() == 1
    assert CaseMixFit.objects.count() == 2


def test_the_lead_asks_for_fresh_figures(clinic: Clinic, clinician: User, lead: User) -> None:
    episodes(clinic, clinician, 1, 0, "f")
    response = logged_in(lead).post(reverse("outcomes:refresh"))
    assert response.status_code == 302 and EpisodeOutcome.objects.count() == 1
    assert logged_in(clinician).post(reverse("outcomes:refresh")).status_code == 403


@pytest.mark.parametrize("grain", ["month", "quarter"])
def test_every_period_of_the_range_is_listed(clinic: Clinic, lead: User, grain: str) -> None:
    rows = csv_of(logged_in(lead), f"?start=2026-01-15&end=2026-12-31&grain={grain}")
    names = [r[1] for r in rows if r[0] == "episodes opened"]
    assert len(names) == (12 if grain == "month" else 4)
    assert names[0] == ("Jan 2026" if grain == "month" else "Q1 2026")
