"""Are the sign-ins and tokens behind open connections still good?

A connection is authenticated once, when it opens; these queries let the hub
check again every few seconds (`COLLAB_CHECK_SECONDS`), so a sign-out in
another process, an idle timeout or a token revoked from the command line
closes live editors too. Editing counts as using the sign-in.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update
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
    live_sign_ins: set[int] = set()
    if sign_in_ids:
        live_sign_ins = set(
            session.scalars(
                select(SignIn.id)
                .join(Person, Person.id == SignIn.person_id)
                .where(
                    SignIn.id.in_(sorted(sign_in_ids)),
                    SignIn.ended_at.is_(None),
                    SignIn.last_seen_at >= now - idle,
                    Person.is_active.is_(True),
                )
            )
        )
    live_tokens: set[int] = set()
    if token_ids:
        live_tokens = set(
            session.scalars(
                select(ApiToken.id)
                .join(Person, Person.id == ApiToken.person_id)
                .where(
                    ApiToken.id.in_(sorted(token_ids)),
                    ApiToken.revoked_at.is_(None),
                    Person.is_active.is_(True),
                )
            )
        )
    session.commit()
    return live_sign_ins, live_tokens
