from django.apps import AppConfig


class CareConfig(AppConfig):
    """The patient's pages: My plan, Today, the handout, the diary page and progress."""

    name = "backpath.web.care"
    label = "care"

    def ready(self) -> None:
        from backpath.web.care import handout
        from backpath.web.plans import printouts

        printouts.register("handout", handout.handout_pdf_bytes)
