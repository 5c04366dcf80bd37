"""A case's audit trail: filtered, a page at a time, and as a CSV download.

Whoever policy lets view the trail (`can_view_case_audit`: the caseworker,
or an admin) may also download it; each download is itself recorded, with
the filter it used. Document changes are summarised from the update log
into the trail (`portal.doclog.changes`) before it is shown.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, render_template, request, url_for
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from auth import access, policy
from auth.sessions import login_required, signed_in_person
from portal.doclog import changes
from portal.extensions import db
from portal.models import Case, Person
from portal.pages import forms
from portal.services import audit

bp = Blueprint("audit", __name__, url_prefix="/cases")

FILTER_ARGS = (
    "who",
    "what",
    *(f"{e}-{p}" for e in ("from", "to") for p in ("day", "month", "year")),
)


def _filter(
    case: Case, args: MultiDict[str, str], errors: forms.FormErrors
) -> audit.TrailFilter:
    """The filter the form asks for; problems go into `errors` by field."""
    people, actions = audit.trail_choices(db.session, case)
    who = forms.choice(
        args,
        "who",
        [str(p.id) for p in people],
        errors,
        message="Choose someone from the list.",
        required=False,
    )
    what = forms.choice(
        args,
        "what",
        actions,
        errors,
        message="Choose a kind of event from the list.",
        required=False,
    )
    date_from = forms.date_field(
        args, "from", errors, label="the first day", required=False
    )
    date_to = forms.date_field(args, "to", errors, label="the last day", required=False)
    if date_from and date_to and date_to < date_from:
        errors["to-day"] = "The last day must be the same as or after the first day."
    return audit.TrailFilter(int(who) if who else None, what, date_from, date_to)


def _page_numbers(page: int, pages: int) -> list[int | None]:
    """1, the last page and those next to `page`; None where pages are skipped."""
    wanted = sorted({1, pages, page - 1, page, page + 1} & set(range(1, pages + 1)))
    numbers: list[int | None] = []
    for n in wanted:
        if numbers and n - (numbers[-1] or 0) > 1:
            numbers.append(None)
        numbers.append(n)
    return numbers


def _readable_trail(person: Person, case_id: int) -> tuple[Case, bool]:
    """The case whose trail the person may read, its changes summarised, and
    whether the person is on it (an admin need not be)."""
    the_case, membership = access.require_case_records(
        db.session, person, case_id, policy.can_view_case_audit
    )
    changes.summarise_case(db.session, the_case.id)
    if membership is None:  # an admin: the trail is their read of the case
        audit.note_first_read(db.session, the_case, person, None, request.remote_addr)
    db.session.commit()
    return the_case, membership is not None


@bp.get("/<int:case_id>/audit")
@login_required
def trail(case_id: int) -> tuple[str, int]:
    """Recorded actions on the case, newest first, 50 a page, with filters."""
    the_case, on_case = _readable_trail(signed_in_person(), case_id)
    page_arg = request.args.get("page", "1")
    if not page_arg.isdigit():
        abort(404)
    errors = forms.FormErrors()
    wanted = _filter(the_case, request.args, errors)
    shown = (
        None
        if errors
        else audit.trail_page(db.session, the_case, wanted, int(page_arg))
    )
    if shown is None and not errors:
        abort(404)
    people, actions = audit.trail_choices(db.session, the_case)
    kept: dict[str, Any] = {k: v for k in FILTER_ARGS if (v := request.args.get(k))}
    return render_template(
        "cases/audit.html",
        case=the_case,
        on_case=on_case,
        shown=shown,
        errors=errors,
        values=request.args,
        people=people,
        actions=[(a, audit.plain_words(a)) for a in actions],
        page_numbers=_page_numbers(shown.page, shown.pages) if shown else [],
        page_url=lambda n: url_for("audit.trail", case_id=case_id, page=n, **kept),
        csv_url=url_for("audit.download", case_id=case_id, **kept),
        plain_words=audit.plain_words,
        describe_detail=audit.describe_detail,
    ), (400 if errors else 200)


@bp.get("/<int:case_id>/audit.csv")
@login_required
def download(case_id: int) -> Response | tuple[str, int]:
    """The filtered trail as a CSV file; the download is recorded."""
    person = signed_in_person()
    the_case, _ = _readable_trail(person, case_id)
    errors = forms.FormErrors()
    wanted = _filter(the_case, request.args, errors)
    if errors:
        return trail(case_id)
    events = list(audit.trail_events(db.session, the_case, wanted))
    body = "".join(audit.trail_csv(events))
    audit.record(
        db.session,
        "audit.downloaded",
        actor=person,
        case=the_case,
        ip_address=request.remote_addr,
        rows=len(events),
        **wanted.to_detail(),
    )
    db.session.commit()
    filename = f"case-{the_case.id}-audit-trail.csv"
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
