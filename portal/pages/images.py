"""Pictures in documents: the editor uploads them, pages and editors show
them (upload guard, headers and JSON errors: portal.pages.attachments)."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request
from werkzeug.wrappers import Response

from auth import access
from auth.sessions import current_person, login_required, signed_in_person
from portal.errors import ImageRefused, ImageTooLarge
from portal.extensions import db
from portal.pages import attachments
from portal.services import images

bp = Blueprint("images", __name__, url_prefix="/documents")

attachments.answer_errors_as_json(
    bp, limit_setting="MAX_IMAGE_BYTES", thing="picture", again="add the picture again"
)


@bp.post("/<int:doc_id>/images")
def upload(doc_id: int) -> tuple[Response, int]:
    """Add a picture to a document the person may edit: multipart `image`
    (the file) and `alt` (what is in it)."""
    person = current_person()
    if person is None:
        return jsonify(error="Sign in again to add a picture."), 401
    limit = current_app.config["MAX_IMAGE_BYTES"]
    doc = attachments.guard_upload(
        person,
        doc_id,
        limit,
        lambda sent: ImageTooLarge(images.too_large_message(sent, limit)),
        "pictures",
    )
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
    return attachments.serve(image.data, image.content_type, image.sha256)
