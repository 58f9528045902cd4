from typing import Any

from django.apps import AppConfig
from django.core import checks


class FhirConfig(AppConfig):
    name = "backpath.web.fhir"
    label = "fhir"
    verbose_name = "FHIR endpoints"

    def ready(self) -> None:
        checks.register(statement_matches_views)


def statement_matches_views(**kwargs: Any) -> list[checks.CheckMessage]:
    """The CapabilityStatement lists exactly the reads, searches and operations the views
    serve: a type added to ``capability.SERVED`` without its view (or the other way round)
    stops start-up."""
    from backpath.interop.capability import SERVED
    from backpath.web.fhir.views import served_views

    listed = {s.type: {*s.interactions, *(f"${o.name}" for o in s.operations)} for s in SERVED}
    if listed == served_views():
        return []
    return [
        checks.Error(
            f"capability.SERVED lists {sorted(listed.items())} but the FHIR views serve "
            f"{sorted(served_views().items())}",
            hint="Add the view to views.READERS / SEARCHES, or the type to capability.SERVED.",
            id="fhir.E001",
        )
    ]
