"""Invitations: a single-use link, stored as a hash, valid for 14 days."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, timedelta

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select

from portal import domain
from portal.errors import InvalidInput, InvitationError
from portal.models import (
    Case,
    Document,
    Invitation,
    Membership,
    Person,
    Session,
    utcnow,
)
from portal.services import audit, documents

VALID_FOR = timedelta(days=14)
INVITABLE_ROLES = ("parent", "young_person", "professional", "caseworker")


@dataclass(frozen=True)
class InvitationRequest:
    """What the caseworker fills in to invite someone."""

    email: str
    role: str
    discipline: str | None = None
    organisation: str = ""
    job_title: str = ""


EMAIL_FORMAT = "Enter an email address in the correct format, like name@example.org."


def normal_email(address: str) -> str:
    """One plain email address in normal form (lower case), or InvalidInput.

    Only `name@domain`: no display name, no list, no spaces or line breaks,
    which could add recipients or headers to the invitation email.
    """
    try:
        valid = validate_email(address.strip(), check_deliverability=False)
    except EmailNotValidError:
        raise InvalidInput(EMAIL_FORMAT) from None
    return valid.normalized.lower()


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _discipline_for(req: InvitationRequest) -> str | None:
    if req.role in domain.FAMILY_DISCIPLINES:
        return domain.FAMILY_DISCIPLINES[req.role]
    if req.role == "professional":
        known = {k for k, _ in domain.professional_disciplines()}
        if req.discipline not in known:
            raise InvalidInput("Choose the professional's discipline.")
        return req.discipline
    return None


def create_invitation(
    session: Session, case: Case, req: InvitationRequest, by: Person, today: date
) -> tuple[Invitation, str]:
    """Create the invitation and the advice document it asks for; return the token."""
    email = normal_email(req.email)
    if req.role not in INVITABLE_ROLES:
        raise InvalidInput("Choose a role for the person you are inviting.")
    discipline = _discipline_for(req)
    doc: Document | None = None
    if discipline is not None:
        doc = documents.create_advice(
            session, case, discipline, domain.advice_due_date(today)
        )
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        case_id=case.id,
        email=email,
        role=req.role,
        discipline=discipline if req.role == "professional" else None,
        organisation=req.organisation,
        job_title=req.job_title,
        token_hash=_hash(token),
        expires_at=utcnow() + VALID_FOR,
        invited_by_id=by.id,
        document_id=doc.id if doc else None,
    )
    session.add(invitation)
    session.flush()
    audit.record(
        session,
        "invitation.sent",
        actor=by,
        case=case,
        email=invitation.email,
        role=req.role,
    )
    return invitation, token


def find_invitation(session: Session, token: str) -> Invitation:
    """The usable invitation for a token, or InvitationError saying why not."""
    invitation = session.scalar(
        select(Invitation).where(Invitation.token_hash == _hash(token))
    )
    if invitation is None:
        raise InvitationError(
            "This invitation link is not valid. Check you copied the whole link, "
            "or ask the caseworker to send a new one."
        )
    if invitation.used_at is not None:
        raise InvitationError(
            "This invitation has already been used. Sign in to see the case, "
            "or ask the caseworker for a new invitation."
        )
    if invitation.expires_at < utcnow():
        raise InvitationError(
            "This invitation has expired. Invitations last 14 days: ask the "
            "caseworker to send you a new one."
        )
    return invitation


def accept_invitation(
    session: Session, invitation: Invitation, person: Person
) -> Membership:
    """Join the person to the case and give them the advice document."""
    if invitation.used_at is not None:
        raise InvitationError("This invitation has already been used.")
    existing = session.scalar(
        select(Membership).where(
            Membership.case_id == invitation.case_id, Membership.person_id == person.id
        )
    )
    if existing is not None:
        raise InvitationError(
            "You are already on this case. Ask the caseworker if your role should change."
        )
    membership = Membership(
        case_id=invitation.case_id,
        person_id=person.id,
        role=invitation.role,
        discipline=invitation.discipline,
        organisation=invitation.organisation,
        job_title=invitation.job_title,
    )
    session.add(membership)
    session.flush()
    if invitation.document_id is not None:
        doc = session.get(Document, invitation.document_id)
        if doc is not None:
            doc.owner_membership_id = membership.id
    invitation.used_at = utcnow()
    audit.record(
        session,
        "invitation.accepted",
        actor=person,
        case=invitation.case,
        role=invitation.role,
        membership_id=membership.id,
    )
    return membership


def pending_invitations(session: Session, case: Case) -> list[Invitation]:
    """Invitations not yet used, newest first."""
    stmt = select(Invitation).where(
        Invitation.case_id == case.id, Invitation.used_at.is_(None)
    )
    return list(session.scalars(stmt.order_by(Invitation.id.desc())))
