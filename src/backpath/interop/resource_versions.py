"""``meta.versionId`` and ``meta.lastUpdated`` of the resources BackPath serves.

BackPath builds each resource from its stored rows on every request; it keeps no history of
resources. So the version id is derived from the resource itself: the first 16 hex digits
of the SHA-256 of its canonical JSON (without ``meta``). It changes exactly when the content
changes, including through facts that carry no timestamp of their own (a plan's status
following a later version, an episode closed, a clinic's record-number system), and it is
the same on every server process, so it is also the weak ``ETag`` of a read. The caller
supplies ``lastUpdated``, from the timestamps it stores.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any, TypeVar

from fhir.resources.R4B.domainresource import DomainResource
from fhir.resources.R4B.meta import Meta

R = TypeVar("R", bound=DomainResource)


def version_id(resource: DomainResource) -> str:
    """A digest of the resource's content (its ``meta`` left out); 16 hex digits."""
    content = resource.model_dump(mode="json")  # fhir.resources' dump takes no ``exclude``
    content.pop("meta", None)
    return digest(content)


def digest(content: Any) -> str:
    """16 hex digits of the SHA-256 of ``content`` as canonical JSON (keys sorted)."""
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def with_meta(resource: R, last_updated: datetime) -> R:
    """``resource`` with ``meta.versionId`` (its digest) and ``meta.lastUpdated`` set (any
    other ``meta`` element it had is kept). ``last_updated`` must carry a time zone."""
    if last_updated.tzinfo is None:
        raise ValueError("lastUpdated needs a time zone")
    meta = resource.meta or Meta()
    meta.versionId = version_id(resource)
    meta.lastUpdated = last_updated
    resource.meta = meta
    return resource
