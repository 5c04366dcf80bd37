"""The document page: rendered Markdown or the live editor, history, submit and reopen."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.wrappers import Response

from auth import access, policy
from auth.policy import Access
from auth.sessions import login_required, signed_in_person
from portal import domain, guidance
from portal.doclog import reading
from portal.errors import NotAllowed
from portal.extensions import db
from portal.models import Case, Document, Membership
from portal.pages import plan
from portal.services import audit, documents, markdown, section_k

bp = Blueprint("documents", __name__, url_prefix="/documents")


def page_of(doc: Document) -> str:
    """A document's page: where a finding that names the document links to."""
    return url_for("documents.show", doc_id=doc.id)


def caseworker_first_name(case: Case) -> str | None:
    """Whom the family sends their part to, by first name; None if nobody runs
    the case yet."""
    runners = [m for m in case.memberships if m.role == "caseworker"]
    if not runners:
        return None
    return guidance.first_name(min(runners, key=lambda m: m.id).person.name)


def words_for(doc: Document, membership: Membership) -> guidance.Words:
    """The words the document's page uses for this reader."""
    return guidance.words_for(
        doc.discipline, membership.role, caseworker_first_name(doc.case)
    )


def _images_url(doc_id: int) -> str:
    # The picture upload blueprint lands separately; until then, its agreed path.
    if "images.upload" in current_app.view_functions:
        return url_for("images.upload", doc_id=doc_id)
    return request.script_root + f"/documents/{doc_id}/images"


def _recordings_url(doc_id: int) -> str:
    return url_for("recordings.upload", doc_id=doc_id)


def editor_flags(doc: Document) -> dict[str, Any]:
    """The switches documents/_editor.html honours, set on every page so the
    partial never depends on an undefined variable."""
    if doc.discipline != guidance.CHILD:
        return {
            "show_check": True,
            "images_url": None,
            "recordings_url": None,
            "prompts": None,
            "image_alt_label": None,
            "image_alt_hint": None,
            "editor_label": None,
            "editor_hint": None,
        }
    return {
        "show_check": False,
        "images_url": _images_url(doc.id),
        "recordings_url": _recordings_url(doc.id),
        "prompts": guidance.ALL_ABOUT_ME_PROMPTS,
        "image_alt_label": guidance.IMAGE_ALT_LABEL,
        "image_alt_hint": guidance.IMAGE_ALT_HINT,
        "editor_label": guidance.CHILD_EDITOR_LABEL,
        "editor_hint": guidance.CHILD_EDITOR_HINT,
    }


@bp.get("/<int:doc_id>")
@login_required
def show(doc_id: int) -> str:
    """Read or edit a document, with its versions and recent editors; the young
    person's "All about me" gets a page of its own."""
    person = signed_in_person()
    doc, membership, level = access.require_document(db.session, person, doc_id)
    if audit.note_first_read(
        db.session, doc.case, person, membership, request.remote_addr
    ):
        db.session.commit()
    text = reading.document_text(db.session, doc.id)
    member = access.member_facts(membership)
    facts = access.doc_facts(doc, doc.case)
    is_child_page = doc.discipline == guidance.CHILD
    flags = editor_flags(doc)
    # The Permissions-Policy header lets only this page use the microphone.
    g.uses_microphone = bool(flags["recordings_url"]) and level >= Access.EDIT
    if doc.kind == "plan_section" and doc.section == section_k.SECTION:
        flags.update(plan.section_k_context(doc.case, membership), show_check=False)
    return render_template(
        "documents/all_about_me.html" if is_child_page else "documents/show.html",
        **flags,
        words=words_for(doc, membership),
        guidance=guidance.for_discipline(doc.discipline),
        child_first_name=guidance.first_name(doc.case.child_name),
        is_author=doc.owner_membership_id == membership.id,
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
    flash(words_for(doc, membership).submitted)
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
