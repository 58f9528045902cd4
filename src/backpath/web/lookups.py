"""Which patient, episode and plan version a caller may see: the lookups, written once.

Pages, the REST API, FHIR and CDS Hooks find records through these functions only, so the
rule is the same everywhere (``Patient.objects.visible_to``): clinic staff see their own
clinic's patients, a patient only their own record, and anything else is answered as if it
did not exist (404), so an id of another clinic leaks nothing. Who may call a view at all is
``accounts.access`` (decorators); the bearer-token rule is ``api_token_user``.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404

from backpath.web.alerts.models import Alert
from backpath.web.api.models import SCOPES, ApiToken, scope_allows
from backpath.web.patients.models import Episode, Patient, visible_condition
from backpath.web.plans.models import PlanVersion
from backpath.web.prepared import PreparedRead

NO_OWN_RECORD = "No patient record is linked to this login; ask your clinic."


def patient_for(user: Any, patient_id: int) -> Patient:
    """The patient ``user`` may see, or 404 (unknown and another clinic's look the same)."""
    patient = Patient.objects.visible_to(user).filter(pk=patient_id).first()
    if patient is None:
        raise Http404("No such patient.")
    return patient


def episode_for(user: Any, episode_id: int, *, also: tuple[str, ...] = ()) -> Episode:
    """The episode (with its patient, and the relations in ``also``) ``user`` may see, or
    404."""
    condition = visible_condition(user, "patient__")
    episodes = Episode.objects.select_related("patient", *also)
    episode = None if condition is None else episodes.filter(condition, pk=episode_id).first()
    if episode is None:
        raise Http404("No such episode.")
    return episode


def _latest_version(condition: Any, episode_id: int) -> QuerySet[PlanVersion]:
    return (
        PlanVersion.objects.select_related("episode__patient", "episode__intake", "created_by")
        .defer("plan", "episode__intake__data")
        .filter(condition, episode_id=episode_id)
        .annotate(any_open_alert=open_alert_exists("episode__patient"))
        .order_by("-number")[:1]
    )


_LATEST_VERSION: PreparedRead[PlanVersion] = PreparedRead(_latest_version)
"""Compiled once per ownership condition: the plan page makes this read on every view."""


def latest_version_for(user: Any, episode_id: int) -> PlanVersion | None:
    """The newest plan version of an episode ``user`` may see, read in one query with its
    episode, the patient, the intake, the version's author and whether the patient has an
    open alert (``any_open_alert``), and without the stored plan or intake document (each read
    when first used; ``revision`` and ``updated`` tell their changes); None when there is no
    version or the episode is not theirs (``episode_for`` then tells which)."""
    condition = visible_condition(user, "episode__patient__")
    if condition is None:
        return None
    return _LATEST_VERSION.first(condition, episode_id)


def open_alert_exists(patient: str) -> Exists:
    """Whether the patient the outer query reaches through ``patient`` has an open alert, for
    ``annotate``: a page reads it with its record and the alerts only when there are some."""
    return Exists(Alert.objects.open().filter(patient=OuterRef(patient)))


def published_version(episode: Episode | None) -> PlanVersion | None:
    """The latest version published to the patient; drafts are never shown to patients."""
    if episode is None:
        return None
    return (
        episode.plan_versions.filter(status=PlanVersion.Status.PUBLISHED)
        .order_by("-number")
        .first()
    )


def own_record(user: Any) -> tuple[Patient, Episode | None, PlanVersion | None]:
    """A patient's own record, current episode and the plan version they may see; 404 when
    no record is linked to the login."""
    patient = Patient.objects.visible_to(user).filter(user=user).first()
    if patient is None:
        raise Http404(NO_OWN_RECORD)
    episode = patient.current_episode()
    return patient, episode, published_version(episode)


def bearer_key(header: str | None) -> str | None:
    """The key of an ``Authorization: Bearer <key>`` header (any case of "Bearer"), or None
    when the header is absent or not of that form."""
    scheme, _, key = (header or "").strip().partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        return None
    return key.strip()


def api_token_user(key: str) -> Any:
    """The user an ``Authorization: Bearer <key>`` token stands for, or None when the key is
    empty, unknown or revoked."""
    key = key.strip()
    return ApiToken.user_for(key) if key else None


def token_refusal(user: Any, surface: str, method: str) -> str | None:
    """Why the caller's token may not make this call (its scope), or None. A session caller
    has no token scope and is never refused here."""
    scope = getattr(user, "api_scope", None)
    if scope is None or scope_allows(scope, surface, method):
        return None
    return f"This API token's scope ({SCOPES[scope].lower()}) does not allow this request."
