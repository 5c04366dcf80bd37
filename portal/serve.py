"""Serve the portal with its Socket.IO endpoint: `python -m portal.serve`.

For local use (`make run`). In production run it under gunicorn with one
worker and several threads per process (Flask-SocketIO's threading mode):
`gunicorn -w 1 --threads 100 'portal:create_app()'`, several processes behind
a proxy with sticky sessions, and REDIS_URL set.
"""

from __future__ import annotations

import os

from portal import create_app
from portal.extensions import socketio


def main() -> None:
    """Run the development server on 127.0.0.1:5000 (or HOST/PORT)."""
    app = create_app()
    host = os.environ.get("HOST", "127.0.0.1")
    port = int(os.environ.get("PORT", "5000"))
    socketio.run(app, host=host, port=port, allow_unsafe_werkzeug=True)


if __name__ == "__main__":
    main()
