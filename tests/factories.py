"""Small factories for test data (no SQL dumps)."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from auth.passwords import hash_password
from portal.doclog import appending, reading
from portal.models import Case, Document, Membership, Person
from portal.services import cases, documents

PASSWORD = "correct horse battery"
_HASH = hash_password(PASSWORD)  # Argon2 is slow on purpose: hash once
_n = itertools.count(1)


class Factory:
    """Builds rows in the test's database and commits them."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def person(
        self, email: str | None = None, *, name: str | None = None, staff: bool = False
    ) -> Person:
        n = next(_n)
        person = Person(
            email=email or f"person{n}@example.org",
            name=name or f"Person {n}",
            password_hash=_HASH,
            is_staff=staff,
        )
        self.session.add(person)
        self.session.commit()
        return person

    def case(
        self,
        caseworker: Person | None = None,
        *,
        request_date: date | None = None,
        child_name: str = "Ruby Ashworth",
        year_group: int | None = 4,
    ) -> Case:
        caseworker = caseworker or self.person(staff=True, name="Casey Worker")
        case = cases.create_case(
            self.session,
            cases.CaseDetails(
                child_name=child_name,
                child_date_of_birth=date(2016, 5, 4),
                year_group=year_group,
                setting="Fernhill Primary",
                la_reference=f"REF-{next(_n)}",
                request_date=request_date or date.today() - timedelta(weeks=3),
            ),
            caseworker,
        )
        self.session.commit()
        return case

    def member(
        self,
        case: Case,
        role: str,
        person: Person | None = None,
        *,
        discipline: str | None = None,
    ) -> Membership:
        membership = Membership(
            case_id=case.id,
            person=person or self.person(),
            role=role,
            discipline=discipline,
        )
        self.session.add(membership)
        self.session.commit()
        return membership

    def advice(
        self,
        case: Case,
        owner: Membership | None,
        discipline: str,
        *,
        text: str = "",
        due: date | None = None,
    ) -> Document:
        doc = documents.create_advice(
            self.session,
            case,
            discipline,
            due or date.today() + timedelta(weeks=6),
            owner,
        )
        if text:
            appending.set_text(self.session, doc, text, owner.person if owner else None)
        self.session.commit()
        return doc

    def section(self, case: Case, key: str) -> Document:
        doc = next(
            d for d in cases.case_documents(self.session, case) if d.section == key
        )
        return doc


# A recommendation no plan carries, so findings about it are easy to spot.
DRAFT_RECOMMENDATION = "Zqblorp kite practice, 2 x 25 minutes weekly."


def demo_with_draft_recommendation(session: Session) -> tuple[Document, Document]:
    """The demo case (already loaded) with the draft plan shared and the
    psychologist's still-draft advice recommending `DRAFT_RECOMMENDATION`;
    returns that advice and plan section F."""
    ep = session.scalar(
        select(Document).where(Document.title == "Psychological advice")
    )
    assert ep is not None
    text = reading.document_text(session, ep.id)
    text += f"\n**Recommendations.**\n\n1. {DRAFT_RECOMMENDATION}\n"
    appending.set_text(session, ep, text, None)
    case = session.scalar(select(Case))
    assert case is not None
    case.draft_shared = True
    session.commit()
    section_f = session.scalar(select(Document).where(Document.section == "F"))
    assert section_f is not None
    return ep, section_f
