"""Recording audit events, and reading a case's trail a page at a time."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, func, select, update

from portal.models import (
    AuditEvent,
    Case,
    Document,
    Membership,
    Person,
    Session,
    utcnow,
)

PER_PAGE = 50
# What each recorded action means, for the people reading the trail. An action
# missing here is shown as its code with the dots made spaces.
PLAIN_WORDS = {
    "advice.external_recorded": "Recorded advice received outside the portal",
    "advice.external_removed": "Removed advice received outside the portal",
    "audit.downloaded": "Downloaded the audit trail",
    "auth.invitation": "Opened an invitation",
    "auth.sign_in": "Signed in",
    "auth.sign_in_blocked": "Sign-in held back after wrong passwords",
    "auth.sign_in_failed": "Sign-in failed",
    "auth.signed_in": "Signed in",
    "auth.password_reset_requested": "Asked for a password-reset link",
    "auth.reauth_failed": "Confirming it was them refused: wrong password",
    "auth.reauthenticated": "Confirmed it was them",
    "auth.signed_out": "Signed out",
    "auth.sso_refused": "Single sign-on refused",
    "auth.signed_out_everywhere": "Signed out on every device",
    "case.closed": "Closed the case",
    "case.created": "Opened the case",
    "case.erased": "Erased the case and everything held about it",
    "case.erasure_refused": "Erasing the case refused: wrong reference or password",
    "case.exported": "Downloaded everything held about the case",
    "case.first_read": "Read the case for the first time",
    "case.reopened": "Reopened the closed case",
    "case.draft_shared": "Shared the draft plan",
    "case.draft_unshared": "Stopped sharing the draft plan",
    "case.imported": "Imported the case",
    "comment.added": "Commented on a document",
    "comment.reopened": "Reopened a comment",
    "comment.replied": "Replied to a comment",
    "comment.resolved": "Resolved a comment",
    "document.assigned": "Asked for a document",
    "document.changed": "Changed a document",
    "document.downloaded": "Downloaded a document (PDF or Word)",
    "document.changes_set_aside": "Changes to a document set aside",
    "document.due_date_changed": "Changed when advice is due",
    "document.image_added": "Added a picture",
    "document.recording_added": "Added a voice note",
    "document.reopened": "Reopened advice",
    "document.submitted": "Submitted advice",
    "finding.dismissed": "Dismissed a check",
    "invitation.cancelled": "Cancelled an invitation",
    "invitation.resent": "Sent an invitation again",
    "invitation.accepted": "Joined the case from an invitation",
    "invitation.sent": "Invited someone",
    "membership.removed": "Removed a member",
    "person.admin_revoked": "Admin role taken away",
    "person.created": "Created an account",
    "person.made_admin": "Made an admin",
    "plan.amendment_started": "Opened the issued plan for amendment",
    "plan.draft_shared": "Shared the draft plan and kept a version",
    "plan.downloaded": "Downloaded the plan (PDF or Word)",
    "plan.draft_started": "Started the draft from advice",
    "plan.issue_refused": "Issuing the plan refused: wrong password",
    "plan.issued": "Issued the final plan",
    "plan.passage_taken": "Took a passage of advice into the plan",
    "plan.proposal_accepted": "Accepted a proposal for the plan",
    "plan.proposal_rejected": "Rejected a proposal for the plan",
    "person.password_change_failed": "Password change refused: wrong current password",
    "person.password_changed": "Changed their password",
    "person.password_reset": "Set a new password from an emailed link",
    "person.sso_linked": "Linked their single sign-on account",
    "person.sign_in_unlocked": "Let a member sign in again at once",
    "token.created": "Created an API token",
    "token.revoked": "Revoked an API token",
    "proposal.accepted": "Accepted a proposed change",
    "proposal.declined": "Declined a proposed change",
    "proposal.made": "Proposed a change",
    "suggestion.accepted": "Accepted a suggestion",
    "suggestion.rejected": "Rejected a suggestion",
}
# A spreadsheet runs a cell starting with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def record(
    session: Session,
    action: str,
    *,
    actor: Person | None = None,
    case: Case | None = None,
    document: Document | None = None,
    ip_address: str | None = None,
    **detail: Any,
) -> AuditEvent:
    """Add an audit event to the session; it commits with the change it describes."""
    event = AuditEvent(
        action=action,
        actor_id=actor.id if actor else None,
        case_id=case.id if case else (document.case_id if document else None),
        document_id=document.id if document else None,
        detail=detail,
        ip_address=ip_address,
    )
    session.add(event)
    return event


FIRST_READ = "case.first_read"


def note_first_read(
    session: Session,
    case: Case,
    person: Person,
    membership: Membership | None,
    ip_address: str | None = None,
) -> bool:
    """Record the person's first read of the case, once; True when it was first.

    Members carry the moment on their membership, so a later page view costs
    nothing; an admin, on no case, is looked up in the trail instead.
    """
    if membership is not None:
        if membership.first_read_at is not None:
            return False
        # Conditional, so two first pages opened at once record one read.
        marked = session.execute(
            update(Membership)
            .where(Membership.id == membership.id, Membership.first_read_at.is_(None))
            .values(first_read_at=utcnow())
        )
        if marked.rowcount != 1:  # type: ignore[attr-defined]
            return False
    elif session.scalar(
        select(AuditEvent.id).where(
            AuditEvent.case_id == case.id,
            AuditEvent.actor_id == person.id,
            AuditEvent.action == FIRST_READ,
        )
    ):
        return False
    record(session, FIRST_READ, actor=person, case=case, ip_address=ip_address)
    return True


def note_first_read_by_id(session: Session, case_id: int, person_id: int) -> bool:
    """`note_first_read` for code that holds ids only (the editing socket):
    a read of the membership, and a write only the first time."""
    membership = session.scalar(
        select(Membership).where(
            Membership.case_id == case_id, Membership.person_id == person_id
        )
    )
    if membership is None or membership.first_read_at is not None:
        return False
    return note_first_read(session, membership.case, membership.person, membership)


@dataclass(frozen=True)
class TrailFilter:
    """Which events of a trail to show: by whom, what kind, between which days."""

    who: int | None = None
    what: str | None = None
    date_from: date | None = None
    date_to: date | None = None

    def to_detail(self) -> dict[str, Any]:
        """The filter as audit detail (dates as ISO text, unset parts left out)."""
        return {
            k: v.isoformat() if isinstance(v, date) else v
            for k, v in asdict(self).items()
            if v is not None
        }


@dataclass(frozen=True)
class TrailPage:
    """One page of a trail, newest first, and where it sits among the others."""

    events: list[AuditEvent]
    total: int
    page: int
    pages: int


# Document changes are summarised into the trail after the fact (with the
# minute they happened), so time orders the trail; ids break ties.
NEWEST_FIRST = (AuditEvent.created_at.desc(), AuditEvent.id.desc())


def _trail(case: Case, wanted: TrailFilter) -> Select[AuditEvent]:
    """The case's events that pass the filter; ids give a stable order."""
    stmt = select(AuditEvent).where(AuditEvent.case_id == case.id)
    if wanted.who is not None:
        stmt = stmt.where(AuditEvent.actor_id == wanted.who)
    if wanted.what is not None:
        stmt = stmt.where(AuditEvent.action == wanted.what)
    if wanted.date_from is not None:
        stmt = stmt.where(AuditEvent.created_at >= _start_of(wanted.date_from))
    if wanted.date_to is not None:
        next_day = wanted.date_to + timedelta(days=1)
        stmt = stmt.where(AuditEvent.created_at < _start_of(next_day))
    return stmt


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def trail_page(
    session: Session, case: Case, wanted: TrailFilter, page: int = 1
) -> TrailPage | None:
    """Page `page` (from 1) of the filtered trail, or None past its end."""
    stmt = _trail(case, wanted)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    pages = max(1, -(-total // PER_PAGE))
    if not 1 <= page <= pages:
        return None
    rows = stmt.order_by(*NEWEST_FIRST)
    rows = rows.offset((page - 1) * PER_PAGE).limit(PER_PAGE)
    return TrailPage(list(session.scalars(rows)), total, page, pages)


def trail_events(
    session: Session, case: Case, wanted: TrailFilter
) -> Iterator[AuditEvent]:
    """Every event of the filtered trail, newest first, read in batches."""
    stmt = _trail(case, wanted).order_by(*NEWEST_FIRST)
    return iter(session.scalars(stmt.execution_options(yield_per=500)))


def trail_choices(session: Session, case: Case) -> tuple[list[Person], list[str]]:
    """The people who acted on the case and the kinds of event recorded on it."""
    people = session.scalars(
        select(Person)
        .where(
            Person.id.in_(
                select(AuditEvent.actor_id).where(AuditEvent.case_id == case.id)
            )
        )
        .order_by(Person.name, Person.id)
    )
    actions = session.scalars(
        select(AuditEvent.action)
        .where(AuditEvent.case_id == case.id)
        .distinct()
        .order_by(AuditEvent.action)
    )
    return list(people), list(actions)


def plain_words(action: str) -> str:
    """What an action code means: 'suggestion.rejected' -> 'Rejected a suggestion'."""
    return PLAIN_WORDS.get(action) or action.replace(".", " ").replace("_", " ")


def describe_detail(detail: dict[str, Any]) -> str:
    """An event's detail as 'key: value; key: value'."""
    return "; ".join(f"{k.replace('_', ' ')}: {v}" for k, v in detail.items())


def event_json(event: AuditEvent) -> dict[str, Any]:
    """An event as JSON-ready values, in the words the page uses."""
    return {
        "when": event.created_at.isoformat(),
        "who": event.actor.name if event.actor else "System",
        "what": plain_words(event.action),
        "event_code": event.action,
        "details": event.detail,
        "document_id": event.document_id,
    }


def safe_cell(value: str) -> str:
    """A cell a spreadsheet shows as text, never runs as a formula."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def trail_csv(events: Iterable[AuditEvent]) -> Iterator[str]:
    """The events as CSV text, header first, a line at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def line(cells: list[str]) -> str:
        writer.writerow([safe_cell(c) for c in cells])
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    yield line(["When (UTC)", "Who", "What", "Event code", "Details", "Document"])
    for event in events:
        yield line(
            [
                event.created_at.strftime("%Y-%m-%d %H:%M:%S"),
                event.actor.name if event.actor else "System",
                plain_words(event.action),
                event.action,
                describe_detail(event.detail),
                str(event.document_id or ""),
            ]
        )
