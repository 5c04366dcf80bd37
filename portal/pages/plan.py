"""The whole plan A–K on one page, and the advice Section K lists that was
received outside the portal (the caseworker records and removes it)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import (
    Blueprint,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.wrappers import Response

from auth import access, policy
from auth.policy import Access
from auth.sessions import login_required, signed_in_person
from portal import domain
from portal.assistant import get_assistant
from portal.errors import InvalidInput, NotFound
from portal.extensions import db
from portal.models import Case, ExternalAdvice, Membership
from portal.pages import forms
from portal.pages.comments import author_name
from portal.services import cases, comments, findings, review, section_k, whole_plan

bp = Blueprint("plan", __name__, url_prefix="/cases")


def _levels(membership: Membership, case: Case) -> dict[int, Access]:
    member = access.member_facts(membership)
    return {
        d.id: policy.document_access(member, access.doc_facts(d, case))
        for d in cases.case_documents(db.session, case)
    }


def k_links(
    membership: Membership, case: Case, *, external: bool = False
) -> dict[int, str]:
    """Links from Section K to the advice this member may open (full
    addresses for the printed plan, which shows them)."""
    return {
        doc_id: url_for("documents.show", doc_id=doc_id, _external=external)
        for doc_id, level in _levels(membership, case).items()
        if level >= Access.READ
    }


def _gap_summary(case: Case, membership: Membership) -> findings.Triaged:
    # The built-in rules, as on the case page: instant and offline.
    report = review.case_findings(
        db.session,
        get_assistant("rules"),
        case,
        date.today(),
        access.assistant_scope(db.session, membership, case),
        lambda doc: url_for("documents.show", doc_id=doc.id),
    )
    return findings.triage(db.session, case, report.findings)


def section_k_context(case: Case, membership: Membership) -> dict[str, Any]:
    """What cases/_section_k.html needs, for the pages that show Section K."""
    return {
        "entries": section_k.entries(db.session, case),
        "k_links": k_links(membership, case),
        "can_record": policy.can_on_case(
            access.member_facts(membership), "record_advice"
        ),
    }


def _threads(
    sections: list[whole_plan.Section], levels: dict[int, Access]
) -> dict[str, list[dict[str, Any]]]:
    """Each readable section's comment threads, for everyone who may see them."""
    found: dict[str, list[dict[str, Any]]] = {}
    for s in sections:
        level = levels.get(s.document.id, Access.NONE)
        if not s.readable or not policy.can_see_comments(level):
            continue
        found[s.key] = [
            {
                "root": t.root,
                "author": author_name(t.root),
                "replies": len(t.replies),
            }
            for t in comments.threads_of(db.session, s.document)
        ]
    return found


@bp.get("/<int:case_id>/plan")
@login_required
def show(case_id: int) -> str:
    """The plan A–K in order, the sections this member may read filled in,
    printable; beside it, for the caseworker, the checks' gap summary."""
    person = signed_in_person()
    case, membership = access.require_case(db.session, person, case_id)
    member = access.member_facts(membership)
    levels = _levels(membership, case)
    is_caseworker = policy.can_on_case(member, "view_findings")
    sections = whole_plan.sections(
        db.session,
        case,
        lambda d: levels.get(d.id, Access.NONE) >= Access.READ,
        with_sources=is_caseworker,
        script_root=request.script_root,
    )
    return render_template(
        "cases/plan.html",
        threads=_threads(sections, levels),
        case=case,
        heading=whole_plan.heading(case),
        sections=sections,
        not_shared=whole_plan.not_shared(sections),
        gaps=_gap_summary(case, membership) if is_caseworker else None,
        is_caseworker=is_caseworker,
        can_record=policy.can_on_case(member, "record_advice"),
        k_links=k_links(membership, case, external=True),
        today=date.today(),
    )


def _read_received(errors: forms.FormErrors) -> section_k.Received | None:
    values = request.form
    today = date.today()
    who = forms.text(values, "from_whom", errors, label="who the advice is from")
    discipline = forms.choice(
        values,
        "discipline",
        [d for d, _ in domain.professional_disciplines()],
        errors,
        message="Select what kind of advice it is.",
    )
    role = forms.text(
        values, "role", errors, label="their role or job title", required=False
    )
    organisation = forms.text(
        values, "organisation", errors, label="the organisation", required=False
    )
    received = forms.date_field(
        values,
        "received_on",
        errors,
        label="the date it was received",
        not_future=True,
        today=today,
    )
    note = forms.text(
        values, "note", errors, label="the note", required=False, max_length=1000
    )
    if errors or discipline is None or received is None:
        return None
    return section_k.Received(who, discipline, role, organisation, received, note)


@bp.route("/<int:case_id>/advice-received", methods=["GET", "POST"])
@login_required
def advice_received(case_id: int) -> str | Response:
    """Section K as it stands, and a form to record advice received outside
    the portal (by letter, email or a report written elsewhere)."""
    person = signed_in_person()
    case, membership = access.require_case(db.session, person, case_id, "record_advice")
    errors = forms.FormErrors()
    if request.method == "POST":
        details = _read_received(errors)
        if details is not None:
            try:
                section_k.record_external(
                    db.session, case, details, person, date.today()
                )
            except InvalidInput as refused:
                errors["discipline"] = str(refused)
            else:
                db.session.commit()
                flash(f"Section K now lists the advice from {details.from_whom}.")
                return redirect(url_for("plan.advice_received", case_id=case.id))
    return render_template(
        "cases/advice_received.html",
        case=case,
        **section_k_context(case, membership),
        disciplines=domain.professional_disciplines(),
        errors=errors,
        values=request.form,
    )


@bp.post("/<int:case_id>/advice-received/<int:item_id>/remove")
@login_required
def remove_advice_received(case_id: int, item_id: int) -> Response:
    """Take advice recorded in error off Section K."""
    person = signed_in_person()
    case, _ = access.require_case(db.session, person, case_id, "record_advice")
    item = db.session.get(ExternalAdvice, item_id)
    if item is None or item.case_id != case.id:
        raise NotFound("We could not find that advice on this case.")
    who = item.from_whom
    section_k.remove_external(db.session, case, item, person)
    db.session.commit()
    flash(f"Section K no longer lists the advice from {who}.")
    return redirect(url_for("plan.advice_received", case_id=case.id))
