"""The Check panel beside the editor, in a real browser against the real portal:
findings and suggestions appear, clicking shows the text, accepting edits the
document as the person who accepted, and the decision is audited. Findings
about advice reach the caseworker alone, with a link to the advice."""

from __future__ import annotations

import time
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.doclog import reading
from portal.models import AuditEvent, Document, DocUpdate, Person
from tests.browser.conftest import sign_in
from tests.browser.test_accessibility import DESKTOP, PHONE, _violations
from tests.factories import DRAFT_RECOMMENDATION, demo_with_draft_recommendation


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
    page.click("#editor-mount .ProseMirror")
    page.keyboard.press("Control+End")
    page.keyboard.press("Enter")
    page.keyboard.type("Staff will commence a check-in each morning.")
    item = page.wait_for_selector(
        '#check-suggestions li:has-text("commence")', timeout=15_000
    )
    item.query_selector('button[data-action="highlight"]').click()
    page.wait_for_selector(".app-check-highlight:has-text('commence')")
    item.query_selector('button[data-action="accept"]').click()
    page.wait_for_selector('#ehcp-editor[data-status="saved"]', timeout=10_000)

    def stored() -> bool:
        dbs.expire_all()
        return "Staff will start a check-in" in reading.document_text(dbs, section_f.id)

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


# A recommendation in the psychologist's draft advice that the plan does not carry.
MARKER = DRAFT_RECOMMENDATION
EP_NAME = "Psychological advice (Dr Martin Hale)"


def _open_section_check(page: Any, base: str, email: str, doc_id: int) -> str:
    """Sign in, open a plan section and wait for its first check; the panel's text."""
    sign_in(page, base, email)
    page.goto(f"{base}/documents/{doc_id}")
    page.wait_for_selector('#ehcp-editor[data-state="ready"]')
    page.wait_for_selector(
        '#check-findings li[data-kind="unquantified_provision"]', timeout=15_000
    )
    return page.inner_text("#check-panel")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_only_the_caseworker_sees_findings_about_draft_advice(
    live_server: str, chromium: Any, runner, dbs: Session, viewport: dict[str, int]
) -> None:
    runner.invoke(args=["demo"])
    ep, section_f = demo_with_draft_recommendation(dbs)

    parent = chromium.new_page(viewport=viewport)
    panel = _open_section_check(parent, live_server, "parent@example.org", section_f.id)
    assert "Zqblorp" not in panel and "Dr Martin Hale" not in panel
    assert not parent.query_selector(
        '#check-findings li[data-kind="advice_recommendation_not_in_plan"]'
    )
    assert not parent.query_selector('#check-panel a[href^="/documents/"]')
    assert _violations(parent) == ""

    caseworker = chromium.new_page(viewport=viewport)
    _open_section_check(caseworker, live_server, "caseworker@example.org", section_f.id)
    item = caseworker.wait_for_selector(
        '#check-findings li[data-kind="advice_recommendation_not_in_plan"]'
        ':has-text("Zqblorp")'
    )
    assert f"This recommendation from {EP_NAME}" in item.inner_text()
    link = item.query_selector("a.govuk-link")
    assert link.inner_text() == f"Open {EP_NAME}"
    assert link.get_attribute("href") == f"/documents/{ep.id}"
    assert _violations(caseworker) == ""
    link.click()
    caseworker.wait_for_selector("h1:has-text('Psychological advice')")
