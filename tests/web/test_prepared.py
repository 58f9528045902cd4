"""Prepared reads (``backpath.web.prepared``) give what iterating their queryset gives, for
every caller the ownership rule knows, with the SQL compiled once per shape."""

from __future__ import annotations

import json
from collections.abc import Hashable
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backpath.engine import assess_and_plan
from backpath.web import lookups
from backpath.web.accounts.backends import ClinicModelBackend
from backpath.web.accounts.models import Clinic, Role, User
from backpath.web.alerts.models import Alert
from backpath.web.page_cache import row
from backpath.web.patients.models import Episode, Intake, Patient, visible_condition
from backpath.web.plans.models import PlanVersion
from backpath.web.prepared import MARK, PreparedRead, compile_queryset
from tests.conftest import ROOT
from tests.web.builders import make_user

PLAN = assess_and_plan(
    json.loads((ROOT / "examples" / "chronic_low_back_pain.json").read_text("utf-8"))
).to_json_dict()


def shown(version: PlanVersion | None) -> Any:
    """Everything a page reads from the version and the rows that come with it."""
    if version is None:
        return None
    episode = version.episode
    intake = getattr(episode, "intake", None)
    return (
        row(version), version.get_deferred_fields(), version.any_open_alert,  # type: ignore[attr-defined]
        row(episode), row(episode.patient), row(intake),
        intake.get_deferred_fields() if intake else None, row(version.created_by),
    )  # fmt: skip


def by_the_orm(user: Any, episode_id: int) -> PlanVersion | None:
    """The same read, compiled by the ORM as usual."""
    condition = visible_condition(user, "episode__patient__")
    if condition is None:
        return None
    return (
        PlanVersion.objects.select_related("episode__patient", "episode__intake", "created_by")
        .defer("plan", "episode__intake__data")
        .filter(condition, episode_id=episode_id)
        .annotate(any_open_alert=lookups.open_alert_exists("episode__patient"))
        .order_by("-number")
        .first()
    )


@pytest.fixture
def world(clinic: Clinic, other_clinic: Clinic, clinician: User) -> dict[str, Any]:
    """Two clinics' staff and patients; episodes with several versions, with none, with no
    intake, and with an open alert."""
    users: dict[str, Any] = {"clinician": clinician, "anonymous": AnonymousUser()}
    episodes: list[int] = []
    for place, home in (("a", clinic), ("b", other_clinic)):
        staff = make_user(f"lead-{place}", Role.LEAD, home)
        users[f"lead-{place}"] = staff
        for n in range(2):
            login = make_user(f"patient-{place}{n}", Role.PATIENT, home)
            users[f"patient-{place}{n}"] = login
            person = Patient.objects.create(
                clinic=home, given_name=f"P{n}", family_name=place, birth_year=1960 + n,
                user=login, created_by=staff,
            )  # fmt: skip
            with_versions = Episode.objects.create(patient=person)
            Intake.objects.create(episode=with_versions, data={"age": 40 + n})
            for number in (1, 2, 3)[: n + 2]:
                PlanVersion.objects.create(
                    episode=with_versions, number=number, plan=PLAN, created_by=staff,
                    status="published" if number == 1 else "draft",
                )  # fmt: skip
            without = Episode.objects.create(patient=person)
            bare = Episode.objects.create(patient=person)  # no intake at all
            PlanVersion.objects.create(episode=bare, number=1, plan=PLAN)
            episodes += [with_versions.pk, without.pk, bare.pk]
            if n == 1:
                Alert.objects.create(
                    clinic=home, patient=person, origin="questionnaire", urgency="urgent",
                    severity=2, reported="Leg weakness.", advice="Call the clinic today.",
                )  # fmt: skip
    return {"users": users, "episodes": [*episodes, max(episodes) + 1000]}


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_the_prepared_plan_read_equals_the_orm_read_for_every_caller(
    world: dict[str, Any], data: st.DataObject
) -> None:
    user = world["users"][data.draw(st.sampled_from(sorted(world["users"])))]
    episode_id = data.draw(st.sampled_from(world["episodes"]))
    assert shown(lookups.latest_version_for(user, episode_id)) == shown(
        by_the_orm(user, episode_id)
    )


def test_the_read_answers_its_caller_only(world: dict[str, Any]) -> None:
    """Staff see their clinic's episodes, a patient their own, nobody else anything."""
    users = world["users"]
    seen = {
        name: sorted(
            e for e in world["episodes"] if lookups.latest_version_for(user, e) is not None
        )
        for name, user in users.items()
    }
    assert seen["anonymous"] == []
    assert seen["lead-a"] == seen["clinician"] and set(seen["lead-a"]).isdisjoint(seen["lead-b"])
    assert len(seen["lead-a"]) == 4  # two patients: an episode with versions and a bare one
    assert set(seen["patient-a0"]) | set(seen["patient-a1"]) == set(seen["lead-a"])
    assert set(seen["patient-a0"]).isdisjoint(seen["patient-a1"])


def test_one_query_reads_the_version_and_everything_the_page_stamps(
    world: dict[str, Any],
) -> None:
    lead = world["users"]["lead-a"]
    episode_id = world["episodes"][0]
    lookups.latest_version_for(lead, episode_id)  # compiled
    with CaptureQueriesContext(connection) as queries:
        version = lookups.latest_version_for(lead, episode_id)
        assert version is not None and version.number == 2
        assert version.episode.patient.clinic_id == lead.clinic_id
        assert version.created_by == lead and version.episode.intake.pk
    assert len(queries) == 1
    assert version.plan == PLAN  # the deferred document, read when first used
    assert version.episode.intake.data == {"age": 40}


def test_the_sql_is_compiled_once_per_shape() -> None:
    builds: list[Hashable] = []

    def build(shape: Hashable, pk: int) -> Any:
        builds.append(shape)
        return Clinic.objects.filter(pk=pk, name__startswith=shape)

    read = PreparedRead(build, size=2)
    for shape in ("a", "b", "a", "c", "a"):
        read.compiled(shape)
    assert builds == ["a", "b", "c"]  # "a" was used last, so "b" made room for "c"
    assert read.compiled.cache_info().currsize == 2


@pytest.mark.django_db
def test_a_prepared_read_is_refused_when_it_does_not_use_its_value_or_build_models() -> None:
    with pytest.raises(ValueError, match="does not use its value"):
        compile_queryset(Clinic.objects.filter(pk=1))
    with pytest.raises(ValueError, match="builds models"):
        compile_queryset(Clinic.objects.filter(pk=MARK).values("name"))


def test_the_signed_in_user_is_read_with_their_clinic_and_refused_when_not_allowed(
    clinician: User,
) -> None:
    backend = ClinicModelBackend()
    with CaptureQueriesContext(connection) as queries:
        user = backend.get_user(str(clinician.pk))
        assert user == clinician and user.clinic.name == clinician.clinic.name
    assert len(queries) == 1
    assert backend.get_user("not a number") is None
    assert backend.get_user(clinician.pk + 1000) is None
    User.objects.filter(pk=clinician.pk).update(is_active=False)
    assert backend.get_user(clinician.pk) is None
