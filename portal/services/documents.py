"""Advice documents: creating, submitting and reopening them."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from portal import docmodel, domain, guidance, signals
from portal.doclog import appending, reading
from portal.errors import InvalidInput
from portal.models import Case, Document, Membership, Person, Session, Version, utcnow
from portal.services import audit, notify


def create_advice(
    session: Session,
    case: Case,
    discipline: str,
    due_date: date | None,
    owner: Membership | None = None,
) -> Document:
    """Create the advice document a contributor is asked to write."""
    doc = Document(
        case_id=case.id,
        kind="advice",
        title=domain.advice_title(discipline),
        discipline=discipline,
        due_date=due_date,
        owner_membership_id=owner.id if owner else None,
    )
    session.add(doc)
    session.flush()
    if discipline == guidance.CHILD:
        _seed_prompts(session, doc)
    return doc


def _seed_prompts(session: Session, doc: Document) -> None:
    """A child's page opens with the prompts as headings to write under."""
    ydoc = reading.new_ydoc()
    docmodel.seed_headings(ydoc, (p["heading"] for p in guidance.ALL_ABOUT_ME_PROMPTS))
    appending.append_update(session, doc, ydoc.get_update(), None)


def advice_of(session: Session, membership: Membership) -> list[Document]:
    """The advice documents a member writes."""
    stmt = select(Document).where(Document.owner_membership_id == membership.id)
    return list(session.scalars(stmt.order_by(Document.id)))


def submit_advice(session: Session, doc: Document, by: Person) -> Version:
    """Freeze the advice as a Version; further edits need the caseworker to reopen it."""
    if doc.kind != "advice" or doc.status != "draft":
        raise InvalidInput("Only advice that is still a draft can be submitted.")
    # Under the lock every append takes: the version holds exactly what was
    # acknowledged, and no edit lands between this read and the commit.
    frozen = reading.read_locked(session, doc.id)
    version = Version(
        document_id=doc.id,
        label="Advice submitted",
        text=frozen.text,
        state=frozen.state,
        created_by_id=by.id,
    )
    session.add(version)
    doc.status = "submitted"
    doc.submitted_at = utcnow()
    audit.record(session, "document.submitted", actor=by, document=doc)
    notify.advice_submitted(session, doc, by)
    signals.announce_access_change(session, doc.case_id, doc.id)
    return version


def reopen_advice(session: Session, doc: Document, by: Person) -> None:
    """Let the author edit submitted advice again."""
    if doc.kind != "advice" or doc.status != "submitted":
        raise InvalidInput("Only submitted advice can be reopened.")
    doc.status = "draft"
    doc.submitted_at = None
    audit.record(session, "document.reopened", actor=by, document=doc)
    signals.announce_access_change(session, doc.case_id, doc.id)


def versions_of(session: Session, doc: Document) -> list[Version]:
    """A document's versions, newest first."""
    stmt = select(Version).where(Version.document_id == doc.id)
    return list(
        session.scalars(stmt.order_by(Version.created_at.desc(), Version.id.desc()))
    )


def submitted_since_seen(session: Session, case_ids: list[int]) -> list[Document]:
    """Advice submitted on these cases, newest first (the caseworker's notifications)."""
    if not case_ids:
        return []
    stmt = (
        select(Document)
        .where(Document.case_id.in_(case_ids), Document.status == "submitted")
        .order_by(Document.submitted_at.desc())
        .limit(20)
    )
    return list(session.scalars(stmt))
