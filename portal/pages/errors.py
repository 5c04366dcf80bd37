"""Error pages: JSON for API clients, GOV.UK pages for people."""

from __future__ import annotations

import math

from flask import Flask, jsonify, render_template, request
from flask_limiter import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from portal import rate_limits
from portal.errors import PortalError
from portal.extensions import db

TITLES = {
    400: "There is a problem with your request",
    403: "You cannot do that",
    404: "Page not found",
    410: "This link cannot be used",
    413: "That is too large",
    429: "Too many requests",
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

    @app.errorhandler(RateLimitExceeded)
    def rate_limited(
        error: RateLimitExceeded,
    ) -> tuple[Response | str, int, dict[str, str]]:
        wait = rate_limits.retry_after_seconds()
        when = f"{wait} seconds" if wait < 120 else f"{math.ceil(wait / 60)} minutes"
        message = (
            f"Too many requests: you have done this too often in a short time. "
            f"Wait {when}, then try again."
        )
        return (*_respond(429, message), {"Retry-After": str(wait)})

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
