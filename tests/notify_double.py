"""A test double for GOV.UK Notify: a small HTTP server on loopback that speaks
the part of its API the portal uses (POST /v2/notifications/email), checks the
JWT the real client signs with the API key, and keeps what it was sent."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
import pytest

SERVICE_ID = str(uuid.uuid4())
SECRET = str(uuid.uuid4())
API_KEY = f"portal_test-{SERVICE_ID}-{SECRET}"
TEMPLATE_ID = str(uuid.uuid4())


@dataclass
class FakeNotify:
    url: str
    emails: list[dict[str, Any]] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)


def _handler(state: FakeNotify) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _reply(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:  # noqa: N802 - http.server API
            length = int(self.headers.get("Content-Length", "0"))
            payload = json.loads(self.rfile.read(length) or b"{}")
            token = self.headers.get("Authorization", "").removeprefix("Bearer ")
            try:
                claims = jwt.decode(token, SECRET, algorithms=["HS256"])
                assert claims["iss"] == SERVICE_ID
            except Exception as error:  # noqa: BLE001 - any bad token is a 403
                state.refused.append(str(error))
                self._reply(
                    403,
                    {
                        "errors": [{"error": "AuthError", "message": "Invalid token"}],
                        "status_code": 403,
                    },
                )
                return
            if self.path != "/v2/notifications/email":
                self._reply(
                    404, {"errors": [{"error": "NotFound"}], "status_code": 404}
                )
                return
            if payload.get("template_id") != TEMPLATE_ID:
                self._reply(
                    400,
                    {
                        "errors": [
                            {
                                "error": "BadRequestError",
                                "message": "Template not found",
                            }
                        ],
                        "status_code": 400,
                    },
                )
                return
            state.emails.append(payload)
            note_id = str(uuid.uuid4())
            self._reply(
                201,
                {
                    "id": note_id,
                    "reference": None,
                    "content": {
                        "subject": payload["personalisation"]["subject"],
                        "body": payload["personalisation"]["body"],
                        "from_email": "ehcp@notifications.service.gov.uk",
                    },
                    "uri": f"{state.url}/v2/notifications/{note_id}",
                    "template": {"id": TEMPLATE_ID, "version": 1, "uri": ""},
                },
            )

    return Handler


@pytest.fixture
def fake_notify() -> Iterator[FakeNotify]:
    """The Notify test double on an unused loopback port."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(FakeNotify("")))
    state = FakeNotify(f"http://127.0.0.1:{server.server_port}")
    server.RequestHandlerClass = _handler(state)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    thread.join(timeout=5)
