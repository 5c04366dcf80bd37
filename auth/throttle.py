"""Slowing down password guessing: a growing wait, never a lock.

Failures are the audit trail's own `auth.sign_in_failed` events, so the
delay holds across processes with no extra store.

Per email address and network address (the pair): after FREE_FAILURES
failures, each further attempt from that pair waits 2^(n - 5) seconds after
the latest failure (n failures so far), up to MAX_DELAY. The owner signing in
from another address is not slowed, so a stranger cannot keep a parent out.
The pair is keyed by the email typed, not the account, so unknown emails are
slowed exactly like real ones and the wait reveals nothing. The count starts
again after a successful sign-in from that address, after a caseworker clears
the person's delays (`person.sign_in_unlocked`), or after PAIR_MEMORY.

Guessing one common password against many accounts (spraying) never trips
the pair's delay, so one address gets a delay of its own after
FREE_FAILURES_PER_ADDRESS failures within ADDRESS_MEMORY, growing the same
way. It starts high because a council office signs in from one address.

While a wait runs, the password is not checked at all.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import ColumnElement, func, select

from portal.models import AuditEvent, Case, Person, Session, utcnow
from portal.services import audit

FREE_FAILURES = 5
FREE_FAILURES_PER_ADDRESS = 50
MAX_DELAY = timedelta(minutes=15)
PAIR_MEMORY = timedelta(hours=24)
ADDRESS_MEMORY = timedelta(hours=1)
UNLOCKED = "person.sign_in_unlocked"


@dataclass(frozen=True)
class Wait:
    """Why an attempt must wait, and until when."""

    until: datetime
    reason: str  # "account" (this email from this address) or "address"

    def seconds(self, now: datetime) -> int:
        """Whole seconds left, at least one."""
        return max(1, math.ceil((self.until - now).total_seconds()))

    def described(self, now: datetime) -> str:
        """'1 second', '40 seconds', '3 minutes': how long, for people."""
        left = self.seconds(now)
        if left < 120:
            return f"{left} second{'s' if left != 1 else ''}"
        return f"{math.ceil(left / 60)} minutes"


def delay_after(failures: int, free: int) -> timedelta:
    """The wait after `failures` failures when the first `free` cost nothing."""
    if failures < free:
        return timedelta(0)
    # Past 2^10 s the cap applies anyway; the bound keeps the power small.
    return min(MAX_DELAY, timedelta(seconds=2 ** min(failures - free, 10)))


def wait_for(
    session: Session, email: str, person: Person | None, ip_address: str | None
) -> Wait | None:
    """How long a sign-in attempt must wait now, or None when it may go ahead."""
    now = utcnow()
    waits = [
        _pair_wait(session, email, person, ip_address, now),
        _address_wait(session, ip_address, now),
    ]
    ready = [w for w in waits if w is not None and w.until > now]
    return max(ready, key=lambda w: w.until) if ready else None


def clear_delays(session: Session, person: Person, by: Person, case: Case) -> None:
    """Let the person's next sign-in go ahead at once from any address (their
    own failures before now stop counting); audited on the case."""
    audit.record(session, UNLOCKED, actor=by, case=case, person_id=person.id)


def _from(ip_address: str | None) -> ColumnElement[bool]:
    if ip_address is None:
        return AuditEvent.ip_address.is_(None)
    return AuditEvent.ip_address == ip_address


def _pair_wait(
    session: Session,
    email: str,
    person: Person | None,
    ip_address: str | None,
    now: datetime,
) -> Wait | None:
    since = now - PAIR_MEMORY
    if person is not None:
        for fresh_start in (
            _latest(
                session,
                "auth.signed_in",
                AuditEvent.actor_id == person.id,
                _from(ip_address),
            ),
            _latest(
                session,
                UNLOCKED,
                AuditEvent.detail["person_id"].as_integer() == person.id,
            ),
        ):
            if fresh_start is not None and fresh_start > since:
                since = fresh_start
    typed = func.lower(AuditEvent.detail["email"].as_string()) == email.lower()
    return _wait(session, since, FREE_FAILURES, "account", typed, _from(ip_address))


def _address_wait(
    session: Session, ip_address: str | None, now: datetime
) -> Wait | None:
    if ip_address is None:
        return None
    return _wait(
        session,
        now - ADDRESS_MEMORY,
        FREE_FAILURES_PER_ADDRESS,
        "address",
        _from(ip_address),
    )


def _wait(
    session: Session,
    since: datetime,
    free: int,
    reason: str,
    *where: ColumnElement[bool],
) -> Wait | None:
    """The wait the failures after `since` matching `where` call for."""
    count, latest = session.execute(
        select(func.count(AuditEvent.id), func.max(AuditEvent.created_at)).where(
            AuditEvent.action == "auth.sign_in_failed",
            AuditEvent.created_at > since,
            *where,
        )
    ).one()
    if latest is None or count < free:
        return None
    return Wait(until=_aware(latest) + delay_after(count, free), reason=reason)


def _latest(
    session: Session, action: str, *where: ColumnElement[bool]
) -> datetime | None:
    latest = session.scalar(
        select(func.max(AuditEvent.created_at)).where(
            AuditEvent.action == action, *where
        )
    )
    return _aware(latest) if latest is not None else None


def _aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; the portal stores UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
