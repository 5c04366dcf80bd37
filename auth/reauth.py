"""Re-authentication ("Confirm it's you") before the most serious actions.

Issuing a plan, erasing a case and creating an API token need the person to
have proved who they are within the last few minutes (`REAUTH_MINUTES`,
default 5), not just to hold a signed-in cookie someone may have left open.
The time of the last proof is kept in the signed session: signing in sets it
(`auth.sessions.sign_in`), and so does the "Confirm it's you" page, with the
password or, for an account that signs in only with single sign-on, a fresh
round trip to the provider (`prompt=login`, `max_age=0`).

Apply it in one line: as a decorator (it also sends a stranger to sign in),

    @bp.route("/cases/<int:case_id>/erase", methods=["GET", "POST"])
    @require_recent_auth
    def erase(case_id: int) -> ...

or, after the view's own access check, `if (r := confirm_first()): return r`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import (
    Blueprint,
    current_app,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from werkzeug.wrappers import Response

from auth import oidc
from auth.forms import ConfirmPasswordForm
from auth.passwords import verify_password
from auth.sessions import current_person, login_required, signed_in_person
from auth.views import safe_next
from portal.config import Settings
from portal.extensions import db
from portal.services import audit

F = TypeVar("F", bound=Callable[..., Any])
AUTH_AT = "auth_at"  # session key: when this person last proved who they are

bp = Blueprint("reauth", __name__)


def mark_authenticated() -> None:
    """Record in the session that the person proved who they are just now."""
    session[AUTH_AT] = time.time()


def is_recent() -> bool:
    """True when the person proved who they are within REAUTH_MINUTES."""
    settings: Settings = current_app.config["SETTINGS"]
    at = session.get(AUTH_AT)
    if not isinstance(at, int | float) or isinstance(at, bool):
        return False
    return 0 <= time.time() - at <= settings.reauth_minutes * 60


def confirm_first() -> Response | tuple[Response, int] | None:
    """None when the signed-in person proved who they are lately; otherwise
    where to send them: "Confirm it's you", then back to this page (a POST is
    not replayed: the page is shown again to submit). Not signed in: the
    sign-in page. A bearer token cannot confirm anything: 403."""
    if current_person() is None:
        return redirect(url_for("auth.sign_in", next=request.full_path))
    if g.get("via_token"):
        message = "Confirm it is you in the browser to do this; a token cannot."
        return jsonify(error=message), 403
    if not is_recent():
        return redirect(url_for("reauth.confirm", next=request.path))
    return None


def require_recent_auth(view: F) -> F:
    """A view decorator: `confirm_first` before the view runs. Where the view
    checks access itself, call `confirm_first` after that check instead, so
    a stranger is told 404/403 rather than asked to confirm."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        return confirm_first() or view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


@bp.route("/confirm-its-you", methods=["GET", "POST"], endpoint="confirm")
@login_required
def confirm() -> str | Response | tuple[str, int]:
    """Ask for the password (or a fresh single sign-on), then go back."""
    person = signed_in_person()
    next_url = request.args.get("next", "")
    provider = oidc.provider_for_person(current_app.config["SETTINGS"], person)
    form = ConfirmPasswordForm()
    has_password = person.password_hash is not None
    if has_password and form.validate_on_submit():
        if verify_password(person.password_hash, form.password.data or ""):
            mark_authenticated()
            audit.record(
                db.session,
                "auth.reauthenticated",
                actor=person,
                ip_address=request.remote_addr,
            )
            db.session.commit()
            return redirect(safe_next(next_url))
        audit.record(
            db.session,
            "auth.reauth_failed",
            actor=person,
            ip_address=request.remote_addr,
        )
        db.session.commit()
        form.password.errors = list(form.password.errors) + [
            "Your password is not right. Enter it again."
        ]
    page = render_template(
        "auth/confirm.html",
        form=form,
        has_password=has_password,
        provider=provider,
        next_url=next_url,
    )
    return (page, 400) if form.errors else page
