"""Password resets by emailed link: random, single use, valid for an hour.

Only the token's SHA-256 is stored. Asking for a link does the same database
work whether or not there is an account for the address (a lookup, a token,
an audit event), so the answer and its timing say nothing about who has an
account; only a known, active account gets a `PasswordReset` row and an email.
Using a link sets the password, spends the link and every other unused link
of that person; the caller then ends all of the person's sign-ins.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select, update

from auth.passwords import hash_password
from auth.tokens import hash_token
from portal.errors import ResetLinkError
from portal.models import PasswordReset, Person, Session, utcnow
from portal.services import audit

VALID_FOR = timedelta(hours=1)
USED = (
    "This link to reset your password has already been used. Each link works "
    "once: if you still need to reset your password, ask for a new one."
)


@dataclass(frozen=True)
class ResetLink:
    """Who to email, and the token for their link (clear text only here)."""

    person: Person
    token: str


def request_reset(
    session: Session, email: str, ip_address: str | None
) -> ResetLink | None:
    """A new reset link for the account with this email, if there is an
    active one; audited either way. The caller commits."""
    person = session.scalar(
        select(Person).where(func.lower(Person.email) == email.strip().lower())
    )
    token = secrets.token_urlsafe(32)
    token_hash = hash_token(token)
    if person is None or not person.is_active:
        audit.record(
            session,
            "auth.password_reset_requested",
            ip_address=ip_address,
            email=email[:254],
            known=False,
        )
        return None
    session.add(
        PasswordReset(
            person_id=person.id,
            token_hash=token_hash,
            expires_at=utcnow() + VALID_FOR,
        )
    )
    audit.record(
        session,
        "auth.password_reset_requested",
        actor=person,
        ip_address=ip_address,
        known=True,
    )
    return ResetLink(person, token)


def find_reset(session: Session, token: str) -> PasswordReset:
    """The usable reset for a link's token, or ResetLinkError saying why not."""
    row = None
    if 20 <= len(token) <= 100:
        row = session.scalar(
            select(PasswordReset).where(PasswordReset.token_hash == hash_token(token))
        )
    if row is None:
        raise ResetLinkError(
            "This link to reset your password is not valid. Check you copied "
            "the whole link, or ask for a new one."
        )
    if row.used_at is not None:
        raise ResetLinkError(USED)
    if row.expires_at < utcnow():
        raise ResetLinkError(
            "This link to reset your password has expired. Links work for an "
            "hour: ask for a new one."
        )
    if not row.person.is_active:
        raise ResetLinkError(
            "This account cannot be used. Ask your caseworker for help."
        )
    return row


def use_reset(
    session: Session, reset: PasswordReset, password: str, ip_address: str | None
) -> Person:
    """Set the person's new password and spend this link and their other
    unused ones, audited. The caller ends their sign-ins and commits."""
    now = utcnow()
    # Spend this link first, in one conditional statement, so that two
    # requests racing with the same link cannot both set a password.
    spent = session.execute(
        update(PasswordReset)
        .where(PasswordReset.id == reset.id, PasswordReset.used_at.is_(None))
        .values(used_at=now)
    )
    if getattr(spent, "rowcount", 0) != 1:
        raise ResetLinkError(USED)
    person = reset.person
    person.password_hash = hash_password(password)
    session.execute(
        update(PasswordReset)
        .where(PasswordReset.person_id == person.id, PasswordReset.used_at.is_(None))
        .values(used_at=now)
    )
    audit.record(session, "person.password_reset", actor=person, ip_address=ip_address)
    return person
