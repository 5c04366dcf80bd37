"""Invitations: a single-use link, stored as a hash, valid for 14 days."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select

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
    refuse_duplicate(session, case, email)
    discipline = _discipline_for(req)
    # Expired invitations to the same address give way to this one (and their
    # advice document is taken over below, not duplicated).
    expired = [i for i in pending_invitations(session, case) if i.email == email]
    for old in expired:
        old.cancelled_at = utcnow()
    session.flush()
    doc: Document | None = None
    if discipline is not None:
        doc = _unclaimed_advice(session, case, discipline)
        due = domain.advice_due_date(today)
        if doc is None:
            doc = documents.create_advice(session, case, discipline, due)
        else:
            doc.due_date = due
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


def _on(moment: datetime) -> str:
    return f"{moment.day} {moment:%B %Y}"


def refuse_duplicate(session: Session, case: Case, email: str) -> None:
    """InvalidInput if `email` is already on the case or already invited to it."""
    member = session.scalar(
        select(Membership)
        .join(Person, Person.id == Membership.person_id)
        .where(Membership.case_id == case.id, func.lower(Person.email) == email)
    )
    if member is not None:
        role = domain.ROLE_LABELS.get(member.role, member.role).lower()
        raise InvalidInput(
            f"{member.person.name} ({email}) is already on this case as {role}. "
            "There is no need to invite them again."
        )
    for invitation in pending_invitations(session, case):
        if invitation.email == email and invitation.expires_at >= utcnow():
            raise InvalidInput(
                f"{email} was already invited on {_on(invitation.created_at)} by "
                f"{invitation.invited_by.name}. If they lost the link, resend that "
                "invitation from the case page."
            )


def _unclaimed_advice(session: Session, case: Case, discipline: str) -> Document | None:
    """Advice of this discipline that nobody writes and no live invitation
    asks for (its invitation was cancelled): a new invitation takes it over."""
    live = select(Invitation.document_id).where(
        Invitation.case_id == case.id,
        Invitation.used_at.is_(None),
        Invitation.cancelled_at.is_(None),
        Invitation.replaced_by_id.is_(None),
        Invitation.document_id.is_not(None),
    )
    return session.scalar(
        select(Document)
        .where(
            Document.case_id == case.id,
            Document.kind == "advice",
            Document.discipline == discipline,
            Document.owner_membership_id.is_(None),
            Document.status == "draft",
            Document.source_author == "",
            Document.id.in_(
                select(Invitation.document_id).where(Invitation.case_id == case.id)
            ),
            Document.id.not_in(live),
        )
        .order_by(Document.id)
    )


def cancel_invitation(session: Session, invitation: Invitation, by: Person) -> None:
    """Stop an unused invitation's link working."""
    if not is_pending(invitation):
        raise InvalidInput("That invitation has already been used or cancelled.")
    invitation.cancelled_at = utcnow()
    audit.record(
        session,
        "invitation.cancelled",
        actor=by,
        case=invitation.case,
        email=invitation.email,
        role=invitation.role,
    )


def resend_invitation(
    session: Session, invitation: Invitation, by: Person
) -> tuple[Invitation, str]:
    """A new link for the same invitation; the old link stops working."""
    if not is_pending(invitation):
        raise InvalidInput("That invitation has already been used or cancelled.")
    token = secrets.token_urlsafe(32)
    fresh = Invitation(
        case_id=invitation.case_id,
        email=invitation.email,
        role=invitation.role,
        discipline=invitation.discipline,
        organisation=invitation.organisation,
        job_title=invitation.job_title,
        token_hash=_hash(token),
        expires_at=utcnow() + VALID_FOR,
        invited_by_id=by.id,
        document_id=invitation.document_id,
    )
    session.add(fresh)
    session.flush()
    invitation.replaced_by_id = fresh.id
    audit.record(
        session,
        "invitation.resent",
        actor=by,
        case=invitation.case,
        email=invitation.email,
        role=invitation.role,
    )
    return fresh, token


def is_pending(invitation: Invitation) -> bool:
    """Not used, cancelled or replaced (it may have expired)."""
    return (
        invitation.used_at is None
        and invitation.cancelled_at is None
        and invitation.replaced_by_id is None
    )


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
    if invitation.cancelled_at is not None:
        raise InvitationError(
            "The caseworker cancelled this invitation, so the link no longer "
            "works. Ask them if you should still join the case."
        )
    if invitation.replaced_by_id is not None:
        raise InvitationError(
            "This link was replaced by a newer invitation. Use the link in the "
            "most recent invitation email, or ask the caseworker to send it again."
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
    """Invitations not yet used, cancelled or replaced, newest first."""
    stmt = select(Invitation).where(
        Invitation.case_id == case.id,
        Invitation.used_at.is_(None),
        Invitation.cancelled_at.is_(None),
        Invitation.replaced_by_id.is_(None),
    )
    return list(session.scalars(stmt.order_by(Invitation.id.desc())))
