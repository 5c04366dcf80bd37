"""Rooms: one in-memory pycrdt document per open Document, and who is in it.

Shaped like pycrdt-websocket's `yroom.py`: a `Room` owns its `Doc`, its clients
(Socket.IO sids with their access) and the awareness clocks they announced;
`Rooms` creates rooms on demand and drops them when the last client leaves,
as `websocket_server.py` does with `get_room`/`delete_room`.

Threads: handlers for one room run concurrently (greenlets when served on
gevent, threads in-process) and may switch at any blocking call. A pycrdt
transaction gives no isolation between threads, so every access to
`Room.ydoc` holds `Room.doc_lock`, held only briefly.
`Room.write_lock` makes sure a room is loaded from the database once.
Client updates are stored by the hub's single committer thread
(`realtime.committer`), which applies them to rooms after each commit.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from pycrdt import Doc

from auth.policy import Access
from realtime.limits import TokenBucket


@dataclass(frozen=True)
class Credential:
    """Who a connection is and what let it in: a browser sign-in or a token."""

    person_id: int
    sign_in_id: int | None = None
    token_id: int | None = None


@dataclass
class Connection:
    """One Socket.IO connection: who it is, its limits and the rooms it joined."""

    sid: str
    credential: Credential  # checked again every few seconds
    updates: TokenBucket
    awareness: TokenBucket
    joined: set[int] = field(default_factory=set)
    wrote: bool = False  # a change was accepted since the last check (not idle)

    @property
    def person_id(self) -> int:
        return self.credential.person_id


class Room:
    """A Document being edited: its Doc, the clients in it and their access."""

    def __init__(self, doc_id: int, case_id: int) -> None:
        self.doc_id = doc_id
        self.case_id = case_id
        self.ydoc: Doc = Doc()
        self.loaded = False
        # Every log row with seq <= seen_seq has been applied to ydoc.
        self.seen_seq = 0
        self.snapshot_seq = 0
        self.compacting = False
        self.members: dict[str, Access] = {}
        # Per client: the awareness clocks it announced and its last frame,
        # so a newcomer sees who is here and a leaver's cursor is removed.
        self.awareness: dict[str, dict[int, int]] = {}
        self.presence: dict[str, bytes] = {}
        self.doc_lock = threading.Lock()
        self.write_lock = threading.Lock()

    @property
    def name(self) -> str:
        """The Socket.IO room that relays reach."""
        return room_name(self.doc_id)

    def reset(self, ydoc: Doc, seen_seq: int, snapshot_seq: int) -> None:
        """Replace the document with one rebuilt from the durable log."""
        with self.doc_lock:
            self.ydoc = ydoc
            self.seen_seq = seen_seq
            self.snapshot_seq = snapshot_seq
            self.loaded = True

    def apply(self, update: bytes, seq: int | None = None) -> None:
        """Apply an update; `seq` advances seen_seq when it is the next row."""
        with self.doc_lock:
            self.ydoc.apply_update(update)
            if seq is not None and seq == self.seen_seq + 1:
                self.seen_seq = seq

    def catch_up(self, updates: list[bytes], upto_seq: int) -> None:
        """Apply log rows (or a snapshot) read from the database."""
        with self.doc_lock:
            for update in updates:
                self.ydoc.apply_update(update)
            self.seen_seq = max(self.seen_seq, upto_seq)

    def state(self) -> bytes:
        """The state vector (for our own sync step 1)."""
        with self.doc_lock:
            return self.ydoc.get_state()

    def changes_anything(self, update: bytes) -> bool:
        """Whether applying `update` would change the document (on a scratch copy)."""
        with self.doc_lock:
            full = self.ydoc.get_update()
        scratch: Doc = Doc()
        scratch.apply_update(full)
        changed: list[bytes] = []
        sub = scratch.observe(lambda event: changed.append(bytes(event.update)))
        scratch.apply_update(update)
        scratch.unobserve(sub)
        return any(u != b"\x00\x00" for u in changed)


def room_name(doc_id: int) -> str:
    """The Socket.IO room of a document."""
    return f"doc:{doc_id}"


class Rooms:
    """The open rooms of this process, created on join and dropped when empty."""

    def __init__(self) -> None:
        self._rooms: dict[int, Room] = {}
        self._lock = threading.Lock()

    def enter(self, doc_id: int, case_id: int, sid: str, access: Access) -> Room:
        """Put a client in a document's room, creating the room (not yet loaded)."""
        with self._lock:
            room = self._rooms.get(doc_id)
            if room is None:
                room = self._rooms[doc_id] = Room(doc_id, case_id)
            room.members[sid] = access
            return room

    def exit(self, doc_id: int, sid: str) -> dict[int, int]:
        """Take a client out; drop the room when it empties. Returns its awareness clocks."""
        with self._lock:
            room = self._rooms.get(doc_id)
            if room is None:
                return {}
            room.members.pop(sid, None)
            clocks = room.awareness.pop(sid, {})
            room.presence.pop(sid, None)
            if not room.members:
                del self._rooms[doc_id]
            return clocks

    def get(self, doc_id: int) -> Room | None:
        """The open room of a document, if any."""
        with self._lock:
            return self._rooms.get(doc_id)

    def of_case(self, case_id: int, doc_id: int | None = None) -> list[Room]:
        """Open rooms of a case (or of one of its documents)."""
        with self._lock:
            return [
                r
                for r in self._rooms.values()
                if r.case_id == case_id and (doc_id is None or r.doc_id == doc_id)
            ]

    def __len__(self) -> int:
        with self._lock:
            return len(self._rooms)
