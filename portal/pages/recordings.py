"""Voice recordings in documents: the child's page records them, editors
and pages play them (upload guard, headers and JSON errors:
portal.pages.attachments)."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request
from werkzeug.wrappers import Response

from auth import access
from auth.sessions import current_person, login_required, signed_in_person
from portal.errors import RecordingRefused, RecordingTooLarge
from portal.extensions import db
from portal.pages import attachments
from portal.services import recordings

bp = Blueprint("recordings", __name__, url_prefix="/documents")

attachments.answer_errors_as_json(
    bp,
    limit_setting="MAX_RECORDING_BYTES",
    thing="recording",
    again="save the recording again",
)


@bp.post("/<int:doc_id>/recordings")
def upload(doc_id: int) -> tuple[Response, int]:
    """Add a recording to a document the person may edit: multipart `audio`
    (the file) and `transcript` (what was said)."""
    person = current_person()
    if person is None:
        return jsonify(error="Sign in again to add a recording."), 401
    limit = current_app.config["MAX_RECORDING_BYTES"]
    doc = attachments.guard_upload(
        person,
        doc_id,
        limit,
        lambda sent: RecordingTooLarge(recordings.too_large_message(sent, limit)),
        "recordings",
    )
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
    return attachments.serve(recording.data, recording.content_type, recording.sha256)
