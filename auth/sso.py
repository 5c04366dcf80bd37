"""Single sign-on pages: "Sign in with <provider>" and the provider's answer.

One start route serves three purposes (the form says which): signing in,
accepting an invitation, and confirming it is you again (`auth.reauth`).
The state of each round trip is also kept in this browser's session, so an
answer started in another browser is refused. Every refusal is a page that
says what to do, an audit event (`auth.sso_refused` with a reason) and a log
line; never a 500.
"""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from werkzeug.wrappers import Response

from auth import oidc, reauth
from auth.invitations import accept_invitation, find_invitation
from auth.sessions import current_person, sign_in
from auth.views import safe_next
from portal.config import OidcProvider, Settings
from portal.errors import InvitationError, SignInRefused
from portal.extensions import db
from portal.models import Invitation, OidcLogin, Person, utcnow
from portal.services import audit

bp = Blueprint("sso", __name__)
STATES = "oidc_states"  # this browser's round trips under way
KEEP_STATES = 5


def _settings() -> Settings:
    settings: Settings = current_app.config["SETTINGS"]
    return settings


@bp.app_context_processor
def _providers() -> dict[str, Any]:
    """Templates show a button for each provider (none when SSO is off)."""
    return {"sso_providers": _settings().oidc_providers}


def _redirect_uri(provider: OidcProvider) -> str:
    """The callback URL to register with the provider."""
    public = _settings().public_url
    if public:
        return public + url_for("sso.callback", name=provider.name)
    return url_for("sso.callback", name=provider.name, _external=True)


@bp.post("/sign-in/sso/<name>", endpoint="start")
def start(name: str) -> Response | tuple[str, int]:
    """Send the browser to the provider (POST with a CSRF token)."""
    provider = oidc.find_provider(_settings(), name)
    purpose = request.form.get("purpose", "sign_in")
    invitation: Invitation | None = None
    person: Person | None = None
    if purpose == "invitation":
        try:
            invitation = find_invitation(db.session, request.form.get("invitation", ""))
        except InvitationError as error:
            return _invitation_problem(error)
    elif purpose == "reauth":
        person = current_person()
        if person is None:
            return redirect(url_for("auth.sign_in"))
    elif purpose != "sign_in":
        purpose = "sign_in"
    try:
        url, state = oidc.begin(
            db.session,
            current_app.extensions[oidc.EXTENSION_KEY],
            provider,
            _redirect_uri(provider),
            purpose,
            next_url=request.form.get("next", ""),
            invitation=invitation,
            person=person,
        )
    except SignInRefused as error:
        return _refused(error, purpose)
    db.session.commit()
    session[STATES] = [*session.get(STATES, [])[-(KEEP_STATES - 1) :], state]
    return redirect(url)


@bp.get("/sign-in/sso/<name>/callback", endpoint="callback")
def callback(name: str) -> Response | tuple[str, int]:
    """Check the provider's answer, then sign in, join the case or confirm."""
    provider = oidc.find_provider(_settings(), name)
    state = request.args.get("state", "")
    purpose = "sign_in"
    try:
        login = oidc.use_state(db.session, provider, state)
        db.session.commit()  # used now, whatever happens next: never twice
        purpose = login.purpose
        oidc.check_login(provider, login, state in session.get(STATES, []))
        if request.args.get("error"):
            raise SignInRefused(
                f"{provider.display_name} did not sign you in. Go back and try "
                "again, or sign in with your email address and password.",
                reason="provider_error",
                provider=provider.name,
            )
        identity = oidc.identity_from_callback(
            current_app.extensions[oidc.EXTENSION_KEY],
            provider,
            login,
            request.args.get("code", ""),
            _redirect_uri(provider),
        )
        if login.purpose == "invitation":
            return _join(provider, login, identity)
        if login.purpose == "reauth":
            return _confirmed(provider, login, identity)
        return _signed_in(provider, login, identity)
    except SignInRefused as error:
        return _refused(error, purpose)


def _signed_in(
    provider: OidcProvider, login: OidcLogin, identity: oidc.Identity
) -> Response:
    person = oidc.person_for_sign_in(db.session, provider, identity)
    sign_in(person)
    person.last_sign_in_at = utcnow()
    audit.record(
        db.session,
        "auth.signed_in",
        actor=person,
        ip_address=request.remote_addr,
        provider=provider.name,
    )
    db.session.commit()
    return redirect(safe_next(login.next_url))


def _join(
    provider: OidcProvider, login: OidcLogin, identity: oidc.Identity
) -> Response | tuple[str, int]:
    inv = db.session.get(Invitation, login.invitation_id)
    if inv is None:
        return _invitation_problem(
            InvitationError("This invitation has been withdrawn.")
        )
    if inv.used_at is not None or inv.expires_at < utcnow():
        return _invitation_problem(
            InvitationError(
                "This invitation has already been used or has expired. Ask the "
                "caseworker for a new one."
            )
        )
    person = oidc.person_for_invitation(db.session, provider, identity, inv)
    sign_in(person)
    person.last_sign_in_at = utcnow()
    audit.record(
        db.session,
        "auth.signed_in",
        actor=person,
        ip_address=request.remote_addr,
        provider=provider.name,
    )
    try:
        membership = accept_invitation(db.session, inv, person)
    except InvitationError as error:
        db.session.commit()  # signed in all the same
        flash(error.message)
        return redirect(url_for("pages.home"))
    db.session.commit()
    flash("You have joined the case.")
    return redirect(url_for("cases.case", case_id=membership.case_id))


def _confirmed(
    provider: OidcProvider, login: OidcLogin, identity: oidc.Identity
) -> Response:
    person = current_person()
    if person is None or person.id != login.person_id:
        raise SignInRefused(
            "You are no longer signed in as the person who asked to confirm it "
            "was them. Sign in, then try again.",
            reason="other_person",
            provider=provider.name,
        )
    oidc.check_reauth(provider, identity, person)
    reauth.mark_authenticated()
    audit.record(
        db.session,
        "auth.reauthenticated",
        actor=person,
        ip_address=request.remote_addr,
        provider=provider.name,
    )
    db.session.commit()
    return redirect(safe_next(login.next_url))


def _refused(error: SignInRefused, purpose: str) -> tuple[str, int]:
    """The problem page for a refused answer, audited and logged."""
    db.session.rollback()
    person = current_person()
    audit.record(
        db.session,
        "auth.sso_refused",
        actor=person,
        ip_address=request.remote_addr,
        provider=error.provider,
        reason=error.reason,
    )
    db.session.commit()
    current_app.logger.warning(
        "Single sign-on with %s refused (%s) from %s",
        error.provider,
        error.reason,
        request.remote_addr,
    )
    if purpose == "reauth" and person is not None:
        heading = "We could not confirm it is you"
        back_url, back_text = url_for("reauth.confirm"), "Try again"
    else:
        heading = "You have not been signed in"
        back_url, back_text = url_for("auth.sign_in"), "Go back to the sign-in page"
    page = render_template(
        "auth/sso_problem.html",
        heading=heading,
        message=error.message,
        back_url=back_url,
        back_text=back_text,
    )
    return page, error.status_code


def _invitation_problem(error: InvitationError) -> tuple[str, int]:
    page = render_template("auth/invitation_problem.html", message=error.message)
    return page, error.status_code
