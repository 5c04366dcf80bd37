"""Are the sign-ins and tokens behind open connections still good?

A connection is authenticated once, when it opens; these queries let the hub
check again every few seconds (`COLLAB_CHECK_SECONDS`), so a sign-out in
another process, an idle timeout or a token revoked from the command line
closes live editors too. Editing counts as using the sign-in.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.orm import Session

from portal.models import ApiToken, Person, SignIn, utcnow


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
