"""The JSON API for integrations (bearer tokens) and the browser."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, current_app, g, jsonify, request
from werkzeug.wrappers import Response

from auth import access, policy
from auth.sessions import current_person
from portal import openapi
from portal.assistant import Finding, Report
from portal.errors import Busy, InvalidInput, NotAllowed
from portal.extensions import csrf, db
from portal.models import Case, Document, Person
from portal.pages.documents import page_of
from portal.services import audit, cases, documents, review, section_k
from portal.time_limit import TimeLimitExceeded, run_with_time_limit

bp = Blueprint("api", __name__, url_prefix="/api")


def _caller() -> Person:
    person = current_person()
    if person is None:
        raise _Unauthorised()
    return person


class _Unauthorised(NotAllowed):
    status_code = 401

    def __init__(self) -> None:
        super().__init__(
            "Send a valid token in the header 'Authorization: Bearer TOKEN'."
        )


@bp.after_request
def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    if response.status_code == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="ehcp"'
    return response


def _case_summary(case: Case, role: str) -> dict[str, Any]:
    return {
        "id": case.id,
        "child_name": case.child_name,
        "la_reference": case.la_reference,
        "status": case.status,
        "request_date": case.request_date.isoformat(),
        "your_role": role,
    }


@bp.get("/cases")
def list_cases() -> Response:
    """The cases the caller is on."""
    person = _caller()
    rows = cases.cases_for(db.session, person)
    return jsonify(cases=[_case_summary(c, m.role) for c, m in rows])


def _document_json(doc: Document, level: policy.Access) -> dict[str, Any]:
    return {
        "id": doc.id,
        "kind": doc.kind,
        "section": doc.section,
        "title": doc.title,
        "discipline": doc.discipline if doc.kind == "advice" else None,
        "status": doc.status,
        "due_date": doc.due_date.isoformat() if doc.due_date else None,
        "access": level.label,
    }


@bp.get("/cases/<int:case_id>")
def get_case(case_id: int) -> Response:
    """A case with its members and documents, each with the caller's access."""
    person = _caller()
    case, membership = access.require_case(db.session, person, case_id)
    if audit.note_first_read(db.session, case, person, membership, request.remote_addr):
        db.session.commit()
    member = access.member_facts(membership)
    # Only documents the caller may open: even a title or due date of someone
    # else's advice says something about the child.
    levels = [
        (d, policy.document_access(member, access.doc_facts(d, case)))
        for d in cases.case_documents(db.session, case)
    ]
    docs = [
        _document_json(d, level) for d, level in levels if level >= policy.Access.READ
    ]
    members = [
        {
            "name": m.person.name,
            "role": m.role,
            "discipline": m.discipline,
            "organisation": m.organisation,
            "job_title": m.job_title,
        }
        for m in case.memberships
    ]
    return jsonify(
        case=_case_summary(case, membership.role), members=members, documents=docs
    )


@bp.get("/documents/<int:doc_id>")
def get_document(doc_id: int) -> Response:
    """A document's Markdown, status and versions (read access needed)."""
    person = _caller()
    doc, membership, level = access.require_document(db.session, person, doc_id)
    if audit.note_first_read(
        db.session, doc.case, person, membership, request.remote_addr
    ):
        db.session.commit()
    body = _document_json(doc, level)
    body["text"] = section_k.text_of(db.session, doc)  # K: the list it writes
    body["versions"] = [
        {"id": v.id, "label": v.label, "created_at": v.created_at.isoformat()}
        for v in documents.versions_of(db.session, doc)
    ]
    return jsonify(body)


MAX_CHECK_CHARS = 200_000
# Suggestions and findings in one reply, each: a page of them is plenty to
# work through, and the reply stays small whatever the text.
MAX_REPLY_ITEMS = 200


@bp.post("/documents/<int:doc_id>/assistant")
def assistant_report(doc_id: int) -> Response:
    """Suggestions and findings for the text the editor holds now (read access)."""
    person = _caller()
    if not g.get("via_token"):
        csrf.protect()  # the browser's editor sends X-CSRFToken
    doc, membership, _ = access.require_document(db.session, person, doc_id)
    body = request.get_json(silent=True)
    text = body.get("text") if isinstance(body, dict) else None
    if not isinstance(text, str):
        raise InvalidInput('Send JSON like {"text": "..."}.')
    if len(text) > MAX_CHECK_CHARS:
        raise InvalidInput(
            f"The text is too long to check (over {MAX_CHECK_CHARS:,} characters)."
        )
    settings = current_app.config["SETTINGS"]
    scope = access.assistant_scope(db.session, membership, doc.case)
    material = review.document_material(
        db.session, doc, text, date.today(), scope, page_of
    )
    assistant = review.assistant_for(settings)
    kind, section = doc.kind, doc.section

    def work() -> Report:
        return review.report_on_document(
            assistant, kind, section, text, material, scope
        )

    try:
        report = run_with_time_limit(
            work,
            settings.assistant_time_limit_seconds,
        )
    except TimeLimitExceeded:
        raise Busy(
            "Checking this text took too long, so it was stopped. Try again in a "
            "minute; if it happens again, check a shorter part of the text."
        ) from None
    measures = next(iter(report.measures.values()), None)
    if not policy.sees_reading_measures(access.member_facts(membership)):
        measures = None
    notices = list(report.notices)
    suggestions, findings = report.suggestions, report.findings
    if len(suggestions) > MAX_REPLY_ITEMS:
        suggestions = suggestions[:MAX_REPLY_ITEMS]
        notices.append(
            f"Only the first {MAX_REPLY_ITEMS} suggestions are shown. Deal with "
            "these, or check a shorter part of the text, to see the rest."
        )
    if len(findings) > MAX_REPLY_ITEMS:
        findings = findings[:MAX_REPLY_ITEMS]
        notices.append(f"Only the first {MAX_REPLY_ITEMS} findings are shown.")
    return jsonify(
        suggestions=[s.to_dict() for s in suggestions],
        findings=[_finding_json(f) for f in findings],
        notices=notices,
        measures=measures.to_dict() if measures else None,
    )


def _finding_json(finding: Finding) -> dict[str, Any]:
    # The CLI's five fields, plus the named document's page when there is one.
    link = {"href": finding.link, "text": finding.link_text} if finding.link else None
    return {**finding.to_dict(), "link": link}


@bp.post("/documents/<int:doc_id>/suggestions/decision")
def suggestion_decision(doc_id: int) -> tuple[Response, int]:
    """Record that a person accepted or rejected a suggestion (the edit itself
    travels over /collab as a normal, attributed Yjs update)."""
    person = _caller()
    if not g.get("via_token"):
        csrf.protect()
    body = request.get_json(silent=True)
    if (
        not isinstance(body, dict)
        or body.get("decision") not in policy.SUGGESTION_DECISIONS
    ):
        raise InvalidInput(
            'Send JSON like {"decision": "accepted", "rule": "...", "original": "..."}.'
        )
    decision = body["decision"]
    doc, _, level = access.require_document(db.session, person, doc_id)
    if not policy.can_decide_suggestion(level, decision):
        raise NotAllowed(f"You can {level.label} this document but not edit it.")
    fields: dict[str, Any] = {
        key: str(body.get(key) or "")[:500]
        for key in ("rule", "original", "replacement", "source")
    }
    audit.record(
        db.session, f"suggestion.{decision}", actor=person, document=doc, **fields
    )
    db.session.commit()
    return jsonify(ok=True), 201


@bp.get("/openapi.json")
def openapi_json() -> Response:
    """The OpenAPI 3.1 description of this API."""
    return jsonify(openapi.SPEC)
