"""Pictures in documents: the editor uploads them, pages and editors show them.

The upload answers JSON only, errors included, because the editor's script
reads it; CSRF comes in the X-CSRFToken header, as for the other JSON the
browser sends. Pictures are served with their own strict headers: a picture
of a child is not for caches, other sites' frames or content sniffing.
"""

from __future__ import annotations

from flask import Blueprint, current_app, g, jsonify, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge
from werkzeug.wrappers import Response

from auth import access, policy
from auth.sessions import current_person, login_required, signed_in_person
from portal.errors import ImageRefused, ImageTooLarge, NotAllowed, PortalError
from portal.extensions import csrf, db
from portal.services import images

bp = Blueprint("images", __name__, url_prefix="/documents")

# Room for the multipart boundaries, headers and the alt text around the file.
FORM_OVERHEAD = 64 * 1024


@bp.post("/<int:doc_id>/images")
def upload(doc_id: int) -> tuple[Response, int]:
    """Add a picture to a document the person may edit: multipart `image`
    (the file) and `alt` (what is in it)."""
    person = current_person()
    if person is None:
        return jsonify(error="Sign in again to add a picture."), 401
    limit = current_app.config["MAX_IMAGE_BYTES"]
    sent = request.content_length
    if sent is not None and sent > limit + FORM_OVERHEAD:
        raise ImageTooLarge(images.too_large_message(sent, limit))
    # Raised before anything reads the form, CSRF token included.
    request.max_content_length = limit + FORM_OVERHEAD
    if not g.get("via_token"):
        csrf.protect()  # the editor sends X-CSRFToken
    doc, _, level = access.require_document(db.session, person, doc_id)
    if not policy.can_add_attachment(level):
        raise NotAllowed(f"You can {level.label} this document but not add pictures.")
    file = request.files.get("image")
    if file is None:
        raise ImageRefused("Choose a picture to add.")
    image = images.add_image(
        db.session,
        doc,
        person,
        file.read(),
        file.filename or "",
        request.form.get("alt"),
        max_bytes=limit,
    )
    db.session.commit()
    src = request.script_root + images.image_path(doc.id, image.id)
    return jsonify(src=src, alt=image.alt, width=image.width, height=image.height), 201


@bp.get("/<int:doc_id>/images/<int:image_id>")
@login_required
def show(doc_id: int, image_id: int) -> Response:
    """The picture's bytes, for someone who may see it; 404 for anyone else."""
    image = access.require_image(db.session, signed_in_person(), doc_id, image_id)
    response = current_app.response_class(image.data, mimetype=image.content_type)
    response.set_etag(image.sha256)
    response.headers["Content-Disposition"] = "inline"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    # Like every signed-in page (portal.security_headers): a child's picture
    # must not stay on a shared family or school computer's disk, and access
    # can be taken away, which a cached copy would outlive.
    response.headers["Cache-Control"] = "no-store"
    return response.make_conditional(request)


def _json_error(status: int, message: str) -> tuple[Response, int]:
    db.session.rollback()
    return jsonify(error=message), status


@bp.errorhandler(PortalError)
def _portal_error(error: PortalError) -> tuple[Response, int]:
    return _json_error(error.status_code, error.message)


@bp.errorhandler(CSRFError)
def _csrf_error(error: CSRFError) -> tuple[Response, int]:
    return _json_error(
        400, "The page had expired. Reload it and add the picture again."
    )


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(error: RequestEntityTooLarge) -> tuple[Response, int]:
    limit = current_app.config["MAX_IMAGE_BYTES"]
    return _json_error(
        413, f"That picture is too big. The limit is {limit / 1e6:g} MB."
    )


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException) -> tuple[Response, int]:
    return _json_error(error.code or 500, error.description or "")
