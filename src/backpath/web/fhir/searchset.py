"""Search results as a FHIR ``searchset`` Bundle.

Each entry has an absolute ``fullUrl`` (``<base>/<type>/<id>``) and a search mode: ``match``
for what was asked for, ``include`` for what those resources refer to (the Questionnaires a
response answers). A last entry in mode ``outcome`` is an OperationOutcome carrying
BackPath's disclaimer, so every result (every page of it) says that it supports and does not
replace a clinician's judgement. ``total`` counts the matches of the whole search (all
pages); ``link`` holds self, and next and previous when the search is paged.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from fhir.resources.R4B.bundle import Bundle, BundleEntry, BundleEntrySearch, BundleLink
from fhir.resources.R4B.domainresource import DomainResource

from backpath import DISCLAIMER
from backpath.web.fhir.responses import outcome

INCLUDED_TYPES = frozenset({"Questionnaire"})


def searchset(
    resources: Sequence[DomainResource],
    base_url: str,
    self_url: str,
    timestamp: datetime,
    *,
    total: int | None = None,
    links: Sequence[BundleLink] | None = None,
    included_types: frozenset[str] = INCLUDED_TYPES,
) -> dict[str, Any]:
    """The Bundle as JSON (a dict); ``base_url`` is the server base, e.g. ``.../fhir``.

    Resources of ``included_types`` are entries in mode ``include``, the others ``match``.
    ``total`` defaults to the number of matches given; ``links`` to the self link alone.
    """
    modes = ["include" if r.get_resource_type() in included_types else "match" for r in resources]
    entries = [
        BundleEntry(
            fullUrl=f"{base_url}/{resource.get_resource_type()}/{resource.id}",
            resource=resource,
            search=BundleEntrySearch(mode=mode),
        )
        for resource, mode in zip(resources, modes, strict=True)
    ]
    entries.append(
        BundleEntry(
            resource=outcome("informational", DISCLAIMER, severity="information"),
            search=BundleEntrySearch(mode="outcome"),
        )
    )
    bundle = Bundle(
        type="searchset",
        timestamp=timestamp,
        total=modes.count("match") if total is None else total,
        link=list(links) if links is not None else [BundleLink(relation="self", url=self_url)],
        entry=entries,
    )
    result: dict[str, Any] = bundle.model_dump(mode="json")
    return result
