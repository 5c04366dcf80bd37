"""Slowing down password guessing: a few failures, then a pause.

Failures are the audit trail's own `auth.sign_in_failed` events, so the
limit holds across processes with no extra store. After MAX_FAILURES for one
account within WINDOW, that account cannot sign in until the window has
passed since its latest failure; the person is told how long to wait.

Guessing one common password against many accounts (spraying) never trips
the per-account limit, so one network address gets a limit of its own,
MAX_FAILURES_PER_ADDRESS across all accounts and unknown emails. It is set
high because a council office signs in from one address behind its NAT.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, func, select

from portal.models import AuditEvent, Person, Session, utcnow

MAX_FAILURES = 5
MAX_FAILURES_PER_ADDRESS = 50
WINDOW = timedelta(minutes=15)


def address_is_locked(session: Session, ip_address: str | None) -> bool:
    """Whether one address has failed to sign in too often lately, to any account."""
    if not ip_address:
        return False
    since = utcnow() - WINDOW
    return _failures(session, since, AuditEvent.ip_address == ip_address) >= (
        MAX_FAILURES_PER_ADDRESS
    )


def is_locked(session: Session, person: Person) -> bool:
    """Whether the account has had too many failed sign-ins lately."""
    since = utcnow() - WINDOW
    by_person = AuditEvent.actor_id == person.id
    if _failures(session, since, by_person) < MAX_FAILURES:
        return False
    # A successful sign-in after the failures clears the count.
    last_success = session.scalar(
        select(func.max(AuditEvent.created_at)).where(
            AuditEvent.action == "auth.signed_in", by_person
        )
    )
    if last_success is None or last_success <= since:
        return True
    return _failures(session, last_success, by_person) >= MAX_FAILURES


def _failures(session: Session, since: datetime, *where: ColumnElement[bool]) -> int:
    """Failed sign-ins recorded after `since` that match `where`."""
    count = session.scalar(
        select(func.count(AuditEvent.id)).where(
            AuditEvent.action == "auth.sign_in_failed",
            AuditEvent.created_at > since,
            *where,
        )
    )
    return count or 0
