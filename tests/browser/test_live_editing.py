"""Two Chromium pages on the same document see each other's typing and cursors,
through the real portal, its /collab namespace and the committed bundle."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.doclog import reading
from portal.models import Document
from tests.browser.conftest import sign_in
from tests.browser.test_accessibility import _violations


def _open(
    chromium: Any, base: str, email: str, doc_id: int, viewport: dict[str, int]
) -> Any:
    context = chromium.new_context(viewport=viewport)
    page = context.new_page()
    page.csp_violations = []  # type: ignore[attr-defined]
    page.on(
        "console",
        lambda msg: (
            "Content Security Policy" in msg.text
            and page.csp_violations.append(msg.text)
        ),
    )  # type: ignore[attr-defined]
    sign_in(page, base, email)
    page.goto(f"{base}/documents/{doc_id}")
    page.wait_for_selector('#ehcp-editor[data-state="ready"]', timeout=15_000)
    return page


def _wait_until(page: Any, predicate: str, timeout: float = 10.0) -> None:
    """Poll a page-side check (wait_for_function would need eval, which our CSP forbids)."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(predicate):
        assert time.monotonic() < deadline, f"timed out waiting for {predicate}"
        time.sleep(0.05)


def test_two_people_see_each_others_typing_and_cursors(
    live_server: str, chromium: Any, runner, dbs: Session
) -> None:
    runner.invoke(args=["demo"])
    section_a = dbs.scalar(select(Document).where(Document.section == "A"))
    caseworker = _open(
        chromium,
        live_server,
        "caseworker@example.org",
        section_a.id,
        {"width": 1280, "height": 900},
    )
    parent = _open(
        chromium,
        live_server,
        "parent@example.org",
        section_a.id,
        {"width": 360, "height": 740},
    )
    # Both see who is here.
    parent.wait_for_selector("#editor-presence li:has-text('Dana Whitlock')")
    caseworker.wait_for_selector("#editor-presence li:has-text('Sofia Marchetti')")
    # The parent types at the end; the caseworker sees it and the parent's caret.
    parent.click("#editor-mount .ProseMirror")
    parent.keyboard.press("Control+End")
    parent.keyboard.type(" Leo loves the quiet room.")
    _wait_until(
        caseworker,
        "() => window.ehcpEditor.text().includes('Leo loves the quiet room.')",
    )
    caseworker.wait_for_selector(
        ".app-editor__remote-name:has-text('Sofia Marchetti')",
        state="attached",
        timeout=10_000,
    )
    # And the other way round.
    # On the first heading: the middle of Section A is Leo's drawing, and
    # typing over a selected picture replaces it, as in any word processor.
    caseworker.click("#editor-mount .ProseMirror h3")
    caseworker.keyboard.press("Control+Home")
    caseworker.keyboard.type("Agreed with the family. ")
    time.sleep(1)
    print("CW", repr(caseworker.evaluate("() => window.ehcpEditor.text()")[:100]))
    caseworker.screenshot(path="/tmp/cw.png")
    _wait_until(
        parent,
        "() => window.ehcpEditor.text().startsWith('Agreed with the family. ')",
    )
    parent.wait_for_selector(
        ".app-editor__remote-name:has-text('Dana Whitlock')",
        state="attached",
        timeout=10_000,
    )
    for page in (parent, caseworker):
        page.wait_for_selector('#ehcp-editor[data-status="saved"]', timeout=10_000)
    assert parent.csp_violations == [] and caseworker.csp_violations == []
    # Acknowledged means stored: the durable text has both edits.
    text = reading.document_text(dbs, section_a.id)
    assert text.startswith("### Agreed with the family. About me")
    assert "Leo loves the quiet room." in text


def test_read_only_member_cannot_type(
    live_server: str, chromium: Any, runner, dbs: Session
) -> None:
    runner.invoke(args=["demo"])
    section_f = dbs.scalar(select(Document).where(Document.section == "F"))
    caseworker = _open(
        chromium,
        live_server,
        "caseworker@example.org",
        section_f.id,
        {"width": 1280, "height": 900},
    )
    caseworker.goto(f"{live_server}/cases/{section_f.case_id}")
    caseworker.click("text=Share the draft plan with the family and professionals")
    caseworker.wait_for_selector("text=Stop sharing the draft plan")
    before = reading.document_text(dbs, section_f.id)
    therapist = _open(
        chromium,
        live_server,
        "therapist@example.org",
        section_f.id,
        {"width": 1280, "height": 900},
    )
    assert "You can read this" in therapist.inner_text("main")
    assert (
        _violations(therapist) == ""
    )  # a read-only editor is still reachable by keyboard
    editable = therapist.get_attribute("#editor-mount .ProseMirror", "contenteditable")
    assert editable == "false"
    therapist.click("#editor-mount .ProseMirror")
    therapist.keyboard.type("should not appear")
    assert reading.document_text(dbs, section_f.id) == before
