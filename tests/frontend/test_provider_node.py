"""Run the Node tests of the Socket.IO provider and the yclient CLI.

They drive src/socketio-provider.js and test-client/yclient.mjs over real
sockets against frontend/test/mock-server.mjs (a small in-memory /collab
server), so they check the client side of docs/realtime-protocol.md without
the Flask app.
"""

from __future__ import annotations

import subprocess

from tests.frontend.conftest import FRONTEND


def test_provider_and_yclient_node_suite(node: str) -> None:
    result = subprocess.run(  # noqa: S603 - fixed arguments
        [node, "--test", "test/provider.test.mjs"],
        cwd=FRONTEND,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
