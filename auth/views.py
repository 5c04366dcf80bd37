"""Sign in, sign out, and accepting invitations."""

from __future__ import annotations

import threading
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from sqlalchemy import func, select
from werkzeug.wrappers import Response

from auth import throttle
from auth.forms import (
    ChangePasswordForm,
    ForgottenPasswordForm,
    NewAccountForm,
    ResetPasswordForm,
    SignInForm,
)
from auth.invitations import accept_invitation, find_invitation
from auth.passwords import hash_password, verify_password
from auth.resets import ResetLink, find_reset, request_reset, use_reset
from auth.sessions import (
    current_person,
    end_sign_ins,
    login_required,
    sign_in,
    sign_out,
    signed_in_person,
)
from portal.config import Settings
from portal.errors import InvitationError, ResetLinkError
from portal.extensions import db
from portal.models import Invitation, Person, utcnow
from portal.services import audit, mail

bp = Blueprint("auth", __name__)


def safe_next(target: str | None) -> str:
    """Only follow same-site relative paths after sign-in (no open redirect);
    anything else, including control characters or backslashes that browsers
    read as a slash, goes to the home page."""
    home = url_for("pages.home")
    if not target or not target.startswith("/") or target.startswith("//"):
        return home
    if "\\" in target or any(ord(c) < 32 or ord(c) == 127 for c in target):
        return home
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return home
    return target


def _person_by_email(email: str) -> Person | None:
    return db.session.scalar(
        select(Person).where(func.lower(Person.email) == email.lower())
    )


@bp.route("/sign-in", methods=["GET", "POST"], endpoint="sign_in")
def sign_in_page() -> str | Response | tuple[str, int, dict[str, str]]:
    """Sign in with email and password."""
    form = SignInForm()
    if form.validate_on_submit():
        email = form.email.data or ""
        person = _person_by_email(email)
        wait = throttle.wait_for(db.session, email, person, request.remote_addr)
        if wait is not None:
            return _paused(form, person, wait)
        hash_ = person.password_hash if person else None
        if (
            verify_password(hash_, form.password.data or "")
            and person
            and person.is_active
        ):
            sign_in(person)
            person.last_sign_in_at = utcnow()
            _record_attempt("auth.signed_in", person)
            return redirect(safe_next(request.args.get("next")))
        _record_attempt(
            "auth.sign_in_failed", person, email=(form.email.data or "")[:254]
        )
        return _with_error(form, "Enter a correct email address and password.")
    return render_template("auth/sign_in.html", form=form)


def _paused(
    form: SignInForm, person: Person | None, wait: throttle.Wait
) -> tuple[str, int, dict[str, str]]:
    """Refuse a sign-in attempt for now (429), without checking the password:
    audited, with when to try again."""
    now = utcnow()
    if wait.reason == "address":
        problem = (
            "There have been too many failed attempts to sign in from your network."
        )
    else:
        problem = "The password for this email address has been entered wrongly too many times."
    _record_attempt("auth.sign_in_blocked", person, reason=wait.reason)
    message = f"{problem} Wait {wait.described(now)}, then try again."
    return _with_error(form, message), 429, {"Retry-After": str(wait.seconds(now))}


def _record_attempt(action: str, person: Person | None, **detail: Any) -> None:
    """Audit a sign-in attempt from this request's address (throttle counts
    these), and commit it with whatever the attempt changed."""
    audit.record(
        db.session, action, actor=person, ip_address=request.remote_addr, **detail
    )
    db.session.commit()


def _with_error(form: SignInForm, message: str) -> str:
    """The sign-in page again, with `message` on the email field."""
    form.email.errors = list(form.email.errors) + [message]
    return render_template("auth/sign_in.html", form=form)


@bp.post("/sign-out", endpoint="sign_out")
def sign_out_page() -> Response:
    """Sign out (POST with a CSRF token, so a link elsewhere cannot sign you out)."""
    person = current_person()
    if person is not None:
        audit.record(
            db.session, "auth.signed_out", actor=person, ip_address=request.remote_addr
        )
    sign_out()
    flash("You have signed out.")
    response = redirect(url_for("auth.sign_in"))
    # Drop what this browser kept of the portal's pages and documents (unsent
    # edits in IndexedDB included), for the next person at a shared computer.
    # sign-out.js deletes the copies first; this covers browsers it cannot.
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response


@bp.after_request
def _no_store(response: Response) -> Response:
    """Invitation and password-reset pages carry a one-time link (and an
    invitation a case and a role): never cache them, signed in or not."""
    if request.endpoint in {"auth.invitation", "auth.reset_password"}:
        response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/invitations/<token>", methods=["GET", "POST"])
def invitation(token: str) -> str | Response | tuple[str, int]:
    """Accept an invitation: a new person sets a name and password; a known one signs in."""
    try:
        inv = find_invitation(db.session, token)
    except InvitationError as error:
        return render_template(
            "auth/invitation_problem.html", message=error.message
        ), 410
    existing = _person_by_email(inv.email)
    person = current_person()
    if person is not None and person.email.lower() != inv.email:
        return render_template(
            "auth/invitation_problem.html",
            # The invitee's address is theirs: not shown to whoever holds the link.
            message=f"This invitation was sent to someone else, but you are signed in "
            f"as {person.email}. If it is yours, sign out, then open the link again.",
        ), 403
    if person is not None or existing is not None:
        if person is None:
            flash("You already have an account. Sign in to join the case.")
            return redirect(url_for("auth.sign_in", next=request.path))
        if request.method == "POST":
            return _accept(inv, person)
        return render_template("auth/invitation_join.html", invitation=inv)
    form = NewAccountForm()
    if form.validate_on_submit():
        new = Person(
            email=inv.email,
            name=(form.name.data or "").strip(),
            password_hash=hash_password(form.password.data or ""),
        )
        db.session.add(new)
        db.session.flush()
        audit.record(db.session, "person.created", actor=new, case=inv.case)
        sign_in(new)
        return _accept(inv, new)
    return render_template("auth/invitation_new.html", invitation=inv, form=form)


def _accept(inv: Invitation, person: Person) -> Response:
    try:
        membership = accept_invitation(db.session, inv, person)
    except InvitationError as error:
        db.session.rollback()
        flash(error.message)
        return redirect(url_for("pages.home"))
    db.session.commit()
    flash("You have joined the case.")
    return redirect(url_for("cases.case", case_id=membership.case_id))


@bp.route("/password/forgotten", methods=["GET", "POST"], endpoint="forgotten_password")
def forgotten_password() -> str:
    """Ask for a link to set a new password. The answer is the same whether
    or not there is an account for the address."""
    settings: Settings = current_app.config["SETTINGS"]
    can_email = settings.smtp_host is not None
    form = ForgottenPasswordForm()
    if can_email and form.validate_on_submit():
        link = request_reset(db.session, form.email.data or "", request.remote_addr)
        db.session.commit()
        if link is not None:
            _send_reset_link(settings, link)
        return render_template("auth/reset_sent.html")
    return render_template(
        "auth/forgotten_password.html", form=form, can_email=can_email
    )


def _send_reset_link(settings: Settings, link: ResetLink) -> None:
    """Email the link from a thread of its own, so the answer comes as soon
    for an address with no account as for one with an account."""
    path = url_for("auth.reset_password", token=link.token)
    url = (
        settings.public_url + path
        if settings.public_url
        else url_for("auth.reset_password", token=link.token, _external=True)
    )
    body = (
        f"Someone, probably you, asked to reset the password of your EHC plan "
        f"portal account ({link.person.email}).\n\nOpen this link to set a new "
        f"password. It works once, for an hour:\n{url}\n\n"
        "Setting a new password signs you out on every device.\n\n"
        "If you did not ask for this, you can ignore this email: your password "
        "has not changed.\n"
    )
    to, log = link.person.email, current_app.logger

    def send() -> None:
        try:
            mail.send(settings, to, "Reset your EHC plan portal password", body)
        except OSError as error:
            log.warning("Password-reset email to %s failed: %s", to, error)

    threading.Thread(target=send, name="reset-email", daemon=True).start()


@bp.route("/password/reset/<token>", methods=["GET", "POST"], endpoint="reset_password")
def reset_password(token: str) -> str | Response | tuple[str, int]:
    """Set a new password from an emailed link; it ends every sign-in."""
    try:
        reset = find_reset(db.session, token)
    except ResetLinkError as error:
        return _reset_problem(error)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            person = use_reset(
                db.session, reset, form.password.data or "", request.remote_addr
            )
        except ResetLinkError as error:
            db.session.rollback()
            return _reset_problem(error)
        end_sign_ins(person)  # commits the new password with it
        flash(
            "Your password has been changed, and you have been signed out on "
            "every device. Sign in with your new password."
        )
        return redirect(url_for("auth.sign_in"))
    return render_template(
        "auth/reset_password.html", form=form, email=reset.person.email
    )


def _reset_problem(error: ResetLinkError) -> tuple[str, int]:
    return render_template(
        "auth/reset_problem.html", message=error.message
    ), error.status_code


@bp.route("/account", methods=["GET", "POST"], endpoint="account")
@login_required
def account() -> str | Response:
    """The signed-in person's account: change the password, sign out everywhere."""
    person = signed_in_person()
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not verify_password(person.password_hash, form.current.data or ""):
            audit.record(
                db.session,
                "person.password_change_failed",
                actor=person,
                ip_address=request.remote_addr,
            )
            db.session.commit()
            form.current.errors = list(form.current.errors) + [
                "Your current password is not right. Enter it again."
            ]
        else:
            person.password_hash = hash_password(form.password.data or "")
            audit.record(
                db.session,
                "person.password_changed",
                actor=person,
                ip_address=request.remote_addr,
            )
            # Every sign-in ends, this one too; this browser then gets a new
            # one, so a cookie copied before the change is worthless.
            end_sign_ins(person)
            sign_in(person)
            db.session.commit()
            flash(
                "Your password has been changed. You have been signed out on "
                "your other devices."
            )
            return redirect(url_for("auth.account"))
    return render_template("auth/account.html", form=form, person=person)


@bp.post("/sign-out-everywhere", endpoint="sign_out_everywhere")
@login_required
def sign_out_everywhere() -> Response:
    """End every sign-in of the signed-in person, on every device."""
    person = signed_in_person()
    audit.record(
        db.session,
        "auth.signed_out_everywhere",
        actor=person,
        ip_address=request.remote_addr,
    )
    end_sign_ins(person)
    flash("You have signed out on every device.")
    response = redirect(url_for("auth.sign_in"))
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response
