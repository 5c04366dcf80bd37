"""Who is signed in: a browser sign-in kept on the server, or a bearer token.

The session cookie is signed and holds one random key; the `SignIn` row
with that key's SHA-256 says whether it still counts. Signing out ends the
row (so a copied cookie is worthless) and tells open editors to close
(`portal.signals.signed_out`). Idle time is measured from the row's
`last_seen_at`, written at most once a minute, by pages and by editing.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any, TypeVar

from flask import Flask, current_app, flash, g, redirect, request, session, url_for
from flask.sessions import SecureCookieSessionInterface
from sqlalchemy import delete, or_, select

from auth.tokens import hash_token, person_for_token
from portal import signals
from portal.extensions import db
from portal.models import Person, Session, SignIn, utcnow

F = TypeVar("F", bound=Callable[..., Any])
TOUCH_EVERY = timedelta(minutes=1)  # idle time is kept to the minute, not per request
KEEP_FINISHED = timedelta(days=30)


class SessionInterface(SecureCookieSessionInterface):
    """Marks the cookie Secure whenever the request arrived over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure


def sign_in(person: Person) -> None:
    """Start a fresh sign-in for the person (a new key: no fixation).

    The caller commits, with its audit event."""
    session.clear()
    session.permanent = True
    session["key"] = new_sign_in(db.session, person.id)
    session["auth_at"] = time.time()  # signing in proves who you are (auth.reauth)


def new_sign_in(session_: Session, person_id: int) -> str:
    """Add a sign-in row for the person and return the key its cookie holds."""
    key = secrets.token_urlsafe(32)
    # Rows of long-finished sign-ins serve no one (the audit trail keeps the
    # history): each new sign-in clears the person's old ones.
    stale = utcnow() - KEEP_FINISHED
    session_.execute(
        delete(SignIn).where(
            SignIn.person_id == person_id,
            or_(SignIn.ended_at < stale, SignIn.last_seen_at < stale),
        )
    )
    session_.add(SignIn(person_id=person_id, key_hash=hash_token(key)))
    return key


def sign_out() -> None:
    """End this browser's sign-in on the server and forget the cookie."""
    _end(_sign_in_for(db.session, session.get("key")))


def _end(row: SignIn | None) -> None:
    """Forget the cookie, end its sign-in (commits) and close its open editors."""
    session.clear()
    if row is None or row.ended_at is not None:
        db.session.commit()  # the caller's audit event, if any
        return
    row.ended_at = utcnow()
    db.session.commit()
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    signals.signed_out.send(app, sign_in_id=row.id)


def end_sign_ins(person: Person, *, keep_this_browser: bool = False) -> int:
    """End the person's live sign-ins (every browser, or all but this one),
    commit with the caller's changes, and close their open editors.

    Without `keep_this_browser` this browser's cookie is forgotten too,
    whoever it belonged to. Returns how many sign-ins were ended.
    """
    keep: int | None = None
    if keep_this_browser:
        here = _sign_in_for(db.session, session.get("key"))
        keep = here.id if here is not None else None
    else:
        session.clear()
    now = utcnow()
    rows = db.session.scalars(
        select(SignIn).where(SignIn.person_id == person.id, SignIn.ended_at.is_(None))
    ).all()
    ended = [row.id for row in rows if row.id != keep]
    for row in rows:
        if row.id != keep:
            row.ended_at = now
    db.session.commit()
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    for sign_in_id in ended:
        signals.signed_out.send(app, sign_in_id=sign_in_id)
    return len(ended)


def live_sign_in(session_: Session, key: Any, idle: timedelta) -> SignIn | None:
    """The sign-in a cookie's key names, if it has not ended or gone idle."""
    row = _sign_in_for(session_, key)
    if row is None or row.ended_at is not None:
        return None
    if utcnow() - row.last_seen_at > idle:
        return None
    return row


def _sign_in_for(session_: Session, key: Any) -> SignIn | None:
    if not isinstance(key, str) or not 20 <= len(key) <= 100:
        return None
    return session_.scalar(select(SignIn).where(SignIn.key_hash == hash_token(key)))


def current_person() -> Person | None:
    """The signed-in person for this request, if any."""
    person = g.get("person")
    return person if isinstance(person, Person) else None


def signed_in_person() -> Person:
    """The signed-in person, in a view behind `login_required`."""
    person = current_person()
    if person is None:
        raise RuntimeError("signed_in_person() needs the view to use @login_required.")
    return person


def _load_person() -> None:
    g.person = None
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        person = person_for_token(db.session, header[7:].strip())
        db.session.commit()  # records the token's last use
        g.person = person
        g.via_token = True
        return
    key = session.get("key")
    if key is None:
        return
    row = _sign_in_for(db.session, key)
    if row is None or row.ended_at is not None:
        session.clear()
        return
    now = utcnow()
    if now - row.last_seen_at > current_app.config["SETTINGS"].session_idle:
        _end(row)
        flash("You were signed out because you had not used the portal for a while.")
        return
    if now - row.last_seen_at > TOUCH_EVERY:
        row.last_seen_at = now
        db.session.commit()
    person = row.person
    g.person = person if person.is_active else None


def login_required(view: F) -> F:
    """Send anyone not signed in to the sign-in page, then back."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if current_person() is None:
            return redirect(url_for("auth.sign_in", next=request.full_path))
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def init_app(app: Flask) -> None:
    """Install the session interface and load the person before each request."""
    app.session_interface = SessionInterface()
    app.before_request(_load_person)
