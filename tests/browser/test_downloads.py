"""Downloading in a real browser: the caseworker takes the plan as Word with
its sources from the case page, a professional their own advice as PDF from
its page; the forms are axe-core clean."""

from __future__ import annotations

import io
from typing import Any

from docx import Document as open_docx
from pypdf import PdfReader

from tests.browser.conftest import sign_in
from tests.browser.test_accessibility import _violations


def _downloaded(page: Any, form: str) -> bytes:
    with page.expect_download() as info:
        page.locator(f"#{form} button", has_text="Download").click()
    path = info.value.path()
    with open(path, "rb") as file:
        return file.read()


def test_the_plan_and_advice_download_from_their_pages(
    live_server: str, chromium: Any, runner: Any
) -> None:
    runner.invoke(args=["demo"])
    page = chromium.new_page(accept_downloads=True)
    sign_in(page, live_server, "caseworker@example.org")
    page.goto(f"{live_server}/cases/1")
    page.get_by_label("Word (.docx)").check()
    page.get_by_label("Show where passages came from, as footnotes").check()
    assert _violations(page) == ""
    docx = open_docx(io.BytesIO(_downloaded(page, "download-plan")))
    headings = [p.text for p in docx.paragraphs if p.style.name == "Heading 1"]
    assert headings[0] == "Section A: Views, interests and aspirations"
    assert headings[-1] == "Section K: Advice and information"

    other = chromium.new_page(accept_downloads=True)
    sign_in(other, live_server, "psychologist@example.org")
    other.get_by_role("link", name="Leo Marchetti").first.click()
    assert other.locator("#download-plan").count() == 0  # not shared yet
    other.get_by_role("link", name="Psychological advice").first.click()
    other.wait_for_selector("#download-document")
    assert _violations(other) == ""
    pdf = PdfReader(io.BytesIO(_downloaded(other, "download-document")))
    first = pdf.pages[0].extract_text()
    assert "Psychological advice" in first and "DRAFT" in first
