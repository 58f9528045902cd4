from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "backpath.web.plans"
    label = "plans"

    def ready(self) -> None:
        from backpath.web.plans import printouts, views

        printouts.register("plan", views.plan_pdf_bytes)
        printouts.register("evidence", views.evidence_pdf_bytes)
