"""The `/collab` Socket.IO namespace and `init_app`, the one entry point.

`init_app(app)` must run after `socketio.init_app(app)` (as `create_app` does):
it registers `CollabNamespace` on the server Flask-SocketIO just built, keeps
this app's `Hub` in `app.extensions["collab"]` and connects the hub to
`portal.signals.access_changed`.

The namespace is a thin adapter, like a view: it takes the sid and payload,
calls the hub and turns domain errors into an `{"ok": false, "error"}`
acknowledgement plus an `error` event. One bad message never reaches past
this layer, so it cannot take a room or the server down.
"""

from __future__ import annotations

import contextlib
import logging
import socket
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, request
from flask_socketio import Namespace

from portal import signals
from portal.extensions import db, socketio
from realtime.hub import NAMESPACE, Hub
from realtime.protocol import BadMessage
from realtime.store import Refused, StoreUnavailable

log = logging.getLogger(__name__)
EXPECTED = (BadMessage, Refused, StoreUnavailable)


def init_app(app: Flask) -> None:
    """Serve `/collab` for this app and follow access changes."""
    if app.extensions.get("socketio") is not socketio or socketio.server is None:
        raise RuntimeError(
            "realtime.server.init_app(app) needs Flask-SocketIO bound first: "
            "call socketio.init_app(app, ...) before it in create_app."
        )
    if "collab" in app.extensions:
        return
    hub = Hub(app, app.config["SETTINGS"])
    app.extensions["collab"] = hub
    socketio.on_namespace(CollabNamespace(NAMESPACE))
    signals.access_changed.connect(_on_access_changed, sender=app, weak=False)


def hub_of(app: Flask) -> Hub:
    """The app's hub (tests and the benchmark inspect it)."""
    hub: Hub = app.extensions["collab"]
    return hub


def _on_access_changed(sender: Flask, **kwargs: Any) -> None:
    doc_id = kwargs.get("document_id")
    hub_of(sender).access_changed(
        int(kwargs["case_id"]), int(doc_id) if doc_id else None
    )


class CollabNamespace(Namespace):
    """Socket.IO events of `/collab`; see docs/realtime-protocol.md."""

    def on_connect(self, auth: Any = None) -> None:
        hub = _hub()
        try:
            person_id = hub.authenticate(auth)
        finally:
            db.session.remove()
        hub.connect(_sid(), person_id)
        _no_delay(request.environ)

    def on_disconnect(self, reason: Any = None) -> None:
        _hub().disconnect(_sid())

    def on_join(self, data: Any = None) -> dict[str, Any]:
        return _guard(_hub().join, data)

    def on_leave(self, data: Any = None) -> dict[str, Any]:
        return _guard(_hub().leave, data)

    def on_sync(self, data: Any = None) -> dict[str, Any]:
        return _guard(_hub().sync, data)

    def on_awareness(self, data: Any = None) -> dict[str, Any]:
        return _guard(_hub().awareness, data)


def _hub() -> Hub:
    return hub_of(current_app)


def _sid() -> str:
    sid: str = request.sid  # type: ignore[attr-defined]
    return sid


def _no_delay(environ: dict[str, Any]) -> None:
    """Send small frames at once: with Nagle's algorithm on, each waits for the
    peer's delayed ACK (about 40 ms on Linux), which measured 23 ms p50 acks
    instead of 8. Best effort: it reaches the socket only when the connection
    started as a websocket (the werkzeug and gunicorn servers expose it)."""
    for key in ("werkzeug.socket", "gunicorn.socket"):
        sock = environ.get(key)
        if isinstance(sock, socket.socket):
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def _guard(handler: Callable[[str, Any], dict[str, Any]], data: Any) -> dict[str, Any]:
    """Run a handler; turn any failure into an error ack and `error` event."""
    sid = _sid()
    try:
        return handler(sid, data)
    except EXPECTED as exc:
        message = str(exc)
    except Exception:
        log.exception("error handling a /collab event from %s", sid)
        message = "The server could not handle that message."
    finally:
        db.session.remove()
    doc = data.get("doc") if isinstance(data, dict) else None
    _hub().report(sid, doc if isinstance(doc, int) else None, message)
    return {"ok": False, "error": message}
