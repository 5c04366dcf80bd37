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

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.models import AuditEvent, Person, utcnow

MAX_FAILURES = 5
MAX_FAILURES_PER_ADDRESS = 50
WINDOW = timedelta(minutes=15)


def address_is_locked(session: Session, ip_address: str | None) -> bool:
    """Whether one address has failed to sign in too often lately, to any account."""
    if not ip_address:
        return False
    failures = session.scalar(
        select(func.count(AuditEvent.id)).where(
            AuditEvent.action == "auth.sign_in_failed",
            AuditEvent.ip_address == ip_address,
            AuditEvent.created_at > utcnow() - WINDOW,
        )
    )
    return bool(failures and failures >= MAX_FAILURES_PER_ADDRESS)


def is_locked(session: Session, person: Person) -> bool:
    """Whether the account has had too many failed sign-ins lately."""
    since = utcnow() - WINDOW
    failures = session.scalar(
        select(func.count(AuditEvent.id)).where(
            AuditEvent.action == "auth.sign_in_failed",
            AuditEvent.actor_id == person.id,
            AuditEvent.created_at > since,
        )
    )
    if not failures or failures < MAX_FAILURES:
        return False
    # A successful sign-in after the failures clears the count.
    last_success = session.scalar(
        select(func.max(AuditEvent.created_at)).where(
            AuditEvent.action == "auth.signed_in", AuditEvent.actor_id == person.id
        )
    )
    if last_success is None or last_success <= since:
        return True
    recent = session.scalar(
        select(func.count(AuditEvent.id)).where(
            AuditEvent.action == "auth.sign_in_failed",
            AuditEvent.actor_id == person.id,
            AuditEvent.created_at > last_success,
        )
    )
    return bool(recent and recent >= MAX_FAILURES)
