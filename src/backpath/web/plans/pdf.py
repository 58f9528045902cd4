"""A plan version as a PDF, rendered by WeasyPrint from the printable page's HTML.

The stylesheet is inlined into the HTML, so rendering fetches nothing: the URL fetcher allows
only ``data:`` URLs (no network, no files), which keeps a PDF request from ever reaching out of
the process. Fonts come from the system (fontconfig).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import ImproperlyConfigured

STYLESHEET = "backpath/plans.css"


@cache
def stylesheet() -> str:
    """The plan stylesheet's text, for inlining into the PDF's HTML."""
    found = finders.find(STYLESHEET)
    if not isinstance(found, str):
        raise ImproperlyConfigured(f"the static file {STYLESHEET} is missing")
    return Path(found).read_text("utf-8")


def render_pdf(html: str) -> bytes:
    """The PDF bytes of ``html`` (a complete page with its stylesheet inlined)."""
    # Imported here: WeasyPrint loads Pango and fonts, which only PDF requests need.
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    base = (Path(settings.BASE_DIR) / "static").as_uri() + "/"
    fetcher = URLFetcher(allowed_protocols={"data"})
    pdf: bytes = HTML(string=html, base_url=base, url_fetcher=fetcher).write_pdf()
    return pdf
