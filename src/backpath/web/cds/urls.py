"""``/cds-services``, ``/cds-services/<id>`` and ``/cds-services/<id>/feedback``: no trailing
slash, as the CDS Hooks specification fixes; mounted at the root so Django's include() needs no
slash either. An unknown service id is a JSON 404. The lead's feedback page, ``/ehrs/feedback/``,
sits beside the EHRs page (``backpath.web.ehrs``)."""

from django.urls import path

from backpath.interop.cds_hooks import SERVICE_ID
from backpath.web.cds import feedback, feedback_page, views

app_name = "cds"

urlpatterns = [
    path("cds-services", views.discovery, name="discovery"),
    path(f"cds-services/{SERVICE_ID}", views.patient_view, name="patient-view"),
    path(f"cds-services/{SERVICE_ID}/feedback", feedback.feedback, name="feedback-endpoint"),
    path("cds-services/<path:rest>", views.unknown_service, name="unknown"),
    path("ehrs/feedback/", feedback_page.feedback_list, name="feedback"),
]
