"""A room: one in-memory pycrdt document per open Document, and who is in it.

Shaped like pycrdt-websocket's `yroom.py`. A `Room` alone changes its
members and their access, its Doc, the last applied sequence number, its
state vector and presence, and alone brings its Doc up to date from the
durable log (`portal.doclog`). `realtime.rooms` holds the open rooms.

Locks: the registry has one lock, each room one for its state, always taken
in that order. Handlers run concurrently (greenlets when served
on gevent, threads in-process) and a pycrdt transaction gives no isolation
between threads, so every access to a room's Doc holds its lock, briefly.
Joining the Socket.IO room that relays reach happens under the same lock as
joining the member list, so the two never disagree (a removed member
receives no relay).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import Any, Protocol

from pycrdt import Doc, create_sync_message, handle_sync_message

from auth.policy import Access, may_speak_for_client
from portal.doclog import quarantine, reading, yupdate
from portal.doclog.appending import Refused, Write
from portal.models import Session
from realtime import presence

log = logging.getLogger(__name__)
SET_ASIDE = "That change could not be applied and was set aside."
MAX_CLIENTS_PER_MEMBER = 4  # Yjs client ids one connection may announce here
SOMEONE_ELSE = "That presence update speaks for someone else's editor."


class Roster(Protocol):
    """The transport's own rooms, which relays and other processes reach."""

    def enter(self, sid: str, name: str) -> None:
        """Put a connection in a transport room."""

    def leave(self, sid: str, name: str) -> None:
        """Take a connection out of a transport room."""


@dataclass
class RoomWrite(Write):
    """A client's update on its way to the log, with what its room needs to
    apply it afterwards: the summary of its checked structure."""

    summary: yupdate.UpdateSummary = field(kw_only=True)


def room_name(doc_id: int) -> str:
    """The Socket.IO room of a document."""
    return f"doc:{doc_id}"


class Room:
    """A Document being edited: its Doc, the clients in it and their access."""

    def __init__(self, doc_id: int, case_id: int, roster: Roster) -> None:
        self.doc_id = doc_id
        self.case_id = case_id
        self.name = room_name(doc_id)
        self._roster = roster
        self._lock = threading.Lock()
        self._load_lock = threading.Lock()
        self._ydoc: Doc[Any] = Doc()
        # The Doc's state vector and item index, for checking updates; worked
        # out again (lazily, it reads the whole document) when not exact.
        self._tracked = reading.Tracked({}, None, exact=False)
        self.loaded = False
        self.seen_seq = 0  # every log row with seq <= seen_seq is applied
        self.snapshot_seq = 0
        # Bytes of Yjs state: measured on load and compaction, and grown by
        # each applied update in between (an upper bound: deletes count too).
        self.size = 0
        self._compacting = False
        self._members: dict[str, Access] = {}
        # Presence: who each member is, which Yjs client ids it claimed
        # (first come), and each client's latest clock and cleaned state, so
        # a newcomer sees who is here and a leaver's cursor is removed.
        self._identities: dict[str, presence.Identity] = {}
        self._owners: dict[int, str] = {}
        self._states: dict[int, tuple[int, dict[str, Any] | None]] = {}

    # -- members (called by `Rooms`, under its lock) ---------------------------

    def _admit(self, sid: str, access: Access) -> None:
        with self._lock:
            self._members[sid] = access
            self._roster.enter(sid, self.name)

    def _set_access(self, sid: str, access: Access) -> dict[int, int] | None:
        """Change a present member's access: None when it is not a member
        (it left), else the awareness clocks of a member now removed."""
        with self._lock:
            if sid not in self._members:
                return None
            if access == Access.NONE:
                return self._drop(sid)
            self._members[sid] = access
            return {}

    def _remove(self, sid: str) -> dict[int, int]:
        with self._lock:
            return self._drop(sid) if sid in self._members else {}

    def _drop(self, sid: str) -> dict[int, int]:
        del self._members[sid]
        self._roster.leave(sid, self.name)
        self._identities.pop(sid, None)
        mine = [c for c, owner in self._owners.items() if owner == sid]
        clocks = {}
        for client_id in mine:
            del self._owners[client_id]
            clocks[client_id] = self._states.pop(client_id, (0, None))[0]
        return clocks

    def access_of(self, sid: str) -> Access:
        """A connection's access here (NONE when it is not a member)."""
        with self._lock:
            return self._members.get(sid, Access.NONE)

    def members(self) -> dict[str, Access]:
        """A copy of who is here with what access."""
        with self._lock:
            return dict(self._members)

    @property
    def is_empty(self) -> bool:
        """No member left."""
        with self._lock:
            return not self._members

    # -- the document -----------------------------------------------------------

    def ensure_loaded(self, session: Session) -> None:
        """Load the document once, however many join at the same time."""
        with self._load_lock:
            if not self.loaded:
                self.reload(session)

    def reset(self, loaded: reading.Loaded) -> None:
        """Replace the document with one rebuilt from the durable log."""
        with self._lock:
            self._ydoc = loaded.ydoc
            self.size = len(loaded.ydoc.get_update())
            self._tracked = reading.Tracked({}, None, exact=False)
            self.seen_seq, self.snapshot_seq = loaded.upto, loaded.snapshot_seq
            self.loaded = True

    def _tracking(self) -> reading.Tracked:
        # Under the lock. The first check after a load or a snapshot reads
        # the whole document once; after that each update moves it along.
        if not self._tracked.exact:
            self._tracked = reading.track(self._ydoc)
        return self._tracked

    def check(self, update: bytes) -> yupdate.UpdateSummary:
        """Check a client's update against what this room holds (in Python).
        Under the lock: the index must not change while it is read."""
        with self._lock:
            tracked = self._tracking()
            return yupdate.check_update(update, tracked.state, index=tracked.index)

    def is_news(self, summary: yupdate.UpdateSummary) -> bool:
        """Whether an update holds structs this room lacks."""
        with self._lock:
            state = self._tracking().state
            return any(end > state.get(c, 0) for c, end in summary.ends.items())

    def apply(self, update: bytes, seq: int, summary: yupdate.UpdateSummary) -> None:
        """Apply a stored, checked update; raises what the library raises."""
        with self._lock:
            self._ydoc.apply_update(update)
            self.size += len(update)
            if self._tracked.exact:
                yupdate.advance(self._tracked.state, summary, self._tracked.index)
            if seq == self.seen_seq + 1:
                self.seen_seq = seq

    def catch_up(self, session: Session, *, news: bool = False) -> bytes | None:
        """Apply log rows that other writers stored and this room has not
        seen; a row the library cannot apply is set aside and the room is
        rebuilt from the log without it. With `news`, return what the rows
        added to the room as one update (None if nothing): rows whose writer
        died before relaying them reach this room's editors only this way."""
        try:
            tail = reading.read_tail(session, self.doc_id, self.seen_seq)
        finally:
            session.rollback()  # no read transaction held between events
        if tail.snapshot is None and not tail.rows:
            return None
        outcome = reading.Outcome()
        added: bytes | None = None
        try:
            with self._lock:
                before = self._ydoc.get_state() if news else None
                # Rows applied meanwhile may come again: applying twice is
                # harmless, and checking them again tells the index nothing new.
                tracked = self._tracked if self._tracked.exact else None
                reading.apply_tail(self._ydoc, tail, outcome, tracked)
                self.seen_seq = max(self.seen_seq, tail.upto)
                if tail.snapshot is not None:
                    self.size = len(self._ydoc.get_update())
                else:
                    self.size += sum(len(r.data or b"") for r in tail.rows)
                if before is not None and self._ydoc.get_state() != before:
                    added = self._ydoc.get_update(before)
        except reading.Broken as broken:
            outcome.set_aside[broken.row_id] = SET_ASIDE
            self.reload(session)
        quarantine.record(session, self.doc_id, outcome.checked, outcome.set_aside)
        return added

    def apply_stored(self, session: Session, write: RoomWrite) -> bool:
        """Apply a committed write; False (and the write refused) when the
        library fails on it, which sets it aside and rebuilds the room."""
        if write.seq is None:
            return False
        try:
            self.apply(write.data, write.seq, write.summary)
            return True
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException:  # pyo3's PanicException is a BaseException
            log.exception("update %s of document %s failed", write.seq, self.doc_id)
            quarantine.set_aside_seq(session, self.doc_id, write.seq, SET_ASIDE)
            self.reload(session)
            write.seq, write.error = None, Refused(SET_ASIDE)
            return False

    def reload(self, session: Session) -> None:
        """Rebuild the document from the durable log."""
        try:
            self.reset(reading.load(session, self.doc_id))
        finally:
            session.rollback()

    def text(self) -> str:
        """The Markdown the room holds now."""
        with self._lock:
            return reading.text_of(self._ydoc)

    def answer_step1(self, body: bytes) -> tuple[bytes, bytes]:
        """Our sync step 2 for a client's step 1 message, and our own step 1."""
        with self._lock:
            reply = handle_sync_message(body, self._ydoc)
            ours = create_sync_message(self._ydoc)
        if reply is None:
            raise ValueError("answer_step1 takes a sync step 1 message")
        return reply, ours

    def changes_anything(self, update: bytes) -> bool:
        """Whether a checked update would change the document (on a scratch copy)."""
        with self._lock:
            full = self._ydoc.get_update()
        scratch: Doc[Any] = Doc()
        scratch.apply_update(full)
        changed: list[bytes] = []
        sub = scratch.observe(lambda event: changed.append(bytes(event.update)))
        scratch.apply_update(update)
        scratch.unobserve(sub)
        return any(u != b"\x00\x00" for u in changed)

    def claim_compaction(self, top_seq: int, threshold: int) -> bool:
        """True (and a compaction is under way) when the log has grown more
        than `threshold` rows past the snapshot and none is under way yet."""
        with self._lock:
            if self._compacting or top_seq - self.snapshot_seq <= threshold:
                return False
            self._compacting = True
            return True

    def compacted(self, upto: int | None) -> None:
        """A compaction ended; `upto` is where the snapshot now goes, if it moved."""
        with self._lock:
            self._compacting = False
            if upto is not None:
                self.snapshot_seq = max(self.snapshot_seq, upto)
                self.size = len(self._ydoc.get_update())  # deletes now shrink it

    # -- presence ---------------------------------------------------------------

    def set_identity(self, sid: str, identity: presence.Identity) -> None:
        """Who a member is, as its presence will show it."""
        with self._lock:
            if sid in self._members:
                self._identities[sid] = identity

    def note_presence(
        self, sid: str, entries: list[presence.Entry]
    ) -> list[presence.Entry] | None:
        """Take a member's presence: the cleaned entries to relay, or None if
        it is not a member. Refused when it speaks for a client id another
        connection claimed, or claims too many."""
        with self._lock:
            identity = self._identities.get(sid)
            if sid not in self._members or identity is None:
                return None
            owned = {c for c, owner in self._owners.items() if owner == sid}
            for entry in entries:
                if not may_speak_for_client(self._owners.get(entry.client_id), sid):
                    raise Refused(SOMEONE_ELSE)
                owned.add(entry.client_id)
            if len(owned) > MAX_CLIENTS_PER_MEMBER:
                raise Refused("That presence update names too many editors.")
            cleaned = []
            for entry in entries:
                state = presence.clean(entry.state, identity)
                self._owners[entry.client_id] = sid
                self._states[entry.client_id] = (entry.clock, state)
                cleaned.append(presence.Entry(entry.client_id, entry.clock, state))
            return cleaned

    def presence_of_others(self, sid: str) -> bytes | None:
        """One awareness frame with every other member's current state."""
        with self._lock:
            entries = [
                presence.Entry(client_id, clock, state)
                for client_id, (clock, state) in self._states.items()
                if state is not None and self._owners.get(client_id) != sid
            ]
        return presence.encode(entries) if entries else None
