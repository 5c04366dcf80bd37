"""An audit that answers questions: who first read a case (once each), who
changed which document when (per person per minute, from the update log,
never the text), and permission changes such as API tokens."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from portal.doclog import appending, compaction
from portal.models import AuditEvent, Case, Document, DocUpdate, Person
from tests.browserlike import Browser
from tests.factories import Factory

SECRET = "Zanzibar-quokka"  # a word that must never reach the audit


def events(dbs: Session, case: Case, action: str) -> list[AuditEvent]:
    dbs.expire_all()
    return list(
        dbs.scalars(
            select(AuditEvent)
            .where(AuditEvent.case_id == case.id, AuditEvent.action == action)
            .order_by(AuditEvent.created_at, AuditEvent.actor_id)
        )
    )


def test_a_first_read_is_recorded_once_per_person_however_often_they_look(
    browser: Browser, make: Factory, dbs: Session
) -> None:
    case = make.case()
    parent = make.member(case, "parent").person
    section_a = make.section(case, "A")
    browser.sign_in(parent.email)
    for _ in range(3):
        assert browser.get(f"/cases/{case.id}").status_code == 200
    assert browser.get(f"/documents/{section_a.id}").status_code == 200
    caseworker = case.memberships[0].person
    browser.sign_out()
    browser.sign_in(caseworker.email)
    browser.get(f"/documents/{section_a.id}")
    browser.get(f"/cases/{case.id}")
    reads = events(dbs, case, "case.first_read")
    assert sorted(e.actor_id for e in reads) == sorted([parent.id, caseworker.id])
    trail = browser.text(f"/cases/{case.id}/audit.csv")
    assert trail.count("Read the case for the first time") == 2


def test_the_api_counts_as_a_read_too(
    client: object, make: Factory, dbs: Session, runner: object
) -> None:
    case = make.case()
    professional = make.member(case, "professional", discipline="school_senco")
    result = runner.invoke(args=["token", "create", professional.person.email])  # type: ignore[attr-defined]
    token = result.output.strip()
    headers = {"Authorization": f"Bearer {token}"}
    for _ in range(2):
        response = client.get(f"/api/cases/{case.id}", headers=headers)  # type: ignore[attr-defined]
        assert response.status_code == 200
    assert [e.actor_id for e in events(dbs, case, "case.first_read")] == [
        professional.person.id
    ]


def edit(dbs: Session, doc: Document, person: Person, text: str, minute: int) -> None:
    """One update by `person`, dated in minute `minute` of 10:00 on 1 March."""
    row = appending.set_text(dbs, doc, text, person)
    assert row is not None
    dbs.flush()
    when = datetime(2026, 3, 1, 10, minute, 7 + len(text) % 40, tzinfo=UTC)
    dbs.execute(update(DocUpdate).where(DocUpdate.id == row.id).values(created_at=when))
    dbs.commit()


def changes(dbs: Session, case: Case) -> list[tuple[int | None, int, int]]:
    """(person, minute, updates) of each 'document.changed' event."""
    return [
        (e.actor_id, e.created_at.minute, e.detail["updates"])
        for e in events(dbs, case, "document.changed")
    ]


def test_document_changes_are_batched_per_person_per_minute_without_text(
    browser: Browser, make: Factory, dbs: Session
) -> None:
    case = make.case()
    caseworker = case.memberships[0].person
    parent = make.member(case, "parent").person
    doc = make.section(case, "A")
    edit(dbs, doc, parent, f"{SECRET} one", 1)
    edit(dbs, doc, parent, f"{SECRET} one two", 1)
    edit(dbs, doc, caseworker, f"{SECRET} one two three", 1)
    edit(dbs, doc, parent, f"{SECRET} one two three four", 2)
    browser.sign_in(caseworker.email)
    page = browser.text(f"/cases/{case.id}/audit?what=document.changed")
    assert page.count("Changed a document") >= 3
    assert "updates: 2" in page
    assert sorted(changes(dbs, case)) == sorted(
        [(parent.id, 1, 2), (caseworker.id, 1, 1), (parent.id, 2, 1)]
    )
    # Reading the trail again counts nothing twice; a later edit in the same
    # minute joins that minute's event.
    browser.get(f"/cases/{case.id}/audit")
    edit(dbs, doc, parent, f"{SECRET} five", 2)
    csv_text = browser.get(f"/cases/{case.id}/audit.csv").get_data(as_text=True)
    assert sorted(changes(dbs, case)) == sorted(
        [(parent.id, 1, 2), (caseworker.id, 1, 1), (parent.id, 2, 2)]
    )
    assert "Changed a document" in csv_text
    everything = [str(e.detail) for e in dbs.scalars(select(AuditEvent))]
    assert not any(SECRET in d for d in everything)


def test_compaction_summarises_changes_before_it_folds_the_rows_away(
    make: Factory, dbs: Session
) -> None:
    case = make.case()
    parent = make.member(case, "parent").person
    doc = make.section(case, "A")
    for n in range(4):
        edit(dbs, doc, parent, f"draft {n}", n)
    assert compaction.compact(dbs, doc.id) is not None
    left = dbs.scalar(select(func.count()).where(DocUpdate.document_id == doc.id))
    assert left == 1  # the author's latest row is kept; the rest are folded
    assert sorted(changes(dbs, case)) == [(parent.id, n, 1) for n in range(4)]


def test_api_tokens_created_and_revoked_are_recorded(
    make: Factory, dbs: Session, runner: object
) -> None:
    person = make.person()
    runner.invoke(args=["token", "create", person.email, "--name", "Case system"])  # type: ignore[attr-defined]
    token_id = dbs.scalar(
        select(AuditEvent.detail).where(AuditEvent.action == "token.created")
    )["token_id"]
    runner.invoke(args=["token", "revoke", str(token_id)])  # type: ignore[attr-defined]
    recorded = {
        e.action: e.detail
        for e in dbs.scalars(
            select(AuditEvent).where(AuditEvent.action.startswith("token."))
        )
    }
    assert recorded["token.created"]["person_id"] == person.id
    assert recorded["token.created"]["name"] == "Case system"
    assert recorded["token.revoked"]["token_id"] == token_id
    assert "ehcp_" not in str(recorded["token.created"].get("token", ""))
