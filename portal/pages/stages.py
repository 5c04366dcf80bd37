"""Issuing the final plan and amending an issued one (the caseworker)."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from auth import access
from auth.reauth import confirm_first
from auth.sessions import login_required, signed_in_person
from portal.errors import InvalidInput
from portal.extensions import db
from portal.services import plan_stages

bp = Blueprint("stages", __name__, url_prefix="/cases")


@bp.route("/<int:case_id>/issue", methods=["GET", "POST"])
@login_required
def issue(case_id: int) -> str | Response | tuple[str | Response, int]:
    """Issue and lock the plan, once the caseworker has confirmed it is them."""
    person = signed_in_person()
    case, _ = access.require_case(db.session, person, case_id, "issue_plan")
    # After the access check: a stranger is told 404/403, not "confirm it's you".
    confirm = confirm_first()
    if confirm is not None:
        return confirm
    error = None
    if request.method == "POST":
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
