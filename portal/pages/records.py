"""Data-protection requests on a case: export everything held about it as a
ZIP, erase it (reference and password again), close and reopen it; and the
admin's list of every case with those due for erasure.

Who may do each is `auth.policy` (`can_export_case`, `can_erase_case`,
`can_close_case`, `can_list_all_cases`); the caseworker or an admin, who
needs no membership of the case. Everything here is audited.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from auth import access, policy
from auth.passwords import verify_password
from auth.sessions import login_required, signed_in_person
from portal.config import Settings
from portal.extensions import db
from portal.pages import forms
from portal.services import audit, case_export, erasure

bp = Blueprint("records", __name__)


def _retention_days() -> int:
    settings: Settings = current_app.config["SETTINGS"]
    return settings.retention_days


@bp.get("/cases/<int:case_id>/records")
@login_required
def records(case_id: int) -> str:
    """What the caseworker or an admin can do with the case's records."""
    person = signed_in_person()
    the_case, membership = access.require_case_records(
        db.session, person, case_id, policy.can_export_case
    )
    return render_template(
        "cases/records.html",
        case=the_case,
        can_close=policy.can_close_case(access.member_facts(membership)),
        erasure_due=erasure.erasure_due(the_case, _retention_days()),
        retention_days=_retention_days(),
    )


@bp.post("/cases/<int:case_id>/export")
@login_required
def export(case_id: int) -> Response:
    """Everything held about the case, as a ZIP; the export is recorded."""
    person = signed_in_person()
    the_case, _ = access.require_case_records(
        db.session, person, case_id, policy.can_export_case
    )
    body = case_export.export_case(db.session, the_case)
    audit.record(
        db.session,
        "case.exported",
        actor=person,
        case=the_case,
        ip_address=request.remote_addr,
        bytes=len(body),
    )
    db.session.commit()
    filename = f"case-{the_case.id}-everything-held.zip"
    return Response(
        body,
        mimetype="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


@bp.route("/cases/<int:case_id>/erase", methods=["GET", "POST"])
@login_required
def erase(case_id: int) -> str | Response | tuple[str, int]:
    """Erase the case after its reference is typed and the password re-entered."""
    person = signed_in_person()
    the_case, _ = access.require_case_records(
        db.session, person, case_id, policy.can_erase_case
    )
    errors = forms.FormErrors()
    if request.method == "POST":
        typed = request.form.get("reference", "").strip()
        if typed != the_case.la_reference:
            errors["reference"] = (
                f"Type the case reference, {the_case.la_reference}, exactly."
            )
        if not verify_password(person.password_hash, request.form.get("password", "")):
            errors["password"] = "Enter your password correctly to erase the case."  # noqa: S105
        if errors:
            audit.record(
                db.session,
                "case.erasure_refused",
                actor=person,
                case=the_case,
                ip_address=request.remote_addr,
            )
            db.session.commit()
        else:
            try:
                done = erasure.erase_case(
                    db.session, the_case, person, request.remote_addr
                )
                db.session.commit()
            except IntegrityError:
                db.session.rollback()
                flash(
                    "Something was added to the case while it was being erased. Try again."
                )
                return redirect(url_for("records.erase", case_id=case_id))
            flash(
                f"Case {done.reference} and everything held about it have been "
                "erased. The erasure is recorded in the audit of erasures."
            )
            if person.is_admin:
                return redirect(url_for("records.admin_cases"))
            return redirect(url_for("pages.home"))
    page = render_template("cases/erase.html", case=the_case, errors=errors)
    return (page, 400) if errors else page


@bp.post("/cases/<int:case_id>/close")
@login_required
def close(case_id: int) -> Response:
    """Close the case (its retention period starts) or reopen it."""
    person = signed_in_person()
    the_case, membership = access.require_case(db.session, person, case_id)
    if not policy.can_close_case(access.member_facts(membership)):
        abort(403)
    if request.form.get("closed") == "no":
        erasure.reopen_case(db.session, the_case, person)
        message = "The case is open again."
    else:
        erasure.close_case(db.session, the_case, person)
        days = _retention_days()
        message = (
            f"The case is closed. It will be due for erasure in {days} days "
            "unless it is reopened."
        )
    db.session.commit()
    flash(message)
    return redirect(url_for("records.records", case_id=case_id))


@bp.get("/admin/cases")
@login_required
def admin_cases() -> str:
    """Every case, those due for erasure first, and the erasures recorded."""
    person = signed_in_person()
    if not policy.can_list_all_cases(person.is_admin):
        abort(404)
    days = _retention_days()
    due = erasure.due_for_erasure(db.session, days)
    due_ids = {c.id for c in due}
    others = [c for c in erasure.all_cases(db.session) if c.id not in due_ids]
    return render_template(
        "admin/cases.html",
        due=due,
        others=others,
        erasures=erasure.erasure_records(db.session),
        retention_days=days,
        erasure_due=lambda c: erasure.erasure_due(c, days),
        plain_words=audit.plain_words,
    )
