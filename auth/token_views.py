"""Personal access tokens in the browser: list, create (after "Confirm it's
you"), revoke. The command line (`flask token ...`) serves operators."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from auth import policy
from auth.reauth import require_recent_auth
from auth.sessions import login_required, signed_in_person
from auth.tokens import create_token, revoke_token, tokens_of
from portal.extensions import db
from portal.models import ApiToken
from portal.services import audit

bp = Blueprint("tokens", __name__, url_prefix="/account/tokens")
NAME_MAX = 100


@bp.get("", endpoint="index")
@login_required
def index() -> str:
    """The signed-in person's tokens, with when each was last used."""
    person = signed_in_person()
    return render_template(
        "auth/tokens.html",
        tokens=tokens_of(db.session, person),
        may_create=policy.can_create_api_tokens(person.is_staff),
    )


@bp.route("/new", methods=["GET", "POST"], endpoint="new")
@require_recent_auth
def new() -> str | tuple[str, int]:
    """Name a new token; it is shown once, on the page that creates it."""
    person = signed_in_person()
    if not policy.can_create_api_tokens(person.is_staff):
        abort(403)
    error = None
    if request.method == "POST":
        name = request.form.get("name", "").strip()
        if not name:
            error = "Enter what the token is for."
        elif len(name) > NAME_MAX:
            error = f"What the token is for must be {NAME_MAX} characters or fewer."
        else:
            token = create_token(db.session, person, name)
            audit.record(
                db.session,
                "token.created",
                actor=person,
                ip_address=request.remote_addr,
                name=name,
            )
            db.session.commit()
            return render_template("auth/token_created.html", token=token, name=name)
    page = render_template("auth/token_new.html", error=error)
    return (page, 400) if error else page


@bp.post("/<int:token_id>/revoke", endpoint="revoke")
@login_required
def revoke(token_id: int) -> Response:
    """Revoke one of your own tokens at once."""
    person = signed_in_person()
    row = db.session.get(ApiToken, token_id)
    if row is None or not policy.can_revoke_api_token(row.person_id, person.id):
        abort(404)
    revoke_token(db.session, token_id)
    audit.record(
        db.session,
        "token.revoked",
        actor=person,
        ip_address=request.remote_addr,
        name=row.name,
    )
    db.session.commit()
    flash(f"The token “{row.name}” is revoked: it no longer works.")
    return redirect(url_for("tokens.index"))
