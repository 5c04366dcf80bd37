"""Real servers (subprocesses on loopback) and real clients for the realtime tests.

`Editor` is a python-socketio AsyncClient with its own pycrdt Doc, speaking
the `/collab` protocol exactly as the browser provider does. The synchronous
`socketio.Client` loses binary events under bursts, so it is not used.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
import urllib.request
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import socketio
from pycrdt import (
    Doc,
    Text,
    YSyncMessageType,
    create_sync_message,
    create_update_message,
    handle_sync_message,
)
from sqlalchemy import func, select

from portal.doclog.reading import document_text
from portal.extensions import db
from portal.models import DocUpdate

ROOT = Path(__file__).resolve().parents[2]
SERVE = Path(__file__).with_name("serve_collab.py")
NS = "/collab"
TIMEOUT = 10.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """`serve_collab.py` in a subprocess: start, kill (even SIGKILL), restart."""

    def __init__(self, db_uri: str, log_dir: Path, **env: str) -> None:
        self.db_uri = db_uri
        self.env = {**os.environ, "PYTHONPATH": str(ROOT), **env}
        self.log_dir = log_dir
        self.proc: subprocess.Popen[bytes] | None = None
        self.port = 0
        self.starts = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Server:
        self.port = free_port()
        self.starts += 1
        log = open(self.log_dir / f"server-{self.port}.log", "wb")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [sys.executable, str(SERVE), str(self.port), self.db_uri],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: see {log.name}\n{self.log()}")
            try:
                with urllib.request.urlopen(self.url + "/_test/room?doc=0", timeout=1):
                    return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"server did not start: {self.log()}")

    def log(self) -> str:
        return "\n".join(
            p.read_text(errors="replace")[-4000:]
            for p in self.log_dir.glob("server-*.log")
        )

    def get(self, path: str) -> Any:
        import json

        with urllib.request.urlopen(self.url + path, timeout=5) as resp:
            body = resp.read()
        try:
            return json.loads(body)
        except ValueError:
            return body.decode()

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(timeout=10)

    def stop(self) -> None:
        self.kill(signal.SIGTERM)


@dataclass
class Editor:
    """A /collab client with its own Yjs document."""

    url: str
    token: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    doc_id: int = 0

    def __post_init__(self) -> None:
        self.sio = socketio.AsyncClient(reconnection=False)
        self.ydoc: Doc = Doc()
        self.text = self.ydoc.get("content", type=Text)
        self.errors: list[dict[str, Any]] = []
        self.access: list[dict[str, Any]] = []
        self.received: list[bytes] = []  # every sync/awareness frame from the server
        self.awareness: list[bytes] = []
        self.acks: list[Any] = []
        self.synced = asyncio.Event()
        self.refusals: list[Any] = []
        self.sio.on("connect_error", self.refusals.append, namespace=NS)
        self.sio.on("sync", self._on_sync, namespace=NS)
        self.sio.on("awareness", self._on_awareness, namespace=NS)
        self.sio.on("error", self._on_error, namespace=NS)
        self.sio.on("access", self._on_access, namespace=NS)

    async def connect(self) -> Editor:
        auth = {"token": self.token} if self.token else None
        await self.sio.connect(
            self.url,
            namespaces=[NS],
            auth=auth,
            headers=self.headers,
            transports=["websocket"],
            wait_timeout=TIMEOUT,
        )
        return self

    async def close(self) -> None:
        if self.sio.connected:
            await self.sio.disconnect()

    async def call(self, event: str, data: Any) -> Any:
        return await self.sio.call(event, data, namespace=NS, timeout=TIMEOUT)

    async def join(self, doc_id: int, sync: bool = True) -> Any:
        self.doc_id = doc_id
        ack = await self.call("join", {"doc": doc_id})
        # The limits the server announces are checked once, in test_editing.
        self.limits = ack.pop("limits", None) if isinstance(ack, dict) else None
        if sync and ack.get("ok"):
            self.synced.clear()
            await self.call(
                "sync", {"doc": doc_id, "data": create_sync_message(self.ydoc)}
            )
            await asyncio.wait_for(self.synced.wait(), TIMEOUT)
        return ack

    async def edit(self, change: Callable[[Text], None]) -> Any:
        """Make a local change and send it; returns the server's ack."""
        before = self.ydoc.get_state()
        change(self.text)
        update = self.ydoc.get_update(before)
        return await self.send_update(update)

    def edit_offline(self, change: Callable[[Text], None]) -> None:
        change(self.text)

    async def send_update(self, update: bytes, step2: bool = False) -> Any:
        frame = create_update_message(update)
        if step2:
            frame = bytes([0, YSyncMessageType.SYNC_STEP2]) + frame[2:]
        return await self.call("sync", {"doc": self.doc_id, "data": frame})

    async def _on_sync(self, data: dict[str, Any]) -> None:
        frame = bytes(data["data"])
        self.received.append(frame)
        reply = handle_sync_message(frame[1:], self.ydoc)
        if frame[1] == YSyncMessageType.SYNC_STEP2:
            self.synced.set()
        if reply is not None:  # the server's step 1: answer with what it lacks
            await self.sio.emit(
                "sync",
                {"doc": data["doc"], "data": reply},
                namespace=NS,
                callback=self.acks.append,
            )

    async def _on_awareness(self, data: dict[str, Any]) -> None:
        self.awareness.append(bytes(data["data"]))

    async def _on_error(self, data: dict[str, Any]) -> None:
        self.errors.append(data)

    async def _on_access(self, data: dict[str, Any]) -> None:
        self.access.append(data)

    def __str__(self) -> str:
        return str(self.text)


async def eventually(
    check: Callable[[], Any], timeout: float = TIMEOUT, what: str = "condition"
) -> None:
    """Poll until `check` holds, failing after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


def stored_text(doc_id: int) -> str:
    """A document's text as the database holds it (fresh session)."""
    db.session.remove()
    return document_text(db.session, doc_id)


def log_rows(doc_id: int) -> int:
    """How many update rows the database holds for a document (fresh session)."""
    db.session.remove()
    return (
        db.session.scalar(
            select(func.count())
            .select_from(DocUpdate)
            .where(DocUpdate.document_id == doc_id)
        )
        or 0
    )


def run_patched(script: str, *args: str, timeout: float = 60) -> dict[str, Any]:
    """Run a script in its own process patched for gevent, as `python -m
    portal.serve` is, and return the JSON object it prints last."""
    code = "from gevent import monkey\nmonkey.patch_all()\n" + textwrap.dedent(script)
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def run(coro: Awaitable[Any], timeout: float = 40) -> Any:
    """Run a scenario with an overall deadline so nothing hangs."""
    return asyncio.run(asyncio.wait_for(coro, timeout))  # type: ignore[arg-type]
