"""The `/collab` Socket.IO namespace and `init_app`, the one entry point.

`init_app(app)` must run after `socketio.init_app(app)` (as `create_app` does):
it registers the `/collab` handlers on the server Flask-SocketIO just built, keeps
this app's `Hub` in `app.extensions["collab"]` and connects the hub to
`portal.signals.access_changed`.

The handlers are a thin adapter, like views: each takes the sid and payload,
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

from auth.policy import may_open_socket
from portal import signals
from portal.config import Settings
from portal.doclog.appending import NotStored, Refused
from portal.extensions import db, socketio
from portal.logs import room_context
from realtime.hub import NAMESPACE, Hub
from realtime.protocol import BadMessage

log = logging.getLogger(__name__)
EXPECTED = (BadMessage, Refused, NotStored)
Handler = Callable[[str, Any], dict[str, Any]]


def init_app(app: Flask) -> None:
    """Serve `/collab` for this app and follow access changes."""
    bound = app.extensions.get("socketio") is socketio
    if not bound or socketio.server is None:
        raise RuntimeError(
            "realtime.server.init_app(app) needs Flask-SocketIO bound first: "
            "call socketio.init_app(app, ...) before it in create_app."
        )
    if "collab" in app.extensions:
        return
    hub = Hub(app, app.config["SETTINGS"])
    app.extensions["collab"] = hub
    socketio.on_event("connect", _on_connect, namespace=NAMESPACE)
    socketio.on_event("disconnect", _on_disconnect, namespace=NAMESPACE)
    server = socketio.server
    for event, handler in (
        ("join", hub.join),
        ("leave", hub.leave),
        ("sync", hub.sync),
        ("awareness", hub.awareness),
    ):
        server.on(event, _event(hub, handler), namespace=NAMESPACE)
    signals.access_changed.connect(_on_access_changed, sender=app, weak=False)
    signals.signed_out.connect(_on_signed_out, sender=app, weak=False)


def origin_check(settings: Settings) -> Callable[[str | None, dict[str, Any]], bool]:
    """Engine.IO's `cors_allowed_origins`: which browser pages may connect.

    Called with the request's Origin header and WSGI environ before any
    handler runs, so a refused page never reaches `connect`. The request's
    own origin honours X-Forwarded-Proto/Host only behind TRUSTED_PROXIES,
    as `ProxyFix` does for pages (this runs outside it).
    """

    def allowed(origin: str | None, environ: dict[str, Any]) -> bool:
        return may_open_socket(
            origin, _own_origin(environ, settings.trusted_proxies), settings.public_url
        )

    return allowed


def _own_origin(environ: dict[str, Any], proxies: int) -> str:
    scheme = str(environ.get("wsgi.url_scheme", "http"))
    host = str(environ.get("HTTP_HOST", ""))
    if proxies:
        scheme = _forwarded(environ.get("HTTP_X_FORWARDED_PROTO"), proxies) or scheme
        host = _forwarded(environ.get("HTTP_X_FORWARDED_HOST"), proxies) or host
    return f"{scheme}://{host}"


def _forwarded(value: str | None, proxies: int) -> str | None:
    """The value our nearest trusted proxy saw (ProxyFix's `_get_real_value`)."""
    values = [v.strip() for v in (value or "").split(",") if v.strip()]
    return values[-proxies] if len(values) >= proxies else None


def hub_of(app: Flask) -> Hub:
    """The app's hub (tests and the benchmark inspect it)."""
    hub: Hub = app.extensions["collab"]
    return hub


def _on_access_changed(sender: Flask, **kwargs: Any) -> None:
    doc_id = kwargs.get("document_id")
    hub_of(sender).access_changed(
        int(kwargs["case_id"]), int(doc_id) if doc_id else None
    )


def _on_signed_out(sender: Flask, **kwargs: Any) -> None:
    hub_of(sender).sign_in_ended(int(kwargs["sign_in_id"]))


def _on_connect(auth: Any = None) -> None:
    # Through Flask-SocketIO: the request context carries the session cookie.
    hub = hub_of(current_app)
    try:
        credential = hub.authenticate(auth)
    finally:
        db.session.remove()
    hub.connect(request.sid, credential)  # type: ignore[attr-defined]
    _no_delay(request.environ)


def _on_disconnect(reason: Any = None) -> None:
    hub_of(current_app).disconnect(request.sid)  # type: ignore[attr-defined]


def _event(hub: Hub, handler: Handler) -> Callable[..., dict[str, Any]]:
    """A python-socketio handler for a hot event, with only an app context.

    Flask-SocketIO would build a Flask request context for every message,
    which routes the `/socket.io/` URL, fails to match it and keeps the
    NotFound with its traceback: cyclic garbage on every keystroke whose
    collection paused the whole process for about 100 ms every few seconds
    under load (bench/realtime.py). These events need the sid and the
    database, not the request.
    """

    def on_event(sid: str, data: Any = None) -> dict[str, Any]:
        with hub.app.app_context():
            return _guard(hub, handler, sid, data)

    return on_event


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


def _guard(hub: Hub, handler: Handler, sid: str, data: Any) -> dict[str, Any]:
    """Run a handler; turn any failure into an error ack and `error` event."""
    doc = data.get("doc") if isinstance(data, dict) else None
    conn = hub.connections.get(sid)
    token = room_context.set(
        (
            conn.person_id if conn is not None else None,
            doc if isinstance(doc, int) else None,
        )
    )
    try:
        return handler(sid, data)
    except EXPECTED as exc:
        message = str(exc)
        hub.metrics.refused(_reason(exc))
    except Exception:
        log.exception("error handling a /collab event from %s", sid)
        message = "The server could not handle that message."
        hub.metrics.refused("error")
    finally:
        db.session.remove()
        room_context.reset(token)
    hub.report(sid, doc if isinstance(doc, int) else None, message)
    return {"ok": False, "error": message}


def _reason(exc: Exception) -> str:
    if isinstance(exc, Refused):
        return exc.reason
    return "not_saved" if isinstance(exc, NotStored) else "bad_message"
