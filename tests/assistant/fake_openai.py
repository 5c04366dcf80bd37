"""A small local server that speaks the chat-completions API, for the openai backend.

Each test queues what the next answers should be (`answers`), then reads what
the SDK sent (`requests`). The SDK's own HTTP path runs end to end.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Answer = Callable[[dict[str, Any]], tuple[int, dict[str, Any]]]


def completion(content: str) -> dict[str, Any]:
    """A chat-completions response body whose message says `content`."""
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": "fake-model",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }


class FakeOpenAI:
    """Runs on 127.0.0.1 on an unused port in a daemon thread."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.answers: list[Answer] = []
        self.delay = 0.0
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                fake.requests.append({"path": self.path, "body": body})
                if fake.delay:
                    time.sleep(fake.delay)
                answer = fake.answers.pop(0) if fake.answers else None
                status, payload = answer(body) if answer else (200, completion("{}"))
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout tests)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(
            target=self.server.serve_forever,
            kwargs={"poll_interval": 0.05},
            daemon=True,
        )

    @property
    def base_url(self) -> str:
        """The /v1 URL to give the SDK."""
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def reply(self, content: str) -> None:
        """Queue a 200 answer whose message content is `content`."""
        self.answers.append(lambda _body: (200, completion(content)))

    def fail(self, status: int) -> None:
        """Queue an error answer."""
        self.answers.append(lambda _body: (status, {"error": {"message": "boom"}}))

    def sent_text(self) -> str:
        """Everything the SDK sent, as one string."""
        return json.dumps([r["body"] for r in self.requests])

    def __enter__(self) -> FakeOpenAI:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
