"""``POST /cds-services/{id}/feedback``: what the EHR's user did with BackPath's cards
(CDS Hooks 2.0 feedback), authenticated like the service, checked, and stored for the clinic.

Every item must name (by ``uuid``) a card BackPath sent to the caller's clinic; a card of
another clinic is answered as an unknown one. BackPath's cards carry no suggestions, so an
item accepting one is refused (naming ``acceptedSuggestions``) rather than stored as if the
clinician had taken an action BackPath never offered. The whole request is stored or none of it; the
answer is ``{"stored": n}``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import transaction
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from backpath.errors import InvalidInput
from backpath.interop import cds_hooks
from backpath.interop.cds_models import Card, Feedback
from backpath.web.cds.callers import Caller, audit, posted
from backpath.web.cds.cors import cors
from backpath.web.cds.models import CardFeedback, IssuedCard
from backpath.web.cds.responses import error

ACTION = "cds.feedback"


def remember_cards(caller: Caller, hook_instance: str, cards: Sequence[Card]) -> None:
    """Keep the cards just sent, so that feedback can name them."""
    IssuedCard.objects.bulk_create(
        IssuedCard(
            uuid=card.uuid,
            clinic=caller.clinic,
            registration=caller.registration,
            caller=caller.name,
            hook_instance=hook_instance.lower(),
            indicator=card.indicator,
            summary=card.summary,
        )
        for card in cards
    )


def _row(caller: Caller, card: IssuedCard, item: Feedback) -> CardFeedback:
    reason = item.overrideReason.reason if item.overrideReason else None
    when = item.outcomeTimestamp
    return CardFeedback(
        card=card, clinic=caller.clinic, registration=caller.registration, user=caller.user,
        caller=caller.name, outcome=item.outcome,
        accepted_suggestions=[s.id for s in item.acceptedSuggestions or []],
        reason_system=(reason.system or "") if reason else "",
        reason_code=reason.code if reason else "",
        reason_display=(reason.display or "") if reason else "",
        user_comment=(item.overrideReason.userComment or "") if item.overrideReason else "",
        outcome_at=when if when.tzinfo else when.replace(tzinfo=dt.UTC),
    )  # fmt: skip


def store(caller: Caller, items: Sequence[Feedback]) -> int:
    """Store every item, or none (``InvalidInput`` naming the first unknown card)."""
    wanted = {item.card.lower() for item in items}
    cards = {str(c.uuid): c for c in IssuedCard.objects.filter(clinic=caller.clinic,
                                                               uuid__in=wanted)}  # fmt: skip
    rows = []
    for index, item in enumerate(items):
        card = cards.get(item.card.lower())
        if card is None:
            raise InvalidInput(
                f"feedback[{index}].card", "is not the uuid of a card BackPath sent to this clinic"
            )
        if item.acceptedSuggestions:  # the cards carry none, so no suggestion can be one of them
            raise InvalidInput(
                f"feedback[{index}].acceptedSuggestions",
                "names a suggestion this card does not offer: BackPath's cards carry no "
                "suggestions, so send outcome 'overridden' (with an overrideReason if you wish)",
            )
        rows.append(_row(caller, card, item))
    with transaction.atomic():
        CardFeedback.objects.bulk_create(rows)
    return len(rows)


@csrf_exempt
@cors
def feedback(request: HttpRequest) -> JsonResponse:
    accepted = posted(request, ACTION)
    if isinstance(accepted, JsonResponse):
        return accepted
    caller, body = accepted
    try:
        items = cds_hooks.parse_feedback(body).feedback
        stored = store(caller, items)
    except InvalidInput as exc:
        audit(request, caller, ACTION, None, detail=f"status=400 {exc}")
        return error(400, exc.message, exc.field)
    outcomes = ",".join(sorted({item.outcome for item in items}))
    audit(request, caller, ACTION, None, detail=f"stored={stored} outcomes={outcomes}")
    return JsonResponse({"stored": stored})
