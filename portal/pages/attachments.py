"""What picture and recording routes share: the upload's guard, how the
bytes are served, and answering every error as JSON.

Uploads answer JSON only, errors included, because the editor's script reads
it; CSRF comes in the X-CSRFToken header after the request size limit is
raised. Attachments are served with their own strict headers: a child's
picture or voice is not for caches, other sites' frames or content sniffing.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, current_app, g, jsonify, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge
from werkzeug.wrappers import Response

from auth import access, policy
from portal.errors import NotAllowed, PortalError
from portal.extensions import csrf, db
from portal.models import Document, Person

# Room for the multipart boundaries, headers and the words around the file.
FORM_OVERHEAD = 64 * 1024


def guard_upload(
    person: Person,
    doc_id: int,
    limit: int,
    too_large: Callable[[int], PortalError],
    noun: str,
) -> Document:
    """Refuse an oversized request before anything reads it, check CSRF and
    that the person may add `noun` ("pictures") to the document."""
    sent = request.content_length
    if sent is not None and sent > limit + FORM_OVERHEAD:
        raise too_large(sent)
    # Raised before anything reads the form, CSRF token included.
    request.max_content_length = limit + FORM_OVERHEAD
    if not g.get("via_token"):
        csrf.protect()  # the editor sends X-CSRFToken
    doc, _, level = access.require_document(db.session, person, doc_id)
    if not policy.can_add_attachment(level):
        raise NotAllowed(f"You can {level.label} this document but not add {noun}.")
    return doc


def serve(data: bytes, content_type: str, sha256: str) -> Response:
    """The bytes with the attachment headers; answers conditional and Range
    requests (media elements use them to seek and to learn the length)."""
    response = current_app.response_class(data, mimetype=content_type)
    response.set_etag(sha256)
    response.headers["Content-Disposition"] = "inline"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    # Like every signed-in page (portal.security_headers): a child's picture
    # or voice must not stay on a shared family or school computer's disk,
    # and access can be taken away, which a cached copy would outlive.
    response.headers["Cache-Control"] = "no-store"
    return response.make_conditional(
        request, accept_ranges=True, complete_length=len(data)
    )


def answer_errors_as_json(
    bp: Blueprint, *, limit_setting: str, thing: str, again: str
) -> None:
    """Every error of the blueprint's routes as {"error": sentence}; `thing`
    names what is too big ("picture"), `again` what to do once reloaded."""

    def reply(status: int, message: str) -> tuple[Response, int]:
        db.session.rollback()
        return jsonify(error=message), status

    @bp.errorhandler(PortalError)
    def _portal_error(error: PortalError) -> tuple[Response, int]:
        return reply(error.status_code, error.message)

    @bp.errorhandler(CSRFError)
    def _csrf_error(error: CSRFError) -> tuple[Response, int]:
        return reply(400, f"The page had expired. Reload it and {again}.")

    @bp.errorhandler(RequestEntityTooLarge)
    def _too_large(error: RequestEntityTooLarge) -> tuple[Response, int]:
        limit = current_app.config[limit_setting]
        return reply(413, f"That {thing} is too big. The limit is {limit / 1e6:g} MB.")

    @bp.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> tuple[Response, int]:
        return reply(error.code or 500, error.description or "")
