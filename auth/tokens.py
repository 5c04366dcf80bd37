"""Personal access tokens: random, shown once, stored as SHA-256, revocable."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select

from portal.models import ApiToken, Person, Session, utcnow
from portal.services import audit

TOKEN_PREFIX = "ehcp_"  # noqa: S105 - a public prefix, not a secret


def hash_token(token: str) -> str:
    """Tokens are long and random, so a plain SHA-256 is enough to store them."""
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(
    session: Session, person: Person, name: str, *, by: Person | None = None
) -> str:
    """Create a token for the person; the clear text is returned only here.

    Audited as a permission change; `by` is who asked (None from the CLI).
    """
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        person_id=person.id,
        name=name,
        token_hash=hash_token(token),
        prefix=token[: len(TOKEN_PREFIX) + 4],
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        "token.created",
        actor=by,
        person_id=person.id,
        token_id=row.id,
        name=name,
        prefix=row.prefix,
    )
    return token


def person_for_token(session: Session, token: str) -> Person | None:
    """The active person a token belongs to, recording its use; None if invalid."""
    row = live_token(session, token)
    return row.person if row is not None else None


def live_token(session: Session, token: str) -> ApiToken | None:
    """The unrevoked token of an active person, recording its use; None if invalid."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 100:
        return None
    row = session.scalar(
        select(ApiToken).where(ApiToken.token_hash == hash_token(token))
    )
    if row is None or row.revoked_at is not None or not row.person.is_active:
        return None
    row.last_used_at = utcnow()
    return row


def tokens_of(session: Session, person: Person) -> list[ApiToken]:
    """A person's tokens, newest first."""
    stmt = select(ApiToken).where(ApiToken.person_id == person.id)
    return list(session.scalars(stmt.order_by(ApiToken.id.desc())))


def revoke_token(
    session: Session, token_id: int, *, by: Person | None = None
) -> ApiToken | None:
    """Revoke a token by id (audited); None if there is no such token."""
    row = session.get(ApiToken, token_id)
    if row is not None and row.revoked_at is None:
        row.revoked_at = utcnow()
        audit.record(
            session,
            "token.revoked",
            actor=by,
            person_id=row.person_id,
            token_id=row.id,
            prefix=row.prefix,
        )
    return row
