"""Who a connection is, and are the sign-ins and tokens behind open
connections still good?

A connection is authenticated once, when it opens (`authenticate`); the
queries below let the checker look again every few seconds
(`COLLAB_CHECK_SECONDS`), so a sign-out in another process, an idle timeout
or a token revoked from the command line closes live editors too. Editing
counts as using the sign-in.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from socketio.exceptions import ConnectionRefusedError
from sqlalchemy import ColumnElement, select, update

from auth.sessions import live_sign_in
from auth.tokens import live_token
from portal.config import Settings
from portal.domain import ROLE_LABELS
from portal.extensions import db
from portal.models import ApiToken, Membership, Person, Session, SignIn, utcnow
from realtime.connections import Credential
from realtime.presence import Identity


def authenticate(auth: Any, session_key: str | None, settings: Settings) -> Credential:
    """What lets a new connection in: a token in the Socket.IO `auth`
    payload, else the browser's sign-in (the session cookie's key)."""
    if isinstance(auth, dict) and "token" in auth:
        token = auth["token"]
        row = live_token(db.session, token) if isinstance(token, str) else None
        db.session.commit()  # records the token's last use
        if row is None:
            raise ConnectionRefusedError("That access token is not valid.")
        return Credential(row.person_id, token_id=row.id)
    if session_key is None:
        raise ConnectionRefusedError("Sign in to edit documents together.")
    sign_in = live_sign_in(db.session, session_key, settings.session_idle)
    if sign_in is None:
        raise ConnectionRefusedError("Your session timed out. Sign in again.")
    if not sign_in.person.is_active:
        raise ConnectionRefusedError("Sign in to edit documents together.")
    return Credential(sign_in.person_id, sign_in_id=sign_in.id)


def identity_of(session: Session, person_id: int, case_id: int) -> Identity:
    """How a member appears to others on a case: name and role label, as the
    document page shows them."""
    row = session.execute(
        select(Person.name, Membership.role)
        .join(Membership, Membership.person_id == Person.id)
        .where(Person.id == person_id, Membership.case_id == case_id)
    ).first()
    session.rollback()
    if row is None:  # no longer a member: access is withdrawn separately
        return Identity(person_id, "Someone", "")
    return Identity(person_id, row.name, ROLE_LABELS.get(row.role, row.role))


def still_valid(
    session: Session,
    sign_in_ids: set[int],
    token_ids: set[int],
    *,
    idle: timedelta,
    in_use: set[int],
) -> tuple[set[int], set[int]]:
    """(live sign-in ids, live token ids) among those given.

    `in_use` sign-ins were used for editing since the last check: their
    `last_seen_at` moves to now first (unless they have ended), as a page
    view's would. Commits.
    """
    now = utcnow()
    if in_use:
        session.execute(
            update(SignIn)
            .where(SignIn.id.in_(sorted(in_use)), SignIn.ended_at.is_(None))
            .values(last_seen_at=now)
        )
    live_sign_ins = _of_active_people(
        session,
        SignIn,
        sign_in_ids,
        SignIn.ended_at.is_(None),
        SignIn.last_seen_at >= now - idle,
    )
    live_tokens = _of_active_people(
        session, ApiToken, token_ids, ApiToken.revoked_at.is_(None)
    )
    session.commit()
    return live_sign_ins, live_tokens


def _of_active_people(
    session: Session,
    model: type[SignIn] | type[ApiToken],
    ids: set[int],
    *still: ColumnElement[bool],
) -> set[int]:
    """Those of `ids` that meet `still` and belong to a person who is active."""
    if not ids:
        return set()
    return set(
        session.scalars(
            select(model.id)
            .join(Person, Person.id == model.person_id)
            .where(model.id.in_(sorted(ids)), Person.is_active.is_(True), *still)
        )
    )
