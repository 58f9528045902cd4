"""HTML to PDF with WeasyPrint, for every printout BackPath makes (the plan, the handout).

The page must carry its stylesheet inline: the URL fetcher allows only ``data:`` URLs (no
network, no files), so rendering can never reach out of the process, whatever the HTML
holds. Fonts come from the system (fontconfig).
"""

from __future__ import annotations

from pathlib import Path


def render_pdf(html: str, base_dir: Path) -> bytes:
    """The PDF bytes of ``html`` (a complete page with its stylesheet inlined); relative
    references resolve against ``base_dir`` but are not fetched."""
    # Imported here: WeasyPrint loads Pango and fonts, which only printouts need.
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols={"data"})
    base = base_dir.as_uri() + "/"
    pdf: bytes = HTML(string=html, base_url=base, url_fetcher=fetcher).write_pdf()
    return pdf
