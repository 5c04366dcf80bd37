"""The Check panel beside the editor, in a real browser against the real portal:
findings and suggestions appear, clicking shows the text, accepting edits the
document as the person who accepted, and the decision is audited."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import AuditEvent, Document, DocUpdate, Person
from portal.services import ystore
from tests.browser.conftest import sign_in


def _eventually(check: Any, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_check_panel_flags_and_accepting_a_suggestion_edits_the_text(
    live_server: str, chromium: Any, runner, dbs: Session
) -> None:
    runner.invoke(args=["demo"])
    section_f = dbs.scalar(select(Document).where(Document.section == "F"))
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    sign_in(page, live_server, "caseworker@example.org")
    page.goto(f"{live_server}/documents/{section_f.id}")
    page.wait_for_selector('#ehcp-editor[data-state="ready"]')
    # "Leo will have access to regular SALT input." is vague provision.
    page.wait_for_selector(
        '#check-findings li[data-kind="unquantified_provision"]', timeout=15_000
    )
    assert "Reading age about" in page.inner_text("#check-measures")
    # Type a wordy phrase; the panel offers a plainer one after a pause.
    page.click("#editor-mount .cm-content")
    page.keyboard.press("Control+End")
    page.keyboard.type("\n- **F5.** Staff will commence a check-in each morning.")
    item = page.wait_for_selector(
        '#check-suggestions li:has-text("commence")', timeout=15_000
    )
    item.query_selector('button[data-action="highlight"]').click()
    page.wait_for_selector(".app-check-highlight:has-text('commence')")
    item.query_selector('button[data-action="accept"]').click()
    page.wait_for_selector('#ehcp-editor[data-status="saved"]', timeout=10_000)

    def stored() -> bool:
        dbs.expire_all()
        return "Staff will start a check-in" in ystore.document_text(dbs, section_f.id)

    _eventually(stored)
    caseworker = dbs.scalar(
        select(Person).where(Person.email == "caseworker@example.org")
    )
    last = dbs.scalars(
        select(DocUpdate)
        .where(DocUpdate.document_id == section_f.id)
        .order_by(DocUpdate.seq.desc())
    ).first()
    assert (
        last.author_id == caseworker.id
    )  # the accepted change is the caseworker's edit

    def audited() -> bool:
        return (
            dbs.scalar(
                select(AuditEvent).where(AuditEvent.action == "suggestion.accepted")
            )
            is not None
        )

    _eventually(audited)
