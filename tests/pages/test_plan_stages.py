"""Sharing the draft, issuing the final plan and amending it: the versions
each freezes, who may then read or change what, and the word-level
comparison of versions."""

from __future__ import annotations

import time
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.doclog import appending, reading
from portal.models import AuditEvent, Case, Document, Version
from portal.services import section_k
from portal.services.demo import DEMO_PASSWORD
from tests.browserlike import Browser


def _section(dbs: Session, key: str) -> Document:
    return dbs.scalars(
        select(Document).where(Document.kind == "plan_section", Document.section == key)
    ).one()


def _case(dbs: Session) -> Case:
    dbs.expire_all()
    case = dbs.get(Case, 1)
    assert case is not None
    return case


@pytest.fixture
def caseworker(runner: Any, browser: Browser) -> Browser:
    assert runner.invoke(args=["demo"]).exit_code == 0
    browser.sign_in("caseworker@example.org", DEMO_PASSWORD)
    return browser


def _as(app: Flask, email: str) -> Browser:
    other = Browser(app.test_client())
    other.sign_in(email, DEMO_PASSWORD)
    return other


def _share(browser: Browser) -> Any:
    return browser.post("/cases/1/share", {"shared": "yes"}, follow_redirects=True)


def test_sharing_the_draft_keeps_a_version_and_starts_the_familys_15_days(
    caseworker: Browser, app: Flask, dbs: Session
) -> None:
    parent = _as(app, "parent@example.org")
    section_f = _section(dbs, "F")
    assert parent.get(f"/documents/{section_f.id}").status_code == 403
    page = _share(caseworker).get_data(as_text=True)
    ends = date.today() + timedelta(days=15)
    assert f"until {ends.day} {ends:%B %Y}" in page
    case = _case(dbs)
    assert case.status == "draft_issued" and case.draft_issued_date == date.today()
    sections = dbs.scalars(
        select(Document).where(Document.kind == "plan_section")
    ).all()
    for doc in sections:
        [version] = dbs.scalars(
            select(Version).where(Version.document_id == doc.id)
        ).all()
        assert version.label.startswith("Draft shared on")
        # Section K's version is the list the portal writes, as it stood.
        now = (
            section_k.markdown(dbs, case)
            if doc.section == "K"
            else reading.document_text(dbs, doc.id)
        )
        assert version.text == now
    # The family now reads (and the parent may comment on) the plan.
    assert parent.get(f"/documents/{section_f.id}").status_code == 200
    assert "plan.draft_shared" in dbs.scalars(select(AuditEvent.action)).all()


def _stale(browser: Browser) -> None:
    """As if the person signed in more than five minutes ago."""
    with browser.client.session_transaction() as session:
        session["auth_at"] = time.time() - 6 * 60


def test_issuing_needs_a_recent_confirmation_and_a_shared_draft(
    caseworker: Browser, app: Flask, dbs: Session
) -> None:
    parent = _as(app, "parent@example.org")
    assert parent.get("/cases/1/issue").status_code == 403
    assert parent.post("/cases/1/issue", {}).status_code == 403
    early = caseworker.post("/cases/1/issue", {})
    assert early.status_code == 400
    assert "Share the draft plan with the family first" in early.get_data(as_text=True)
    _share(caseworker)
    # Signed in a while ago: confirm it's you first, and nothing is issued.
    _stale(caseworker)
    asked = caseworker.post("/cases/1/issue", {})
    assert asked.status_code == 302
    assert asked.headers["Location"] == "/confirm-its-you?next=/cases/1/issue"
    wrong = caseworker.post(asked.headers["Location"], {"password": "not-my-password"})
    assert wrong.status_code == 400
    assert "Your password is not right" in wrong.get_data(as_text=True)
    assert _case(dbs).status == "draft_issued"
    assert "auth.reauth_failed" in dbs.scalars(select(AuditEvent.action)).all()
    confirmed = caseworker.post(asked.headers["Location"], {"password": DEMO_PASSWORD})
    assert confirmed.headers["Location"] == "/cases/1/issue"
    assert _case(dbs).status == "draft_issued"
    done = caseworker.post("/cases/1/issue", {}, follow_redirects=True)
    assert "The final plan is issued" in done.get_data(as_text=True)
    case = _case(dbs)
    assert case.status == "final_issued" and case.final_issued_date == date.today()
    section_f = _section(dbs, "F")
    assert section_f.status == "issued"
    labels = dbs.scalars(
        select(Version.label).where(Version.document_id == section_f.id)
    ).all()
    assert sorted(label.split(" on ")[0] for label in labels) == [
        "Draft shared",
        "Final plan issued",
    ]
    # Locked: the caseworker's page is read-only, and sharing again is refused.
    page = caseworker.get(f"/documents/{section_f.id}").get_data(as_text=True)
    assert 'data-access="read"' in page
    again = _share(caseworker).get_data(as_text=True)
    assert "Amend it to share a new draft" in again
    assert caseworker.post("/cases/1/issue", {}).status_code == 400


def test_amending_reopens_the_plan_and_keeps_the_issued_version(
    caseworker: Browser, dbs: Session
) -> None:
    _share(caseworker)
    caseworker.post("/cases/1/issue", {})
    section_f = _section(dbs, "F")
    issued_text = reading.document_text(dbs, section_f.id)
    page = caseworker.post("/cases/1/amend", {}, follow_redirects=True)
    assert "open for amendment" in page.get_data(as_text=True)
    assert _case(dbs).status == "amending"
    dbs.expire_all()
    assert _section(dbs, "F").status == "draft"
    view = caseworker.get(f"/documents/{section_f.id}").get_data(as_text=True)
    assert 'data-access="edit"' in view
    final = dbs.scalars(
        select(Version).where(
            Version.document_id == section_f.id,
            Version.label.like("Final plan issued%"),
        )
    ).one()
    assert final.text == issued_text
    # Amending twice is refused with a message.
    twice = caseworker.post("/cases/1/amend", {}, follow_redirects=True)
    assert "Only an issued plan can be amended" in twice.get_data(as_text=True)


def test_versions_open_read_only_and_compare_word_by_word(
    caseworker: Browser, app: Flask, dbs: Session
) -> None:
    _share(caseworker)
    section_f = _section(dbs, "F")
    text = reading.document_text(dbs, section_f.id)
    changed = text.replace("regular SALT input", "2 sessions of SALT input a week")
    assert changed != text
    appending.set_text(dbs, section_f, changed, None)
    dbs.commit()
    [version] = dbs.scalars(
        select(Version).where(Version.document_id == section_f.id)
    ).all()
    page = caseworker.get(f"/versions/{version.id}").get_data(as_text=True)
    assert "It cannot be changed" in page and "regular SALT input" in page
    diff = caseworker.get(f"/documents/{section_f.id}/compare").get_data(as_text=True)
    assert "[taken out: </span>regular<span" in diff
    assert "[added: </span>2 sessions of<span" in diff
    assert "**" not in diff[diff.find("compare-text") :], "read as words, not Markdown"
    assert "added and" in diff
    # Same version both sides: nothing changed.
    same = caseworker.get(
        f"/documents/{section_f.id}/compare?from={version.id}&to={version.id}"
    ).get_data(as_text=True)
    assert "no words changed" in same
    # Another document's version, or nonsense, is not found.
    other = _section(dbs, "E")
    assert (
        caseworker.get(f"/documents/{other.id}/compare?from={version.id}").status_code
        == 404
    )
    assert caseworker.get(f"/documents/{section_f.id}/compare?to=x1").status_code == 404
    # Readers of the document read its versions; others do not.
    assert (
        _as(app, "parent@example.org").get(f"/versions/{version.id}").status_code == 200
    )
    psych = dbs.scalars(
        select(Document).where(Document.title == "Psychological advice")
    ).one()
    assert psych.owner is not None
    from portal.services import documents

    advice_version = documents.submit_advice(dbs, psych, psych.owner.person)
    dbs.commit()
    assert (
        _as(app, "parent@example.org").get(f"/versions/{advice_version.id}").status_code
        == 403
    )
    assert caseworker.get(f"/versions/{advice_version.id}").status_code == 200
    assert caseworker.get("/versions/999999").status_code == 404


def test_every_demo_account_reads_a_version_exactly_when_it_reads_its_document(
    caseworker: Browser, app: Flask, dbs: Session
) -> None:
    from portal.services import demo

    psychologist = _as(app, "psychologist@example.org")
    advice = dbs.scalars(
        select(Document).where(Document.title == "Psychological advice")
    ).one()
    answer = psychologist.post(f"/documents/{advice.id}/submit", {})
    assert answer.status_code in (200, 302)
    _share(caseworker)  # freezes every plan section
    versions = dbs.scalars(select(Version)).all()
    assert {v.document_id for v in versions} >= {advice.id, _section(dbs, "F").id}
    seen: dict[str, int] = {}
    for account in demo.ACCOUNTS:
        reader = _as(app, account.email)
        readable = 0
        for version in versions:
            doc_status = reader.get(f"/documents/{version.document_id}").status_code
            status = reader.get(f"/versions/{version.id}").status_code
            compare = reader.get(
                f"/documents/{version.document_id}/compare?from={version.id}"
            ).status_code
            may = doc_status == 200
            assert (status == 200) is may, (account.email, version.id, status)
            assert (compare == 200) is may, (account.email, version.id, compare)
            assert status in (200, 403, 404)
            readable += may
        seen[account.email] = readable
    # The caseworker reads every version; nobody else reads more than they.
    assert seen["caseworker@example.org"] == len(versions)
    assert all(n <= len(versions) for n in seen.values())
    assert len(set(seen.values())) > 1, "someone may not read some version"
