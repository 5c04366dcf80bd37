"""Issuing the final plan and amending an issued one (the caseworker)."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from auth import access
from auth.passwords import verify_password
from auth.sessions import login_required, signed_in_person
from portal.errors import InvalidInput
from portal.extensions import db
from portal.services import audit, plan_stages

bp = Blueprint("stages", __name__, url_prefix="/cases")


@bp.route("/<int:case_id>/issue", methods=["GET", "POST"])
@login_required
def issue(case_id: int) -> str | Response | tuple[str, int]:
    """Confirm with the caseworker's password, then issue and lock the plan."""
    person = signed_in_person()
    case, _ = access.require_case(db.session, person, case_id, "issue_plan")
    error = None
    if request.method == "POST":
        if not verify_password(person.password_hash, request.form.get("password", "")):
            audit.record(db.session, "plan.issue_refused", actor=person, case=case)
            db.session.commit()
            error = "Enter your password correctly to issue the plan."
        else:
            try:
                plan_stages.issue_final(db.session, case, person, date.today())
            except InvalidInput as refused:
                error = str(refused)
            else:
                db.session.commit()
                flash(
                    "The final plan is issued. It is locked: nobody can change it "
                    "unless you amend it."
                )
                return redirect(url_for("cases.case", case_id=case.id))
    page = render_template("cases/issue.html", case=case, error=error)
    return (page, 400) if error else page


@bp.post("/<int:case_id>/amend")
@login_required
def amend(case_id: int) -> Response:
    """Reopen the issued plan as a new draft (an annual review's amendments)."""
    person = signed_in_person()
    case, _ = access.require_case(db.session, person, case_id, "issue_plan")
    try:
        plan_stages.amend(db.session, case, person)
    except InvalidInput as refused:
        flash(str(refused))
        return redirect(url_for("cases.case", case_id=case.id))
    db.session.commit()
    flash(
        "The plan is open for amendment. The issued version is kept with each "
        "section's versions."
    )
    return redirect(url_for("cases.case", case_id=case.id))
