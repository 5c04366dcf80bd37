"""Structured logs: one JSON object a line, with who and what it was about.

Every record carries the request id (from a trusted proxy's X-Request-Id or
made here, and echoed back in the response), the signed-in person's id and,
on the real-time path, the document (room) id, so one person's trouble can
be followed across processes. Ids only: a log line never holds a name, an
email or a document's text, and our messages are written that way.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, TextIO

from flask import Flask, Response, g, has_request_context, request

# Ids of the real-time event being handled (set by `realtime.server`).
room_context: ContextVar[tuple[int | None, int | None]] = ContextVar(
    "room_context", default=(None, None)
)
REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_HANDLER_MARK = "_ehcp_structured"


class ContextFilter(logging.Filter):
    """Adds request_id, person_id and room to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        request_id = person_id = None
        if has_request_context():
            request_id = g.get("request_id")
            person = g.get("person")
            person_id = getattr(person, "id", None)
        event_person, event_room = room_context.get()
        record.request_id = request_id
        record.person_id = person_id if person_id is not None else event_person
        record.room = event_room
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per record."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in ("request_id", "person_id", "room"):
            value = getattr(record, key, None)
            if value is not None:
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure(
    log_format: str, level: int = logging.INFO, stream: TextIO | None = None
) -> None:
    """Send the root logger's records to stderr (or `stream`) in `log_format`
    (json, text), replacing an earlier call's handler."""
    root = logging.getLogger()
    for existing in [h for h in root.handlers if getattr(h, _HANDLER_MARK, False)]:
        root.removeHandler(existing)
    handler = logging.StreamHandler(stream or sys.stderr)
    setattr(handler, _HANDLER_MARK, True)
    handler.addFilter(ContextFilter())
    handler.setFormatter(
        JsonFormatter()
        if log_format == "json"
        else logging.Formatter(
            "%(asctime)s %(levelname)s %(name)s [req=%(request_id)s "
            "person=%(person_id)s room=%(room)s] %(message)s"
        )
    )
    root.addHandler(handler)
    root.setLevel(level)


def init_app(app: Flask) -> None:
    """Give every request an id, echoed in X-Request-Id."""

    # Only a proxy we trust may name the request; anyone else's id is replaced.
    trusted = app.config["SETTINGS"].trusted_proxies > 0

    @app.before_request
    def _request_id() -> None:
        given = request.headers.get("X-Request-Id", "") if trusted else ""
        g.request_id = given if REQUEST_ID.match(given) else uuid.uuid4().hex

    @app.after_request
    def _echo(response: Response) -> Response:
        request_id = g.get("request_id")
        if request_id:
            response.headers["X-Request-Id"] = request_id
        return response
