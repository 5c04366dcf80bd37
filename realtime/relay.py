"""Cross-process convergence: a Redis doorbell, with the database as the channel.

With several portal processes, Flask-SocketIO's Redis `message_queue` already
delivers every emit (relayed updates, awareness) to clients on every process.
What it does not do is update the *in-memory* rooms of the other processes.

The choice here: processes do not ship update bytes to each other. After a
process commits an update it publishes a small JSON note on one Redis pub/sub
channel, `{"kind": "update", "doc": ID, "seq": N}`. Every other process that
holds that room reads the log tail (`seq > room.seen_seq`) from the database
and applies it. Because the tail read takes every row it has not seen, a lost
note (Redis pub/sub is at-most-once) is repaired by the next note, and by the
catch-up the server runs whenever a client sends sync step 1. Yjs updates are
idempotent, so applying a row twice is harmless. PostgreSQL stays the single
durable log; Redis carries only doorbells.

Access changes ride the same channel (`{"kind": "access", "case": ID,
"doc": ID | null}`) so a member removed through one process is dropped from
rooms held by every process, and so do sign-outs (`{"kind": "sign_out",
"sign_in": ID}`) so a browser's connections close wherever they are. Both are
also caught by the hub's periodic check should a note be lost.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

import redis

log = logging.getLogger(__name__)
CHANNEL = "collab:doorbell"  # after the deployment's REDIS_CHANNEL prefix


class Doorbell:
    """Publishes and listens for room notes on one Redis channel."""

    def __init__(
        self,
        url: str,
        on_update: Callable[[int, int], None],
        on_access: Callable[[int, int | None], None],
        on_sign_out: Callable[[int], None],
        prefix: str = "ehcp",
    ) -> None:
        self.url = url
        self.channel = f"{prefix}:{CHANNEL}"
        self.origin = uuid.uuid4().hex
        self.on_update = on_update
        self.on_access = on_access
        self.on_sign_out = on_sign_out
        self._redis = redis.Redis.from_url(url)
        self._started = False
        self._lock = threading.Lock()

    def start(self) -> None:
        """Start listening (once); called when this process opens its first room."""
        with self._lock:
            if self._started:
                return
            self._started = True
        ready = threading.Event()
        thread = threading.Thread(
            target=self._listen, args=(ready,), name="collab-doorbell", daemon=True
        )
        thread.start()
        # Subscribe before the first write so no note for an open room is missed.
        ready.wait(timeout=5)

    def ring_update(self, doc_id: int, seq: int) -> None:
        """Tell other processes that a document's log has grown to `seq`."""
        self._publish({"kind": "update", "doc": doc_id, "seq": seq})

    def ring_access(self, case_id: int, doc_id: int | None) -> None:
        """Tell other processes to recompute access on a case's rooms."""
        self._publish({"kind": "access", "case": case_id, "doc": doc_id})

    def ring_sign_out(self, sign_in_id: int) -> None:
        """Tell other processes to close connections of an ended sign-in."""
        self._publish({"kind": "sign_out", "sign_in": sign_in_id})

    def _publish(self, note: dict[str, Any]) -> None:
        note["origin"] = self.origin
        try:
            self._redis.publish(self.channel, json.dumps(note))
        except redis.RedisError:
            # At-most-once by design: the sync step 1 catch-up repairs a lost note.
            log.warning(
                "could not publish %s note to Redis", note["kind"], exc_info=True
            )

    def _listen(self, ready: threading.Event) -> None:
        while True:
            try:
                pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
                pubsub.subscribe(self.channel)
                ready.set()
                for message in pubsub.listen():  # type: ignore[no-untyped-call]
                    if message.get("type") == "message":
                        self._dispatch(message["data"])
            except redis.RedisError:
                log.warning(
                    "Redis doorbell lost its connection; retrying", exc_info=True
                )
                time.sleep(1)

    def _dispatch(self, raw: bytes) -> None:
        try:
            note = json.loads(raw)
            if note.get("origin") == self.origin:
                return
            if note["kind"] == "update":
                self.on_update(int(note["doc"]), int(note["seq"]))
            elif note["kind"] == "access":
                doc = note.get("doc")
                self.on_access(int(note["case"]), int(doc) if doc is not None else None)
            elif note["kind"] == "sign_out":
                self.on_sign_out(int(note["sign_in"]))
        except Exception:  # one bad note must not stop the listener
            log.exception("could not handle doorbell note %r", raw[:200])
