from django.apps import AppConfig


class ClinicConfig(AppConfig):
    """The clinician's patient pages: the patient list with open alerts, the patient record,
    and the intake that ends in the first plan. They compose the record apps below them
    (patients, alerts, plans), which is why they are not part of any of them."""

    name = "backpath.web.clinic"
    label = "clinic"
