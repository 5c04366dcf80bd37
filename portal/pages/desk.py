"""The caseworker's desk: contributions beside the plan, passages taken
from one into the other with their source, and "Start the draft".

The page itself is one blueprint; the JSON the desk's script calls is
another, whose errors are answered as `{"error": sentence}`.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, jsonify, render_template, request, url_for
from werkzeug.wrappers import Response

from auth import access, policy
from auth.policy import Access
from auth.sessions import login_required, signed_in_person
from portal import domain
from portal.assistant.openai_backend import OpenAIAssistant
from portal.errors import NotAllowed, NotFound, PortalError
from portal.extensions import db
from portal.models import Case, Document, DraftProposal, Excerpt, Membership
from portal.pages import attachments, plan
from portal.services import (
    cases,
    drafting,
    findings,
    provenance,
    review,
    section_k,
)

bp = Blueprint("desk", __name__, url_prefix="/cases")
api = Blueprint("desk_api", __name__, url_prefix="/cases")
attachments.answer_errors_as_json(
    api, limit_setting="MAX_CONTENT_LENGTH", thing="request", again="try again"
)


class BadRequest(PortalError):
    status_code = 400


def _doc_link(doc: Document) -> str:
    return url_for("documents.show", doc_id=doc.id)


def _contribution(doc: Document, usage: provenance.Usage | None) -> dict[str, Any]:
    author = doc.owner.person.name if doc.owner else doc.source_author
    return {
        "id": doc.id,
        "title": doc.title,
        "author": author,
        "organisation": doc.owner.organisation if doc.owner else "",
        "status": doc.status,
        "link": _doc_link(doc),
        "percent_used": usage.percent if usage else 0,
        "passages": usage.passages if usage else 0,
    }


@bp.get("/<int:case_id>/desk")
@login_required
def show(case_id: int) -> str:
    """Contributions on the left, the plan A–K on the right."""
    person = signed_in_person()
    case, membership = access.require_case(db.session, person, case_id, "merge")
    docs = cases.case_documents(db.session, case)
    # Section K is written by the portal (section_k), so it has no editor here.
    sections = [
        d
        for d in docs
        if d.kind == "plan_section" and d.section and d.section != section_k.SECTION
    ]
    contributions = provenance.contributions(db.session, case)
    return render_template(
        "cases/desk.html",
        case=case,
        **plan.section_k_context(case, membership),
        sections=[
            {
                "key": d.section,
                "id": d.id,
                "title": domain.SECTION_TITLES.get(d.section or "", d.title),
            }
            for d in sections
        ],
        contributions=[_contribution(d, None) for d in contributions],
        person_id=person.id,
        user_name=person.name,
        user_role_label=domain.ROLE_LABELS.get(membership.role, membership.role),
    )


def _json_body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadRequest("Send the details as a JSON object.")
    return body


def _int_field(body: dict[str, Any], name: str) -> int:
    value = body.get(name)
    if not isinstance(value, int) or isinstance(value, bool) or not 0 < value < 2**31:
        raise BadRequest(f"'{name}' must be a document number.")
    return value


def _section_doc(case: Case, key: Any) -> Document:
    if not isinstance(key, str):
        raise BadRequest("Choose a plan section.")
    for doc in cases.case_documents(db.session, case):
        if doc.kind == "plan_section" and doc.section == key:
            return doc
    raise BadRequest(f"This plan has no Section {key[:3]}.")


def _require_merge(case_id: int) -> tuple[Case, Membership]:
    return access.require_case(db.session, signed_in_person(), case_id, "merge")


def _require_edit(membership: Membership, doc: Document) -> None:
    level = policy.document_access(
        access.member_facts(membership), access.doc_facts(doc, doc.case)
    )
    if level < Access.EDIT:
        raise NotAllowed(f"You cannot edit Section {doc.section}.")


def _excerpt_json(
    excerpt: Excerpt, membership: Membership, passage: provenance.Passage | None = None
) -> dict[str, Any]:
    source = excerpt.source
    level = policy.document_access(
        access.member_facts(membership), access.doc_facts(source, source.case)
    )
    out: dict[str, Any] = {
        "ref": excerpt.ref,
        "title": excerpt.source_title,
        "author": excerpt.source_author,
        "organisation": excerpt.source_organisation,
        "date": excerpt.source_date.isoformat(),
        "date_text": f"{excerpt.source_date.day} {excerpt.source_date:%B %Y}",
    }
    if policy.may_see_source_of_passage(level):
        out["link"] = _doc_link(source)
        out["quote"] = excerpt.quote
    if passage is not None:
        out["section"] = passage.section
        out["changed"] = passage.changed
    return out


@api.post("/<int:case_id>/excerpts")
@login_required
def take(case_id: int) -> tuple[Response, int]:
    """Record a passage the caseworker's editor is about to put in the plan:
    {"source": doc id, "section": "F", "quote": words}. Answers its `ref`."""
    case, membership = _require_merge(case_id)
    body = _json_body()
    source = db.session.get(Document, _int_field(body, "source"))
    if source is None or source.case_id != case.id:
        raise NotFound("We could not find that document on this case.")
    section = _section_doc(case, body.get("section"))
    _require_edit(membership, section)
    quote = body.get("quote")
    if not isinstance(quote, str):
        raise BadRequest("Select some words in the advice first.")
    try:
        excerpt = provenance.take(
            db.session,
            case,
            source,
            section.section or "",
            quote,
            signed_in_person(),
            date.today(),
        )
    except provenance.ExcerptRefused as refused:
        raise BadRequest(str(refused)) from None
    db.session.commit()
    return jsonify(_excerpt_json(excerpt, membership)), 201


@api.get("/<int:case_id>/provenance")
@login_required
def sources(case_id: int) -> Response:
    """Where the passages of the plan sections this member may read came from,
    and, for the caseworker, how much of each contribution the plan uses and
    which of its recommendations it does not carry yet."""
    person = signed_in_person()
    case, membership = access.require_case(db.session, person, case_id)
    member = access.member_facts(membership)
    readable = [
        d
        for d in access.readable_documents(db.session, membership, case)
        if d.kind == "plan_section"
    ]
    marks = provenance.plan_marks(db.session, case, readable)
    found = [p for p in provenance.passages(db.session, case) if p.excerpt.ref in marks]
    answer: dict[str, Any] = {
        "passages": [_excerpt_json(p.excerpt, membership, p) for p in found]
    }
    if policy.can_on_case(member, "merge"):
        answer["contributions"] = _usage(case, membership)
        answer["section_k"] = _section_k(case, membership)
    return jsonify(answer)


def _section_k(case: Case, membership: Membership) -> list[dict[str, Any]]:
    """Section K as it stands, for the desk to redraw while it is open."""
    links = plan.k_links(membership, case)
    return [
        {
            "title": e.title,
            "details": section_k.details(e),
            "link": links.get(e.document.id) if e.document else None,
            "outside": e.outside_portal,
        }
        for e in section_k.entries(db.session, case)
    ]


def _usage(case: Case, membership: Membership) -> list[dict[str, Any]]:
    usage = provenance.usage(db.session, case)
    missing = _missing_recommendations(case, membership)
    out = []
    for u in usage:
        item = _contribution(u.document, u)
        item["not_in_plan"] = missing.get(_doc_link(u.document), [])
        out.append(item)
    return out


def _missing_recommendations(
    case: Case, membership: Membership
) -> dict[str, list[str]]:
    """The assistant's open "recommendation not in the plan" findings, by the
    advice page they link to: the same fact the Check panel reports."""
    report = review.case_findings(
        db.session,
        review.assistant_for(_settings()),
        case,
        date.today(),
        access.assistant_scope(db.session, membership, case),
        _doc_link,
    )
    triaged = findings.triage(db.session, case, report.findings)
    out: dict[str, list[str]] = {}
    for _, finding in (f for fs in triaged.open_by_section.values() for f in fs):
        if finding.kind == "advice_recommendation_not_in_plan" and finding.link:
            out.setdefault(finding.link, []).append(finding.message)
    return out


def _settings() -> Any:
    from flask import current_app

    return current_app.config["SETTINGS"]


def _proposal_json(p: DraftProposal) -> dict[str, Any]:
    return {
        "id": p.id,
        "section": p.section,
        "area": p.area,
        "text": p.text,
        "recommendation": p.recommendation,
        "backend": p.backend,
        "status": p.status,
        "source": {
            "id": p.source.id,
            "title": p.source.title,
            "link": _doc_link(p.source),
        },
    }


@api.get("/<int:case_id>/draft")
@login_required
def proposals(case_id: int) -> Response:
    case, _ = _require_merge(case_id)
    return jsonify(
        proposals=[_proposal_json(p) for p in drafting.proposals(db.session, case)]
    )


@api.post("/<int:case_id>/draft")
@login_required
def start_draft(case_id: int) -> tuple[Response, int]:
    """Propose plan text from submitted advice (only what was not proposed before)."""
    case, _ = _require_merge(case_id)
    assistant = review.assistant_for(_settings())
    model = assistant if isinstance(assistant, OpenAIAssistant) else None
    started = drafting.start_draft(db.session, case, signed_in_person(), model)
    db.session.commit()
    return jsonify(
        added=len(started.proposals),
        notice=started.notice,
        proposals=[_proposal_json(p) for p in drafting.proposals(db.session, case)],
    ), 201


def _proposal(case: Case, proposal_id: int) -> DraftProposal:
    proposal = db.session.get(DraftProposal, proposal_id)
    if proposal is None or proposal.case_id != case.id:
        raise NotFound("We could not find that proposal.")
    return proposal


@api.post("/<int:case_id>/draft/<int:proposal_id>/accept")
@login_required
def accept(case_id: int, proposal_id: int) -> Response:
    """Accept a proposal, perhaps edited ({"text": ...}); the editor then puts
    it in the section with the answered `ref` on its words."""
    case, membership = _require_merge(case_id)
    proposal = _proposal(case, proposal_id)
    _require_edit(membership, _section_doc(case, proposal.section))
    text = _json_body().get("text", proposal.text)
    if not isinstance(text, str) or not text.strip():
        raise BadRequest("The proposal has no words left. Reject it instead.")
    if len(text) > provenance.MAX_QUOTE_CHARS:
        raise BadRequest("That text is too long for one proposal.")
    try:
        excerpt = drafting.accept(
            db.session, proposal, text.strip(), signed_in_person(), date.today()
        )
    except (drafting.ProposalClosed, provenance.ExcerptRefused) as refused:
        raise BadRequest(str(refused)) from None
    db.session.commit()
    return jsonify(
        proposal=_proposal_json(proposal),
        excerpt=_excerpt_json(excerpt, membership),
    )


@api.post("/<int:case_id>/draft/<int:proposal_id>/reject")
@login_required
def reject(case_id: int, proposal_id: int) -> Response:
    case, _ = _require_merge(case_id)
    proposal = _proposal(case, proposal_id)
    try:
        drafting.reject(db.session, proposal, signed_in_person())
    except drafting.ProposalClosed as closed:
        raise BadRequest(str(closed)) from None
    db.session.commit()
    return jsonify(proposal=_proposal_json(proposal))
