"""Serve the portal with its Socket.IO endpoint: `python -m portal.serve`.

For local use (`make run`). In production run it under gunicorn with one
worker and several threads per process (Flask-SocketIO's threading mode):
`gunicorn -w 1 --threads 100 'portal:create_app()'`, several processes behind
a proxy with sticky sessions, and REDIS_URL set; call `settle_heap()` once
the app is built there too (gunicorn's `post_worker_init` hook).
"""

from __future__ import annotations

import gc
import os

from portal import create_app
from portal.extensions import socketio


def settle_heap() -> None:
    """Leave what start-up built out of every later garbage collection.

    The modules, the app and its compiled queries are some 180,000 objects
    that live as long as the process; a full collection walks them all while
    every room waits (bench/realtime.py: 78 ms pauses under load, 18 ms
    with them frozen).
    """
    gc.collect()
    gc.freeze()


def main() -> None:
    """Run the development server on 127.0.0.1:5000 (or HOST/PORT)."""
    app = create_app()
    settle_heap()
    host = os.environ.get("HOST", "127.0.0.1")
    port = int(os.environ.get("PORT", "5000"))
    socketio.run(app, host=host, port=port, allow_unsafe_werkzeug=True)


if __name__ == "__main__":
    main()
