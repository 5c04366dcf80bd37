"""Run the portal's Socket.IO server for the realtime tests and benchmark.

    python tests/realtime/serve_collab.py PORT DATABASE_URI

It serves as `python -m portal.serve` does: patched for gevent, on gevent's
WSGI server.

Settings come from the environment (REDIS_URL, MAX_UPDATE_BYTES,
UPDATES_PER_SECOND, COMPACTION_THRESHOLD, SESSION_IDLE_MINUTES,
COLLAB_CHECK_SECONDS, PUBLIC_URL, MAX_DOCUMENT_BYTES, COLLAB_SERVE=threads). Adds test-only routes: `/_test/access-changed` sends
`access_changed` as a page would after its commit, `/_test/room` reports
this process's in-memory copy of a room (to check cross-process convergence
without a client sync), `/_test/check-credentials` runs the hub's periodic
check of sign-ins and tokens now, and `/_test/garbage` reports what the
cycle collector had to free. With GC_PAUSES_FILE set, every garbage
collection's pause is appended to it.
"""

import os

# First, as `python -m portal.serve` does: sockets, threads and locks
# cooperate. COLLAB_SERVE=threads serves on OS threads instead (werkzeug),
# as the app runs in-process, so a race can be run both ways.
THREADS = os.environ.get("COLLAB_SERVE") == "threads"
if not THREADS:
    from gevent import monkey

    monkey.patch_all()

import gc  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections import Counter  # noqa: E402

from flask import jsonify, request  # noqa: E402

from portal.app import create_app  # noqa: E402
from portal.config import Settings  # noqa: E402
from portal.serve import serve, settle_heap  # noqa: E402
from portal.signals import access_changed  # noqa: E402
from realtime import server  # noqa: E402
from tests.quiet_limits import HIGH_RATE_LIMITS  # noqa: E402

SECRET = "test-secret"
PASSED = (
    "REDIS_URL",
    "REDIS_CHANNEL",
    "MAX_UPDATE_BYTES",
    "UPDATES_PER_SECOND",
    "COMPACTION_THRESHOLD",
    "SESSION_IDLE_MINUTES",
    "COLLAB_CHECK_SECONDS",
    "PUBLIC_URL",
    "MAX_DOCUMENT_BYTES",
)


def build(uri: str):  # type: ignore[no-untyped-def]
    env = {k: os.environ[k] for k in PASSED if os.environ.get(k)}
    settings = Settings.from_env({"SECRET_KEY": SECRET, **HIGH_RATE_LIMITS, **env})
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
        return jsonify(
            open=True,
            text=room.text(),
            members=len(room.members()),
            seen_seq=room.seen_seq,
            rooms=len(hub.rooms),
        )

    @app.get("/_test/check-credentials")
    def _check_credentials():  # type: ignore[no-untyped-def]
        server.hub_of(app).checker.check()
        return "ok"

    @app.get("/_test/garbage")
    def _garbage():  # type: ignore[no-untyped-def]
        # ?start: from now on keep what the cycle collector frees; without it:
        # report what was kept since, by type, and stop keeping it.
        gc.collect()
        if "start" in request.args:
            gc.garbage.clear()
            gc.set_debug(gc.DEBUG_SAVEALL)
            return jsonify(started=True)
        kinds = Counter(type(o).__qualname__ for o in gc.garbage)
        gc.set_debug(0)
        gc.garbage.clear()
        return jsonify(total=sum(kinds.values()), kinds=kinds.most_common(10))

    return app


def record_gc_pauses(path: str) -> None:
    """Append "generation milliseconds" for every collection to `path` (bench)."""
    started: list[float] = [0.0]

    def on_gc(phase: str, info: dict[str, int]) -> None:
        now = time.perf_counter()
        if phase == "start":
            started[0] = now
            return
        with open(path, "a") as out:
            out.write(f"{info['generation']} {1000 * (now - started[0]):.2f}\n")

    gc.callbacks.append(on_gc)


if __name__ == "__main__":
    port, uri = int(sys.argv[1]), sys.argv[2]
    if os.environ.get("GC_PAUSES_FILE"):
        record_gc_pauses(os.environ["GC_PAUSES_FILE"])
    application = build(uri)
    settle_heap()  # as portal.serve does
    if THREADS:
        from portal.extensions import socketio

        socketio.run(application, "127.0.0.1", port, allow_unsafe_werkzeug=True)
    else:
        serve(application, "127.0.0.1", port)
