"""The parent's views page and the child's "All about me" on a phone and a
desktop: accessible, no sideways scrolling, the editor on the first screen, the
save status in view while typing, and Send a short scroll below the editor.

Only the stable ids (#ehcp-editor, #editor-mount, #editor-status) and the page
layout are relied on: the editor inside #editor-mount is being replaced."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import Document
from tests.browser.conftest import sign_in
from tests.browser.test_accessibility import _no_horizontal_scroll, _violations

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
PAGES = {
    "parent-views": ("parent@example.org", "parent_carer", "Send your views to Dana"),
    "all-about-me": ("young.person@example.org", "child_young_person", "Send to Dana"),
}


def _box(page: Any, selector: str) -> dict[str, float]:
    """The element's box in page coordinates (not the viewport's)."""
    return page.evaluate(
        """(sel) => { const r = document.querySelector(sel).getBoundingClientRect();
             return {top: r.top + scrollY, bottom: r.bottom + scrollY,
                     viewTop: r.top, viewBottom: r.bottom}; }""",
        selector,
    )


def _screenshot(page: Any, tmp_path: Path, name: str) -> None:
    folder = Path(os.environ.get("SCREENSHOT_DIR", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
@pytest.mark.parametrize("which", list(PAGES))
def test_family_page_puts_the_editor_first_and_send_close_by(
    live_server: str,
    chromium: Any,
    runner,
    dbs: Session,
    tmp_path: Path,
    which: str,
    viewport: dict[str, int],
) -> None:
    runner.invoke(args=["demo"])
    email, discipline, send = PAGES[which]
    doc_id = dbs.scalar(select(Document.id).where(Document.discipline == discipline))
    page = chromium.new_page(viewport=viewport)
    sign_in(page, live_server, email)
    page.goto(f"{live_server}/documents/{doc_id}")
    page.wait_for_selector('#ehcp-editor[data-state="ready"]')
    name = f"{which}-{viewport['width']}x{viewport['height']}"
    _screenshot(page, tmp_path, name)
    assert _violations(page) == ""
    assert _no_horizontal_scroll(page)

    mount = _box(page, "#editor-mount")
    assert mount["top"] < viewport["height"], "the editor starts on the first screen"
    button = page.get_by_role("button", name=send)
    assert button.count() == 1
    below = _box(page, "#submit-form .govuk-button")["top"] - mount["bottom"]
    assert below < 1.5 * viewport["height"], f"Send is {below}px below the editor"

    # Type at the end of the text: the page scrolls with the caret, and the
    # save status stays in view.
    page.click("#editor-mount")
    page.keyboard.press("Control+End")
    page.keyboard.type(" More words.")
    page.mouse.wheel(0, 400)
    page.wait_for_timeout(200)
    scrolled = page.evaluate("scrollY")
    status = _box(page, "#editor-status")
    height = page.evaluate("innerHeight")
    assert scrolled > 0 or mount["bottom"] < height
    assert status["viewTop"] >= 0 and status["viewBottom"] <= height, status
    assert page.evaluate("document.activeElement.closest('#editor-mount') !== null"), (
        "the caret is still in the editor"
    )
    _screenshot(page, tmp_path, f"{name}-typing")
    assert _no_horizontal_scroll(page)
    page.close()
