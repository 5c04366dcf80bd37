"""Run the portal's Socket.IO server for the realtime tests and benchmark.

    python tests/realtime/serve_collab.py PORT DATABASE_URI

Settings come from the environment (REDIS_URL, MAX_UPDATE_BYTES,
UPDATES_PER_SECOND, COMPACTION_THRESHOLD, SESSION_IDLE_MINUTES). Adds two
test-only routes: `/_test/access-changed` sends `access_changed` as a page
would after its commit, and `/_test/room` reports this process's in-memory
copy of a room (to check cross-process convergence without a client sync).
"""

from __future__ import annotations

import os
import socket
import sys

from flask import jsonify, request
from pycrdt import Text
from werkzeug.serving import WSGIRequestHandler

from portal.app import create_app
from portal.config import Settings
from portal.extensions import socketio
from portal.signals import access_changed
from realtime import server

SECRET = "test-secret"
PASSED = (
    "REDIS_URL",
    "MAX_UPDATE_BYTES",
    "UPDATES_PER_SECOND",
    "COMPACTION_THRESHOLD",
    "SESSION_IDLE_MINUTES",
)


def build(uri: str):  # type: ignore[no-untyped-def]
    env = {k: os.environ[k] for k in PASSED if os.environ.get(k)}
    settings = Settings.from_env({"SECRET_KEY": SECRET, **env})
    app = create_app(
        {"TESTING": True, "SQLALCHEMY_DATABASE_URI": uri, "SETTINGS": settings}
    )
    if "collab" not in app.extensions:
        server.init_app(app)

    @app.get("/_test/access-changed")
    def _access_changed():  # type: ignore[no-untyped-def]
        doc = request.args.get("document_id", type=int)
        access_changed.send(
            app, case_id=request.args.get("case_id", type=int), document_id=doc
        )
        return "ok"

    @app.get("/_test/room")
    def _room():  # type: ignore[no-untyped-def]
        hub = server.hub_of(app)
        room = hub.rooms.get(request.args.get("doc", type=int) or 0)
        if room is None:
            return jsonify(open=False, rooms=len(hub.rooms))
        with room.doc_lock:
            text = str(room.ydoc.get("content", type=Text))
        return jsonify(
            open=True,
            text=text,
            members=len(room.members),
            seen_seq=room.seen_seq,
            rooms=len(hub.rooms),
        )

    return app


class NoDelayHandler(WSGIRequestHandler):
    """Turn off Nagle's algorithm: small websocket frames otherwise wait for
    the peer's delayed ACK (about 40 ms on Linux) before they are sent."""

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


if __name__ == "__main__":
    port, uri = int(sys.argv[1]), sys.argv[2]
    application = build(uri)
    socketio.run(
        application,
        host="127.0.0.1",
        port=port,
        allow_unsafe_werkzeug=True,
        use_reloader=False,
        log_output=False,
        request_handler=NoDelayHandler,
    )
