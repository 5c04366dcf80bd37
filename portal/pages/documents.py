"""The document page: rendered Markdown or the live editor, history, submit and reopen."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from auth import access, policy
from auth.sessions import login_required, signed_in_person
from portal import domain
from portal.doclog import reading
from portal.errors import NotAllowed
from portal.extensions import db
from portal.models import Document
from portal.services import documents, markdown

bp = Blueprint("documents", __name__, url_prefix="/documents")


def page_of(doc: Document) -> str:
    """A document's page: where a finding that names the document links to."""
    return url_for("documents.show", doc_id=doc.id)


@bp.get("/<int:doc_id>")
@login_required
def show(doc_id: int) -> str:
    """Read or edit a document, with its versions and recent editors."""
    person = signed_in_person()
    doc, membership, level = access.require_document(db.session, person, doc_id)
    text = reading.document_text(db.session, doc.id)
    member = access.member_facts(membership)
    facts = access.doc_facts(doc, doc.case)
    return render_template(
        "documents/show.html",
        doc=doc,
        case=doc.case,
        access=level.label,
        text=text,
        rendered_html=markdown.render(text, request.script_root),
        versions=documents.versions_of(db.session, doc),
        editors=reading.recent_editors(db.session, doc.id),
        author=doc.owner.person if doc.owner else None,
        can_submit=policy.can_submit(member, facts),
        can_reopen=policy.can_reopen(member, facts),
        person_id=person.id,
        user_name=person.name,
        user_role_label=domain.ROLE_LABELS.get(membership.role, membership.role),
    )


@bp.post("/<int:doc_id>/submit")
@login_required
def submit(doc_id: int) -> Response:
    """The author submits their advice; it is frozen as a version."""
    person = signed_in_person()
    doc, membership, _ = access.require_document(db.session, person, doc_id)
    if not policy.can_submit(
        access.member_facts(membership), access.doc_facts(doc, doc.case)
    ):
        raise NotAllowed(
            "Only the author can submit this advice, and only while it is a draft."
        )
    documents.submit_advice(db.session, doc, person)
    db.session.commit()
    flash("Your advice has been submitted. The caseworker has been told.")
    return redirect(url_for("documents.show", doc_id=doc.id))


@bp.post("/<int:doc_id>/reopen")
@login_required
def reopen(doc_id: int) -> Response:
    """The caseworker reopens submitted advice for its author to edit."""
    person = signed_in_person()
    doc, membership, _ = access.require_document(db.session, person, doc_id)
    if not policy.can_reopen(
        access.member_facts(membership), access.doc_facts(doc, doc.case)
    ):
        raise NotAllowed("Only the caseworker can reopen submitted advice.")
    documents.reopen_advice(db.session, doc, person)
    db.session.commit()
    flash("The advice is open for its author to edit again.")
    return redirect(url_for("documents.show", doc_id=doc.id))
