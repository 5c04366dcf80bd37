"""Serve the portal with its Socket.IO endpoint: `python -m portal.serve`.

Serving runs on gevent: one OS thread, a greenlet per connection, and the
standard library patched so sockets, locks, sleeps and psycopg's waits
cooperate. Flask-SocketIO's threading mode needs three threads per
connection (reader, handler, writer), and with hundreds of editors every
keystroke waited for the GIL at each hand-off: bench/realtime.py, 200
editors on 2 cores against PostgreSQL, measured side by side in one
session: server CPU 55-62% of a core with threads, 30-40% on gevent. With
the load generator's own GC pauses out of the figures (they were most of
the tail), seven 60 s runs on gevent gave p50 8.9-10.6 ms and p99 19.9-43.8
ms. Two things keep a keystroke from queuing behind every connection:
nothing on its path yields without need (`realtime.workers`), and psycopg
waits on the loop only when its socket is not ready
(`portal.psycopg_gevent`).

In production run each process as `gunicorn -k gevent -w 1
'portal:create_app()'` (gunicorn's gevent worker patches first), several
processes behind a proxy with sticky sessions and REDIS_URL set; call
`settle_heap()` once the app is built there too (`post_worker_init`).

The patch must run before anything else is imported, so it is the first
statement when this module runs as a script. Importing it (tests, the
benchmark's server) patches nothing.
"""

if __name__ == "__main__":  # pragma: no cover - exercised by `make run`
    from gevent import monkey

    monkey.patch_all()

import gc  # noqa: E402
import socket  # noqa: E402
import sys  # noqa: E402

from flask import Flask  # noqa: E402


def patched_for_gevent() -> bool:
    """Whether this process runs on gevent: its sockets and waits patched (by
    `python -m portal.serve` or gunicorn's gevent worker) before the app is
    built. It decides Flask-SocketIO's async mode and how psycopg waits."""
    monkey = sys.modules.get("gevent.monkey")
    return monkey is not None and all(
        monkey.is_module_patched(name) for name in ("socket", "select")
    )


def settle_heap() -> None:
    """Leave what start-up built out of every later garbage collection.

    The modules, the app and its compiled queries are some 180,000 objects
    that live as long as the process; a full collection walks them all while
    every room waits (bench/realtime.py: 78 ms pauses under load, 18 ms
    with them frozen).
    """
    gc.collect()
    gc.freeze()


def serve(app: Flask, host: str, port: int) -> None:
    """Serve `app` (HTTP and Socket.IO) on gevent's WSGI server until killed.

    The process must be patched already (see the module docstring)."""
    from gevent import pywsgi

    class NoDelayHandler(pywsgi.WSGIHandler):  # type: ignore[misc]
        """Small frames leave at once: with Nagle's algorithm each would wait
        for the peer's delayed ACK, about 40 ms on Linux."""

        def handle(self) -> None:
            self.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            super().handle()

    pywsgi.WSGIServer(
        (host, port), app, handler_class=NoDelayHandler, log=None
    ).serve_forever()


def main() -> None:
    """Run the portal on 127.0.0.1:5000 (or HOST/PORT)."""
    from portal import logs
    from portal.app import create_app
    from portal.config import Settings

    settings = Settings.from_env()
    logs.configure(settings.log_format)
    app = create_app({"SETTINGS": settings})
    settle_heap()
    print(f"Serving the portal on http://{settings.host}:{settings.port}", flush=True)
    serve(app, settings.host, settings.port)


if __name__ == "__main__":
    main()
