"""Services announce access changes, and only once they are committed.

The realtime server re-reads access when it hears `access_changed`; a note
sent before the commit (or for a change rolled back) would make it read the
old state and keep a removed person in the room.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy.orm import Session

from portal import signals
from portal.extensions import db
from portal.models import Case, Document, Membership, Person
from portal.services import cases
from tests.browserlike import Browser
from tests.factories import Factory


def heard(app: Flask) -> tuple[list[dict[str, Any]], Any]:
    """A list that fills with the access notes `app` sends, and the receiver."""
    notes: list[dict[str, Any]] = []

    def receiver(sender: Flask, **kwargs: Any) -> None:
        notes.append(kwargs)

    signals.access_changed.connect(receiver, sender=app)
    return notes, receiver


def test_a_change_is_announced_after_commit_and_never_after_rollback(
    app: Flask, make: Factory
) -> None:
    case = make.case()
    notes, receiver = heard(app)
    try:
        with app.app_context():
            the_case = db.session.get(Case, case.id)
            person = db.session.get(Person, case.memberships[0].person_id)
            assert the_case is not None and person is not None
            cases.set_draft_shared(db.session, the_case, True, person)
            db.session.flush()
            assert notes == []  # not before the commit
            db.session.commit()
            assert notes == [{"case_id": case.id, "document_id": None}]

            cases.set_draft_shared(db.session, the_case, False, person)
            db.session.rollback()
            db.session.commit()  # nothing left to announce
            assert len(notes) == 1
    finally:
        signals.access_changed.disconnect(receiver, sender=app)


def test_pages_announce_through_their_services(
    app: Flask, browser: Browser, make: Factory, dbs: Session
) -> None:
    caseworker = make.person("cw@example.org", staff=True)
    case = make.case(caseworker)
    author = make.member(case, "professional", discipline="educational_psychologist")
    advice = make.advice(case, author, "educational_psychologist", text="Advice.\n")
    parent_id = make.member(case, "parent").id
    author_email = author.person.email
    notes, receiver = heard(app)
    try:
        browser.sign_in("cw@example.org")
        browser.post(f"/cases/{case.id}/share", {"shared": "yes"})
        browser.post(f"/cases/{case.id}/members/{parent_id}/remove", {})
        browser.sign_out()
        browser.sign_in(author_email)
        browser.post(f"/documents/{advice.id}/submit", {})
    finally:
        signals.access_changed.disconnect(receiver, sender=app)
    assert notes == [
        {"case_id": case.id, "document_id": None},
        {"case_id": case.id, "document_id": None},
        {"case_id": case.id, "document_id": advice.id},
    ]
    dbs.expire_all()
    assert dbs.get(Membership, parent_id) is None
    assert dbs.get(Document, advice.id).status == "submitted"
