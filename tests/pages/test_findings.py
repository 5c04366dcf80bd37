"""The caseworker dismisses a finding with a reason: kept, audited, shown."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import AuditEvent, Document, FindingDismissal
from tests.browserlike import Browser

FINGERPRINT = re.compile(
    r'<li data-kind="outcome_not_smart".*?name="fingerprint" value="([0-9a-f]{64})"',
    re.S,
)


def test_dismissing_a_finding_needs_a_reason_and_is_audited(
    runner, browser: Browser, dbs: Session
) -> None:
    runner.invoke(args=["demo"])
    browser.sign_in("caseworker@example.org", "portal-demo-2026")
    page = browser.text("/cases/1")
    key = FINGERPRINT.search(page).group(1)
    open_before = page.count('data-kind="outcome_not_smart"')
    no_reason = browser.post(
        "/cases/1/findings/dismiss", {"fingerprint": key, "reason": " "}
    )
    assert "Enter why you are dismissing this check." in browser.text(
        no_reason.location
    )
    assert dbs.scalar(select(FindingDismissal)) is None
    reason = "Agreed with the family at the meeting; a measurable target follows."
    browser.post("/cases/1/findings/dismiss", {"fingerprint": key, "reason": reason})
    page = browser.text("/cases/1")
    assert page.count('data-kind="outcome_not_smart"') == open_before - 1
    assert reason in page and "Dismissed checks" in page
    event = dbs.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert event.action == "finding.dismissed" and event.detail["reason"] == reason


def test_stale_or_forged_fingerprints_change_nothing(
    runner, browser: Browser, dbs: Session
) -> None:
    runner.invoke(args=["demo"])
    browser.sign_in("caseworker@example.org", "portal-demo-2026")
    response = browser.post(
        "/cases/1/findings/dismiss", {"fingerprint": "0" * 64, "reason": "x"}
    )
    assert "no longer applies" in browser.text(response.location)
    assert dbs.scalar(select(FindingDismissal)) is None


def test_contributors_cannot_see_or_dismiss_findings(runner, browser: Browser) -> None:
    runner.invoke(args=["demo"])
    browser.sign_in("parent@example.org", "portal-demo-2026")
    assert "Checks on the plan" not in browser.text("/cases/1")
    response = browser.post(
        "/cases/1/findings/dismiss", {"fingerprint": "0" * 64, "reason": "x"}
    )
    assert response.status_code == 403


def test_case_page_names_advice_by_title_and_author_with_a_link(
    runner, browser: Browser, dbs: Session
) -> None:
    runner.invoke(args=["demo"])
    ep = dbs.scalar(select(Document).where(Document.title == "Psychological advice"))
    browser.sign_in("caseworker@example.org", "portal-demo-2026")
    page = browser.text("/cases/1")
    assert "This recommendation from Psychological advice (Dr Martin Hale)" in page
    link = f'<a class="govuk-link" href="/documents/{ep.id}">'
    assert f"{link}Open Psychological advice (Dr Martin Hale)</a></p>" in page
    assert not re.search(r"\bdocument \d+", page)
