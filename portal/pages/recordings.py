"""Voice recordings in documents: the child's page records them, editors
and pages play them.

As for pictures (portal.pages.images), the upload answers JSON only, errors
included, and checks CSRF from the X-CSRFToken header after raising the
request size limit. Recordings are served with the same strict headers, and
answer Range requests, which media elements use to seek and to learn the
length.
"""

from __future__ import annotations

from flask import Blueprint, current_app, g, jsonify, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge
from werkzeug.wrappers import Response

from auth import access, policy
from auth.sessions import current_person, login_required, signed_in_person
from portal.errors import NotAllowed, PortalError, RecordingRefused, RecordingTooLarge
from portal.extensions import csrf, db
from portal.services import recordings

bp = Blueprint("recordings", __name__, url_prefix="/documents")

# Room for the multipart boundaries, headers and the transcript around the file.
FORM_OVERHEAD = 64 * 1024


@bp.post("/<int:doc_id>/recordings")
def upload(doc_id: int) -> tuple[Response, int]:
    """Add a recording to a document the person may edit: multipart `audio`
    (the file) and `transcript` (what was said)."""
    person = current_person()
    if person is None:
        return jsonify(error="Sign in again to add a recording."), 401
    limit = current_app.config["MAX_RECORDING_BYTES"]
    sent = request.content_length
    if sent is not None and sent > limit + FORM_OVERHEAD:
        raise RecordingTooLarge(recordings.too_large_message(sent, limit))
    # Raised before anything reads the form, CSRF token included.
    request.max_content_length = limit + FORM_OVERHEAD
    if not g.get("via_token"):
        csrf.protect()  # the editor sends X-CSRFToken
    doc, _, level = access.require_document(db.session, person, doc_id)
    if not policy.can_add_attachment(level):
        raise NotAllowed(f"You can {level.label} this document but not add recordings.")
    file = request.files.get("audio")
    if file is None:
        raise RecordingRefused(recordings.EMPTY_RECORDING)
    recording = recordings.add_recording(
        db.session,
        doc,
        person,
        file.read(),
        request.form.get("transcript"),
        max_bytes=limit,
    )
    db.session.commit()
    src = request.script_root + recordings.recording_path(doc.id, recording.id)
    return jsonify(src=src, transcript=recording.transcript), 201


@bp.get("/<int:doc_id>/recordings/<int:recording_id>")
@login_required
def play(doc_id: int, recording_id: int) -> Response:
    """The recording's bytes, for someone who may hear it; 404 for anyone else."""
    recording = access.require_recording(
        db.session, signed_in_person(), doc_id, recording_id
    )
    response = current_app.response_class(
        recording.data, mimetype=recording.content_type
    )
    response.set_etag(recording.sha256)
    response.headers["Content-Disposition"] = "inline"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    # A child's voice must not stay on a shared computer's disk (as pictures).
    response.headers["Cache-Control"] = "no-store"
    return response.make_conditional(
        request, accept_ranges=True, complete_length=recording.byte_size
    )


def _json_error(status: int, message: str) -> tuple[Response, int]:
    db.session.rollback()
    return jsonify(error=message), status


@bp.errorhandler(PortalError)
def _portal_error(error: PortalError) -> tuple[Response, int]:
    return _json_error(error.status_code, error.message)


@bp.errorhandler(CSRFError)
def _csrf_error(error: CSRFError) -> tuple[Response, int]:
    return _json_error(
        400, "The page had expired. Reload it and save the recording again."
    )


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(error: RequestEntityTooLarge) -> tuple[Response, int]:
    limit = current_app.config["MAX_RECORDING_BYTES"]
    return _json_error(
        413, f"That recording is too big. The limit is {limit / 1e6:g} MB."
    )


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException) -> tuple[Response, int]:
    return _json_error(error.code or 500, error.description or "")
