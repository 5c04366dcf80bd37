"""Who is signed in: session cookies with an idle timeout, or a bearer token."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Flask, current_app, flash, g, redirect, request, session, url_for
from flask.sessions import SecureCookieSessionInterface

from auth.tokens import person_for_token
from portal.extensions import db
from portal.models import Person

F = TypeVar("F", bound=Callable[..., Any])


class SessionInterface(SecureCookieSessionInterface):
    """Marks the cookie Secure whenever the request arrived over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure


def sign_in(person: Person) -> None:
    """Start a fresh session for the person (a new cookie: no fixation)."""
    session.clear()
    session.permanent = True
    session["pid"] = person.id
    session["seen"] = int(time.time())


def sign_out() -> None:
    """Forget the session."""
    session.clear()


def current_person() -> Person | None:
    """The signed-in person for this request, if any."""
    return g.get("person")


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
    pid = session.get("pid")
    if pid is None:
        return
    idle_seconds = 60 * int(current_app.config["SETTINGS"].session_idle_minutes)
    now = int(time.time())
    if now - int(session.get("seen", 0)) > idle_seconds:
        sign_out()
        flash("You were signed out because you had not used the portal for a while.")
        return
    session["seen"] = now
    person = db.session.get(Person, pid)
    g.person = person if person is not None and person.is_active else None


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
