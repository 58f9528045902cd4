"""The replay cache of CDS Hooks JWTs: each ``jti`` of an issuer is accepted once.

It is a database table (``UsedJti``) rather than Django's cache: the insert under a unique
constraint is atomic across every server process and machine, and nothing is evicted before
the token expires (the database cache culls entries past its size limit, Redis may evict under
memory pressure; either would let a captured token be replayed). A row is needed only until
its token expires; the hourly job ``forget_expired`` deletes older rows.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from backpath.web.ehrs.models import UsedJti

KEEP_AFTER_EXPIRY = dt.timedelta(minutes=5)
"""Rows outlive their token's ``exp`` by more than the clock skew a token is accepted with."""


def first_use(iss: str, jti: str, expires: dt.datetime) -> bool:
    """Remember ``jti`` of ``iss``; False when it was seen before (a replay)."""
    try:
        with transaction.atomic():
            UsedJti.objects.create(iss=iss, jti=jti, expires=expires)
    except IntegrityError:
        return False
    return True


def forget_expired(due: dt.datetime | None = None) -> str:
    """The periodic job: delete the ids of tokens that can no longer be accepted anyway."""
    cutoff = (due or timezone.now()) - KEEP_AFTER_EXPIRY
    deleted, _ = UsedJti.objects.filter(expires__lt=cutoff).delete()
    return f"{deleted} expired JWT ids forgotten"
