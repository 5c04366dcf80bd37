"""In a real browser: the caseworker downloads everything held about a case,
is stopped by a wrong reference, then erases the case; the pages pass axe."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

from portal.services.demo import DEMO_PASSWORD, DEMO_REFERENCE
from tests.browser.conftest import sign_in
from tests.browser.test_accessibility import DESKTOP, _violations


def test_caseworker_exports_then_erases_the_case(
    live_server: str, chromium: Any, runner, tmp_path: Path
) -> None:
    runner.invoke(args=["demo"])
    page = chromium.new_page(viewport=DESKTOP)
    sign_in(page, live_server, "caseworker@example.org")
    page.get_by_role("link", name="Leo Marchetti").click()
    page.get_by_role("link", name="Data protection").click()
    page.wait_for_selector("h1:has-text('Data protection')")
    assert _violations(page) == ""
    with page.expect_download() as download:
        page.get_by_role("button", name="Download everything held (ZIP)").click()
    saved = tmp_path / "case.zip"
    download.value.save_as(saved)
    with zipfile.ZipFile(io.BytesIO(saved.read_bytes())) as archive:
        names = archive.namelist()
        case_json = archive.read(next(n for n in names if n.endswith("case.json")))
    assert b"Leo Marchetti" in case_json
    assert any(n.endswith("audit.csv") for n in names)
    assert sum(n.endswith(".md") for n in names) >= 12

    page.get_by_role("button", name="Close the case").click()
    assert "due for erasure in 2555 days" in page.inner_text("main")
    page.get_by_role("link", name="Erase the case").click()
    page.get_by_label("Type the case reference").fill("NOT-IT")
    page.get_by_label("Enter your password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Erase the case and everything held").click()
    page.wait_for_selector(".govuk-error-summary")
    assert "Type the case reference" in page.inner_text(".govuk-error-summary")
    assert _violations(page) == ""
    page.get_by_label("Type the case reference").fill(DEMO_REFERENCE)
    page.get_by_label("Enter your password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Erase the case and everything held").click()
    page.wait_for_url(f"{live_server}/")
    assert "everything held about it have been erased" in page.inner_text("main")
    assert "Leo Marchetti" not in page.inner_text("main")

    runner.invoke(args=["make-admin", "caseworker@example.org"])
    page.goto(f"{live_server}/admin/cases")
    erasures = page.inner_text("main")
    assert DEMO_REFERENCE in erasures and "No case has been erased" not in erasures
    assert _violations(page) == ""
