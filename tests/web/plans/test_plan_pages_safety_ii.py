"""Pages show what clinical safety II changed: alternatives under the option they replace, and
a budget exclusion named as the budget, on the clinician's page, the patient's and the CLI."""

from __future__ import annotations

import html

from django.urls import reverse

from backpath.web.accounts.models import User
from backpath.web.patients.models import Patient
from tests.web.builders import chronic_intake, logged_in, plan_version


def test_the_plan_page_lists_equivalent_options_as_alternatives(
    clinician: User, patient: Patient
) -> None:
    episode = patient.episodes.get()
    plan_version(episode)
    page = html.unescape(
        logged_in(clinician).get(reverse("plans:plan", args=[episode.pk])).content.decode()
    )
    yoga, tai_chi = page.index('id="item-yoga"'), page.index('id="item-tai_chi"')
    assert yoga < tai_chi  # listed right under yoga, marked as its alternative
    between = page[yoga:tai_chi]
    assert between.count('class="plan-item') == 1
    assert "alternative to Yoga" in page[tai_chi : page.index("</summary>", tai_chi)]


def test_the_patient_sees_budget_exclusions_as_budget_not_as_preference(patient: Patient) -> None:
    plan_version(patient.episodes.get(), intake=chronic_intake(preferences={"budget": "low"}))
    page = html.unescape(logged_in(patient.user).get(reverse("care:my_plan")).content.decode())
    budget = page.index("Left out to keep within your budget")
    assert "Pilates" in page[budget:]
    preferences = page.find("Left out because of your preferences")
    assert preferences == -1 or "Pilates" not in page[preferences:budget]
    assert "Similar options your clinician may choose instead" in page
