"""The FHIR tests' episode also records a reported shellfish allergy, so that every resource
type of a record (an AllergyIntolerance included) is served, read and searched."""

from __future__ import annotations

import pytest

from backpath.web.accounts.models import User
from backpath.web.patients.models import Episode, Patient
from tests.web.builders import complete_intake, logged_in


@pytest.fixture
def episode(clinician: User, patient: Patient) -> Episode:
    """Chronic, on an anticoagulant, a shellfish allergy, avoiding needles."""
    episode = patient.episodes.get()
    conditions = ("anticoagulant_therapy", "shellfish_allergy")
    assert complete_intake(logged_in(clinician), episode, conditions=conditions).status_code == 302
    return episode
