"""A printout that would end on a nearly empty page is laid out once more, packed closer,
and the packed one is kept only when it saves the page."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from backpath.reports import pdf

pytest.importorskip("weasyprint")
pytestmark = pytest.mark.skipif(shutil.which("pdfinfo") is None, reason="poppler is missing")

PAGE = ("<html><head><style>@page {{ size: A5; margin: 10mm }} p {{ margin: 0; {style} }}"
        "</style></head><body>{body}</body></html>")  # fmt: skip


def pages(document: bytes) -> int:
    info = subprocess.run(["pdfinfo", "-"], input=document, capture_output=True, check=True)
    return int(info.stdout.decode().split("Pages:")[1].split()[0])


def test_a_nearly_empty_last_page_is_saved_by_the_tighter_layout(tmp_path: Path) -> None:
    lines = "".join(f"<p>Line {n}</p>" for n in range(46))
    html = PAGE.format(style="line-height: 1.25; font-size: 11pt", body=lines)
    loose = pdf._layout(html, tmp_path)
    assert len(loose.pages) == 2 and pdf.last_page_share(loose) < pdf.MOSTLY_WHITE
    tighter = "p { font-size: 9pt !important; line-height: 1.1 !important; }"
    packed = pdf.render_pdf(html, tmp_path, tighter=tighter)
    assert pages(packed) == 1
    assert pages(pdf.render_pdf(html, tmp_path)) == 2  # without a tighter style: as laid out


def test_the_tighter_layout_is_not_kept_when_it_saves_no_page(tmp_path: Path) -> None:
    lines = "".join(f"<p>Line {n}</p>" for n in range(80))
    html = PAGE.format(style="line-height: 1.25; font-size: 11pt", body=lines)
    document = pdf._layout(html, tmp_path)
    share = pdf.last_page_share(document)
    assert 0 < share <= 1
    tighter = "p { font-size: 10.9pt !important; }"  # too little to save a page
    assert pages(pdf.render_pdf(html, tmp_path, tighter=tighter)) == len(document.pages)
