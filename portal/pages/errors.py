"""Error pages: JSON for API clients, GOV.UK pages for people."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from portal.errors import PortalError
from portal.extensions import db

TITLES = {
    400: "There is a problem with your request",
    403: "You cannot do that",
    404: "Page not found",
    410: "This link cannot be used",
    413: "That is too large",
    500: "Sorry, there is a problem with the service",
    503: "Sorry, the service is busy",
}


def _wants_json() -> bool:
    return (
        request.path.startswith("/api/")
        or request.accept_mimetypes.best == "application/json"
    )


def _respond(status: int, message: str) -> tuple[Response | str, int]:
    if _wants_json():
        return jsonify(error=message), status
    title = TITLES.get(status, "Something went wrong")
    return render_template("errors/error.html", title=title, message=message), status


def init_app(app: Flask) -> None:
    """Register the handlers once for the whole app."""

    @app.errorhandler(PortalError)
    def portal_error(error: PortalError) -> tuple[Response | str, int]:
        db.session.rollback()
        return _respond(error.status_code, error.message)

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> tuple[Response | str, int]:
        return _respond(
            400,
            "Your form had expired or came from another site. Go back, reload the page "
            "and try again.",
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[Response | str, int]:
        status = error.code or 500
        messages = {
            404: "If you typed the web address, check it is correct.",
            405: "That action is not available here.",
            413: "The file or text you sent is too large.",
        }
        return _respond(status, messages.get(status, error.description or ""))

    @app.errorhandler(500)
    def server_error(error: Exception) -> tuple[Response | str, int]:
        db.session.rollback()
        return _respond(500, "Try again later. Nothing you saved has been lost.")
