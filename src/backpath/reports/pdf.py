"""HTML to PDF with WeasyPrint, for every printout BackPath makes (the plan, the handout).

The page must carry its stylesheet inline: the URL fetcher allows only ``data:`` URLs (no
network, no files), so rendering can never reach out of the process, whatever the HTML
holds. Fonts come from the system (fontconfig).

A printout whose last page would be mostly white can name a ``tighter`` stylesheet: it is
laid out once more with it, and kept when that saves the page.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

MOSTLY_WHITE = 0.3
"""A last page whose content stops above this share of the page is mostly white."""


def render_pdf(html: str, base_dir: Path, *, tighter: str = "") -> bytes:
    """The PDF bytes of ``html`` (a complete page with its stylesheet inlined); relative
    references resolve against ``base_dir`` but are not fetched. ``tighter``: CSS that packs
    the page closer, tried when the last page would be mostly white."""
    document = _layout(html, base_dir)
    if tighter and len(document.pages) > 1 and last_page_share(document) < MOSTLY_WHITE:
        packed = _layout(html.replace("</head>", f"<style>{tighter}</style></head>", 1), base_dir)
        if len(packed.pages) < len(document.pages):
            document = packed
    pdf: bytes = document.write_pdf()
    return pdf


def _layout(html: str, base_dir: Path) -> Any:
    # Imported here: WeasyPrint loads Pango and fonts, which only printouts need.
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols={"data"})
    return HTML(string=html, base_url=base_dir.as_uri() + "/", url_fetcher=fetcher).render()


def last_page_share(document: Any) -> float:
    """How far down its last page the content reaches (0 to 1), the running header and
    footer in the page margins left out."""
    from weasyprint.formatting_structure import boxes

    page = document.pages[-1]._page_box
    top, height = page.content_box_y(), page.height
    bottom = top
    for child in page.children:
        if isinstance(child, boxes.MarginBox):
            continue
        for box in child.descendants():
            bottom = max(bottom, box.position_y + box.margin_height())
    return float((bottom - top) / height) if height else 1.0
