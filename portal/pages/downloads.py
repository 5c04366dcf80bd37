"""Downloads: the plan, a frozen version of it, or one document, as PDF or
Word. Each route checks who may have it (`auth.access`, `auth.policy`) and
audits the download; rendering is `portal.services.plan_export`."""

from __future__ import annotations

import unicodedata
from dataclasses import replace
from datetime import date
from urllib.parse import quote

from flask import Blueprint, Response, current_app, request

from auth import access
from auth.sessions import login_required, signed_in_person
from portal.errors import Busy, InvalidInput, NotFound
from portal.extensions import db
from portal.models import Person, Version
from portal.services import audit, images, plan_docx, plan_export, plan_pdf
from portal.time_limit import TimeLimitExceeded, run_with_time_limit

bp = Blueprint("downloads", __name__)

# Rendering a very long plan takes seconds (bench/downloads.py); past this
# something is wrong, and the person is told to try again.
RENDER_SECONDS = 120


def _format() -> str:
    chosen = request.args.get("format", "pdf")
    if chosen not in plan_export.FORMATS:
        raise InvalidInput("Choose PDF or Word (.docx) for the download.")
    return chosen


def _with_sources() -> bool:
    return request.args.get("sources") == "yes"


def _council() -> str:
    return str(current_app.config["SETTINGS"].council_name)


def _with_pictures(export: plan_export.Export, person: Person) -> plan_export.Export:
    """The export with each of its pictures the person may see
    (`access.require_image`, as the picture's own address checks)."""
    found = {}
    for doc_id, image_id in plan_export.picture_refs(export):
        try:
            image = access.require_image(db.session, person, doc_id, image_id)
        except NotFound:
            continue  # shown as its description
        found[images.image_path(doc_id, image_id)] = plan_export.Picture(
            image.data, image.content_type, image.width, image.height
        )
    return replace(export, pictures=found)


def _send(export: plan_export.Export, chosen: str) -> Response:
    render = plan_pdf.write_pdf if chosen == "pdf" else plan_docx.write_docx
    try:
        data = run_with_time_limit(lambda: render(export), RENDER_SECONDS)
    except TimeLimitExceeded:
        raise Busy("Making the file took too long. Please try again.") from None
    except plan_pdf.PdfUnavailable:
        current_app.logger.exception("PDF downloads need Pango (make install)")
        raise Busy(
            "PDF downloads are not working on this server at the moment. "
            "Choose Word instead, or try again later."
        ) from None
    response = Response(data, mimetype=plan_export.FORMATS[chosen])
    name = plan_export.filename(export, chosen)
    # As werkzeug's send_file: an ASCII name, and the real one (RFC 6266) for "Zoë".
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    response.headers.set(
        "Content-Disposition",
        "attachment",
        filename=ascii_name,
        **{"filename*": "UTF-8''" + quote(name, safe="")},
    )
    response.headers["Cache-Control"] = "no-store"  # a child's plan: keep no copies
    return response


@bp.get("/cases/<int:case_id>/plan/download")
@login_required
def plan(case_id: int) -> Response:
    """The plan A-K as it is now."""
    person, chosen, with_sources = signed_in_person(), _format(), _with_sources()
    case, _ = access.require_plan_download(db.session, person, case_id, with_sources)
    export = plan_export.plan_export(
        db.session,
        case,
        council=_council(),
        today=date.today(),
        with_sources=with_sources,
    )
    audit.record(
        db.session,
        "plan.downloaded",
        actor=person,
        case=case,
        format=chosen,
        sources=with_sources,
    )
    db.session.commit()
    return _send(_with_pictures(export, person), chosen)


@bp.get("/versions/<int:version_id>/download")
@login_required
def version(version_id: int) -> Response:
    """A frozen version: of the plan (every section frozen with it), or of
    one piece of advice."""
    person, chosen, with_sources = signed_in_person(), _format(), _with_sources()
    frozen = db.session.get(Version, version_id)
    if frozen is None:
        raise NotFound("We could not find that version.")
    doc, _, _ = access.require_document(db.session, person, frozen.document_id)
    if doc.kind == "plan_section":
        case, _ = access.require_plan_download(
            db.session, person, doc.case_id, with_sources
        )
        export = plan_export.plan_export(
            db.session,
            case,
            council=_council(),
            today=date.today(),
            version=frozen,
            with_sources=with_sources,
        )
        action = "plan.downloaded"
    else:
        export = plan_export.document_export(
            db.session, doc, council=_council(), today=date.today(), version=frozen
        )
        action = "document.downloaded"
    audit.record(
        db.session,
        action,
        actor=person,
        document=doc,
        format=chosen,
        version=frozen.id,
        sources=with_sources and doc.kind == "plan_section",
    )
    db.session.commit()
    return _send(_with_pictures(export, person), chosen)


@bp.get("/documents/<int:doc_id>/download")
@login_required
def document(doc_id: int) -> Response:
    """One document the person may read (their own advice, for instance)."""
    person, chosen = signed_in_person(), _format()
    doc, _, _ = access.require_document(db.session, person, doc_id)
    export = plan_export.document_export(
        db.session, doc, council=_council(), today=date.today()
    )
    audit.record(
        db.session, "document.downloaded", actor=person, document=doc, format=chosen
    )
    db.session.commit()
    return _send(_with_pictures(export, person), chosen)
