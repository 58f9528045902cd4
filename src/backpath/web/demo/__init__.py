"""The demo clinic (``backpath demo``): accounts and twelve patients with 12 weeks of diary.

Not a Django app and no models: ``build_demo()`` writes ordinary rows of the other apps.
Demo data is created only by ``backpath demo`` (``manage.py seed_demo``), never by migrations.
"""

from backpath.web.demo.builder import DemoResult, build_demo, intake_document, login_lines
from backpath.web.demo.cases import ACCOUNTS, CASES, DEMO_CLINIC, DEMO_PASSWORD, OTHER_CLINIC

__all__ = [
    "ACCOUNTS",
    "CASES",
    "DEMO_CLINIC",
    "DEMO_PASSWORD",
    "OTHER_CLINIC",
    "DemoResult",
    "build_demo",
    "intake_document",
    "login_lines",
]
