"""The caseworker cancels or resends a pending invitation."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, url_for
from werkzeug.wrappers import Response

from auth import access
from auth.invitations import cancel_invitation, resend_invitation
from auth.sessions import login_required, signed_in_person
from portal.errors import InvalidInput
from portal.extensions import db
from portal.models import Case, Invitation
from portal.pages.cases import invited_page

bp = Blueprint("invitations", __name__, url_prefix="/cases")


def _pending(case_id: int, invitation_id: int) -> tuple[Case, Invitation]:
    person = signed_in_person()
    the_case, _ = access.require_case(db.session, person, case_id, "invite")
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or invitation.case_id != the_case.id:
        abort(404)
    return the_case, invitation


@bp.post("/<int:case_id>/invitations/<int:invitation_id>/cancel")
@login_required
def cancel(case_id: int, invitation_id: int) -> Response:
    """The link stops working; the person is told so if they open it."""
    the_case, invitation = _pending(case_id, invitation_id)
    try:
        cancel_invitation(db.session, invitation, signed_in_person())
    except InvalidInput as refused:
        flash(refused.message)
    else:
        db.session.commit()
        flash(
            f"The invitation to {invitation.email} is cancelled. Its link no longer works."
        )
    return redirect(url_for("cases.case", case_id=the_case.id, _anchor="members"))


@bp.post("/<int:case_id>/invitations/<int:invitation_id>/resend")
@login_required
def resend(case_id: int, invitation_id: int) -> str | Response:
    """A new link, emailed (or shown); the old link stops working."""
    the_case, invitation = _pending(case_id, invitation_id)
    try:
        fresh, token = resend_invitation(db.session, invitation, signed_in_person())
    except InvalidInput as refused:
        flash(refused.message)
        return redirect(url_for("cases.case", case_id=the_case.id, _anchor="members"))
    db.session.commit()
    return invited_page(the_case, fresh, token)
