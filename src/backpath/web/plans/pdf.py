"""Printouts from the web layer: a static stylesheet's text to inline, and the page's HTML
rendered as a PDF by ``backpath.reports.pdf`` (which fetches nothing, so the stylesheet must
be inline). Used by the plan's PDF and the patient's handout."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import ImproperlyConfigured

from backpath.reports import pdf

PLAN_STYLESHEET = "backpath/plans.css"
PROGRAM_STYLESHEET = "backpath/program.css"


@cache
def stylesheet(name: str = PLAN_STYLESHEET) -> str:
    """A static stylesheet's text, for inlining into a printout's HTML."""
    found = finders.find(name)
    if not isinstance(found, str):
        raise ImproperlyConfigured(f"the static file {name} is missing")
    return Path(found).read_text("utf-8")


TIGHTER = """
@media print {
  body.printable { font-size: 8pt; line-height: 1.22; }
  .plan-item { margin: .15rem 0; }
  body.printable h2 { margin: .4rem 0 .15rem; }
}
"""
"""How a printout is packed closer when its last page would be mostly white."""


def render_pdf(html: str, *, tighter: str = TIGHTER) -> bytes:
    """The PDF bytes of ``html`` (a complete page with its stylesheet inlined)."""
    return pdf.render_pdf(html, Path(settings.BASE_DIR) / "static", tighter=tighter)
