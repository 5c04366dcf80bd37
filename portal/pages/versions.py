"""Frozen versions of a document: open one read-only, compare any two (or
one with the text as it is now) word by word."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from sqlalchemy import select

from auth import access
from auth.sessions import login_required, signed_in_person
from portal.errors import NotFound
from portal.extensions import db
from portal.models import Document, Version
from portal.services import compare, markdown, section_k

bp = Blueprint("versions", __name__)


def _readable_version(version_id: int) -> tuple[Version, Document]:
    version = db.session.get(Version, version_id)
    if version is None:
        raise NotFound("We could not find that version.")
    # A version is readable by whoever may read its document now.
    doc, _, _ = access.require_document(
        db.session, signed_in_person(), version.document_id
    )
    return version, doc


def _versions(doc: Document) -> list[Version]:
    return list(
        db.session.scalars(
            select(Version)
            .where(Version.document_id == doc.id)
            .order_by(Version.created_at, Version.id)
        )
    )


@bp.get("/versions/<int:version_id>")
@login_required
def show(version_id: int) -> str:
    """One version, read-only, as it was frozen."""
    version, doc = _readable_version(version_id)
    return render_template(
        "versions/show.html",
        version=version,
        doc=doc,
        case=doc.case,
        versions=_versions(doc),
        rendered_html=markdown.render(version.text, request.script_root),
    )


def _version_arg(doc: Document, name: str) -> Version | None:
    """`?from=`/`?to=`: a version of this document, or None for "now"."""
    raw = request.args.get(name, "now")
    if raw == "now":
        return None
    if not raw.isdigit() or len(raw) > 12:
        raise NotFound("We could not find that version.")
    version = db.session.get(Version, int(raw))
    if version is None or version.document_id != doc.id:
        raise NotFound("We could not find that version.")
    return version


@bp.get("/documents/<int:doc_id>/compare")
@login_required
def compare_versions(doc_id: int) -> str:
    """What changed between two versions, or between a version and now."""
    doc, _, _ = access.require_document(db.session, signed_in_person(), doc_id)
    versions = _versions(doc)
    if not versions:
        raise NotFound("This document has no versions to compare yet.")
    old = _version_arg(doc, "from") if "from" in request.args else versions[-1]
    new = _version_arg(doc, "to")
    old_text = old.text if old else section_k.text_of(db.session, doc)
    new_text = new.text if new else section_k.text_of(db.session, doc)
    pieces = compare.words(old_text, new_text)
    inserted, deleted = compare.counts(pieces)
    return render_template(
        "versions/compare.html",
        doc=doc,
        case=doc.case,
        versions=versions,
        old=old,
        new=new,
        pieces=pieces,
        inserted=inserted,
        deleted=deleted,
    )
