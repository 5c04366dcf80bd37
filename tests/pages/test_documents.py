"""The document page, submitting and reopening advice, and the assistant endpoint."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import Document, Version
from tests.browserlike import Browser
from tests.factories import Factory


def test_markdown_is_rendered_and_no_script_gets_through(
    browser: Browser, make: Factory
) -> None:
    case = make.case()
    ep = make.member(case, "professional", discipline="educational_psychologist")
    text = (
        "# Findings\n\n**Strong** visual memory.\n\n<script>alert('x')</script>\n\n"
        "[click](javascript:alert(1)) <img src=x onerror=alert(1)>"
    )
    advice = make.advice(case, ep, "educational_psychologist", text=text)
    browser.sign_in(ep.person.email)
    page = browser.text(f"/documents/{advice.id}")
    assert "<h1>Findings</h1>" in page and "<strong>Strong</strong>" in page
    assert "<script>alert" not in page and "<img src=x" not in page
    assert 'href="javascript:' not in page
    assert "&lt;script&gt;" in page
    assert "You can edit this" in page and 'data-access="edit"' in page


def test_submitting_freezes_a_version_and_tells_the_caseworker(
    browser: Browser, make: Factory, dbs: Session
) -> None:
    case = make.case()
    caseworker = case.memberships[0].person
    slt = make.member(case, "professional", discipline="speech_language_therapist")
    advice = make.advice(
        case, slt, "speech_language_therapist", text="6 sessions of 30 minutes."
    )
    browser.sign_in(slt.person.email)
    assert browser.post(f"/documents/{advice.id}/submit", {}).status_code == 302
    page = browser.text(f"/documents/{advice.id}")
    assert "You can read this" in page and "Advice submitted" in page
    version = dbs.scalar(select(Version).where(Version.document_id == advice.id))
    assert version is not None and version.text == "6 sessions of 30 minutes.\n"
    # Submitting twice is refused.
    assert browser.post(f"/documents/{advice.id}/submit", {}).status_code == 403
    browser.sign_out()
    browser.sign_in(caseworker.email)
    home = browser.text("/")
    assert "Advice submitted" in home and "Speech and language therapy advice" in home
    assert browser.post(f"/documents/{advice.id}/reopen", {}).status_code == 302
    dbs.expire_all()
    assert dbs.get(Document, advice.id).status == "draft"


def test_only_the_caseworker_reopens(browser: Browser, make: Factory) -> None:
    case = make.case()
    slt = make.member(case, "professional", discipline="speech_language_therapist")
    advice = make.advice(case, slt, "speech_language_therapist", text="x")
    browser.sign_in(slt.person.email)
    browser.post(f"/documents/{advice.id}/submit", {})
    assert browser.post(f"/documents/{advice.id}/reopen", {}).status_code == 403


def test_assistant_endpoint_flags_vague_provision_in_a_section(
    browser: Browser, make: Factory
) -> None:
    case = make.case()
    browser.sign_in(case.memberships[0].person.email)
    section_f = make.section(case, "F")
    token = browser.csrf_token()
    response = browser.client.post(
        f"/api/documents/{section_f.id}/assistant",
        json={
            "text": "- **F1.** Ruby will have access to regular support in order to facilitate learning."
        },
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 200
    body = response.get_json()
    assert any(f["kind"] == "unquantified_provision" for f in body["findings"])
    assert any(
        s["original"].lower() in {"in order to", "facilitate"}
        for s in body["suggestions"]
    )
    assert body["measures"]["words"] > 5 and body["measures"]["reading_age"] > 0


def test_families_get_suggestions_but_never_a_reading_age(
    browser: Browser, make: Factory
) -> None:
    case = make.case()
    parent = make.member(case, "parent")
    views = make.advice(case, parent, "parent_carer")
    browser.sign_in(parent.person.email)
    response = browser.client.post(
        f"/api/documents/{views.id}/assistant",
        json={"text": "We would like him to have access to regular support."},
        headers={"X-CSRFToken": browser.csrf_token()},
    )
    assert response.status_code == 200
    assert response.get_json()["measures"] is None


def test_assistant_endpoint_needs_csrf_and_access(
    browser: Browser, make: Factory
) -> None:
    case = make.case()
    parent = make.member(case, "parent")
    section_f = make.section(case, "F")
    browser.sign_in(parent.person.email)
    no_token = browser.client.post(
        f"/api/documents/{section_f.id}/assistant", json={"text": "x"}
    )
    assert no_token.status_code == 400
    hidden = browser.client.post(
        f"/api/documents/{section_f.id}/assistant",
        json={"text": "x"},
        headers={"X-CSRFToken": browser.csrf_token()},
    )
    assert hidden.status_code == 403
    bad = browser.client.post(
        f"/api/documents/{make.section(case, 'A').id}/assistant",
        json={"words": 1},
        headers={"X-CSRFToken": browser.csrf_token()},
    )
    assert bad.status_code == 400 and "text" in bad.get_json()["error"]


def test_case_page_groups_findings_by_section(browser: Browser, runner) -> None:
    runner.invoke(args=["demo"])
    browser.sign_in("caseworker@example.org", "portal-demo-2026")
    page = browser.text("/cases/1")
    assert "Checks on the plan" in page
    assert 'data-kind="unquantified_provision"' in page  # "regular SALT input" in F2
    assert 'data-kind="outcome_not_smart"' in page  # "Leo will get better at writing."


def test_suggestion_decisions_are_audited(
    browser: Browser, make: Factory, dbs: Session
) -> None:
    from portal.models import AuditEvent

    case = make.case()
    parent = make.member(case, "parent")
    section_a, section_f = make.section(case, "A"), make.section(case, "F")
    browser.sign_in(parent.person.email)
    headers = {"X-CSRFToken": browser.csrf_token()}
    decision = {
        "decision": "accepted",
        "rule": "plain_words",
        "original": "utilise",
        "replacement": "use",
    }
    ok = browser.client.post(
        f"/api/documents/{section_a.id}/suggestions/decision",
        json=decision,
        headers=headers,
    )
    assert ok.status_code == 201
    event = dbs.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert event.action == "suggestion.accepted" and event.actor_id == parent.person_id
    assert event.detail["original"] == "utilise" and event.document_id == section_a.id
    # Accepting needs edit access: the parent cannot edit Section F even once shared.
    case.draft_shared = True
    dbs.commit()
    refused = browser.client.post(
        f"/api/documents/{section_f.id}/suggestions/decision",
        json=decision,
        headers=headers,
    )
    assert refused.status_code == 403
    rejected = browser.client.post(
        f"/api/documents/{section_f.id}/suggestions/decision",
        json={**decision, "decision": "rejected"},
        headers=headers,
    )
    assert rejected.status_code == 201
    junk = browser.client.post(
        f"/api/documents/{section_f.id}/suggestions/decision",
        json={"decision": "maybe"},
        headers=headers,
    )
    assert junk.status_code == 400
