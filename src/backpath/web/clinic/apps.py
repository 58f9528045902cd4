from django.apps import AppConfig


class ClinicConfig(AppConfig):
    """The clinician's patient pages: the worklist, the patient record, the intake that ends in
    the first plan, discharge and letters. They compose the record apps below them (patients,
    alerts, plans, outcomes, questionnaires), which is why they are not part of any of them."""

    name = "backpath.web.clinic"
    label = "clinic"

    def ready(self) -> None:
        from backpath.web.clinic import letters
        from backpath.web.plans import printouts

        printouts.register("referral", letters.referral_pdf)
        printouts.register("discharge", letters.discharge_pdf)
        printouts.register("summary", letters.summary_pdf)
