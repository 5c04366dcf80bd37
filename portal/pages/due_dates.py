"""The caseworker changes when a contributor's advice is due."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from auth import access
from auth.sessions import login_required, signed_in_person
from portal import domain
from portal.errors import InvalidInput
from portal.extensions import db
from portal.models import Document
from portal.pages import forms
from portal.services import timeline

bp = Blueprint("due_dates", __name__, url_prefix="/cases")


@bp.route("/<int:case_id>/advice/<int:doc_id>/due-date", methods=["GET", "POST"])
@login_required
def change(case_id: int, doc_id: int) -> str | Response:
    """A new due date, refused with the reason when it would fall after the
    draft or inside the family's comment period."""
    person = signed_in_person()
    the_case, _ = access.require_case(db.session, person, case_id, "manage")
    doc = db.session.get(Document, doc_id)
    if doc is None or doc.case_id != the_case.id or doc.kind != "advice":
        abort(404)
    today = date.today()
    errors = forms.FormErrors()
    values = request.form
    if request.method == "POST":
        due = forms.date_field(values, "due", errors, label="the due date")
        if due is not None and not errors:
            try:
                check = timeline.change_advice_due(db.session, doc, due, person, today)
            except InvalidInput as refused:
                errors["due-day"] = refused.message
            else:
                db.session.commit()
                flash(
                    " ".join(
                        [f"{doc.title} is now due on {_on(due)}.", *check.warnings]
                    )
                )
                return redirect(
                    url_for("cases.case", case_id=case_id, _anchor="timeline-heading")
                )
    elif doc.due_date:
        values = {
            "due-day": str(doc.due_date.day),
            "due-month": str(doc.due_date.month),
            "due-year": str(doc.due_date.year),
        }  # type: ignore[assignment]
    dates = domain.statutory_dates(the_case.request_date)
    return render_template(
        "cases/due_date.html",
        case=the_case,
        doc=doc,
        errors=errors,
        values=values,
        draft_date=the_case.draft_issued_date or dates["draft_plan"],
        line=timeline.build(the_case, [doc], today),
    )


def _on(day: date) -> str:
    return f"{day.day} {day:%B %Y}"
