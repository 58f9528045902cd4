"""Which records a caller may see is decided in one place (``backpath.web.lookups``)."""

from __future__ import annotations

import pytest
from django.http import Http404

from backpath.web import lookups
from backpath.web.accounts.models import User
from backpath.web.patients.models import Patient
from tests.conftest import ROOT


def test_staff_see_their_clinics_patient_and_episode(clinician: User, patient: Patient) -> None:
    episode = patient.episodes.get()
    assert lookups.patient_for(clinician, patient.pk) == patient
    assert lookups.episode_for(clinician, episode.pk) == episode


def test_another_clinics_record_looks_like_one_that_does_not_exist(
    outsider: User, patient: Patient
) -> None:
    episode = patient.episodes.get()
    for lookup, pk in ((lookups.patient_for, patient.pk), (lookups.episode_for, episode.pk)):
        with pytest.raises(Http404):
            lookup(outsider, pk)
        with pytest.raises(Http404):
            lookup(outsider, 987654)


def test_a_patient_finds_only_their_own_record(patient: Patient, clinician: User) -> None:
    assert patient.user is not None
    own, episode, version = lookups.own_record(patient.user)
    assert own == patient and episode == patient.current_episode() and version is None
    with pytest.raises(Http404, match="No patient record is linked"):
        lookups.own_record(clinician)


@pytest.mark.parametrize(
    ("header", "key"),
    [("Bearer abc", "abc"), ("bearer  abc ", "abc"), ("Basic abc", None), ("Bearer ", None),
     ("", None), (None, None)],
)  # fmt: skip
def test_the_bearer_header_is_read_one_way(header: str | None, key: str | None) -> None:
    assert lookups.bearer_key(header) == key


def test_no_other_module_parses_bearer_headers_or_looks_up_episodes_itself() -> None:
    offenders = []
    for path in (ROOT / "src" / "backpath" / "web").rglob("*.py"):
        if path.name == "lookups.py":
            continue
        text = path.read_text("utf-8")
        if (
            'scheme.lower() != "bearer"' in text
            or 'Episode.objects.select_related("patient"),' in text
        ):
            offenders.append(path.name)
    assert offenders == []
