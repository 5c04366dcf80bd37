"""The collaboration hub: routes each `/collab` event of one application.

Write path (the order is the durability promise): rate, shape and size;
the sender joined the document; **access before any decoding** (a read-only
member's change is refused without being decoded by the CRDT library);
the update's structure checked in Python (`portal.doclog.yupdate`) against
what the room holds; then the committer **commits** it (access checked again
inside the transaction), the room **applies** it and **relays** it, and only
then does the handler **acknowledge** it. A refused update is not applied,
stored or relayed; the sender gets `{"ok": false, "error"}` and an `error`
event, stays connected, and resyncs.

The hub holds no state of its own beyond wiring: rooms own documents and
members (`realtime.room`), admission owns access (`realtime.admission`), the
committer, compactor, checker and doorbell each own one background loop.
Concurrency: served on gevent (`portal.serve`), one OS thread with a greenlet
per connection; in-process (tests, the command line) Flask-SocketIO runs in
`threading` mode. The code is correct in both (see `realtime.room`).
"""

from __future__ import annotations

import logging
import time
from typing import Any

from flask import Flask
from flask import session as flask_session
from pycrdt import create_update_message

from auth.access import write_refusal
from auth.policy import Access
from portal.config import Settings
from portal.doclog import yupdate
from portal.doclog.appending import NotStored, Refused
from portal.extensions import db, socketio
from portal.services import audit
from realtime import credentials, presence
from realtime.admission import Admission
from realtime.checker import SIGNED_OUT, Checker
from realtime.committer import NOT_SAVED, Committer
from realtime.compactor import Compactor
from realtime.connections import Connection, Connections, Credential
from realtime.limits import TokenBucket, take_all
from realtime.metrics import Metrics
from realtime.protocol import (
    STEP1,
    UPDATE,
    BadMessage,
    SyncMessage,
    parse_payload,
    parse_sync,
)
from realtime.relay import Doorbell
from realtime.room import Room, RoomWrite
from realtime.rooms import Rooms

log = logging.getLogger(__name__)
NAMESPACE = "/collab"
OK: dict[str, Any] = {"ok": True}
MAX_WAIT_SECONDS = 2.0  # a burst is slowed down this long before it is refused
TOO_FAST = "You are sending changes too fast. Slow down and resend."
FULL = (
    "This document has reached its size limit ({limit:,} bytes), so this change "
    "was not saved. Everything saved before is kept. Deleting text still works; "
    "ask the caseworker to split the document."
)


class SocketIORoster:
    """Socket.IO's rooms in `/collab`, which relays (and other processes) reach."""

    def enter(self, sid: str, name: str) -> None:
        """Put a connection in a Socket.IO room."""
        socketio.server.enter_room(sid, name, namespace=NAMESPACE)

    def leave(self, sid: str, name: str) -> None:
        """Take a connection out of a Socket.IO room."""
        socketio.server.leave_room(sid, name, namespace=NAMESPACE)


class Hub:
    """Routes the events of one application's `/collab` namespace."""

    def __init__(self, app: Flask, settings: Settings) -> None:
        self.app = app
        self.settings = settings
        self.rooms = Rooms(SocketIORoster())
        self.connections = Connections(settings.updates_per_second)
        self.metrics = Metrics(
            lambda: len(self.rooms), lambda: len(self.connections.all())
        )
        self.admission = Admission(self.rooms, self.connections, self._tell_access)
        self.committer = Committer(
            app, write_refusal, self._stored, self._failed, self.metrics.batches
        )
        self.compactor = Compactor(app, settings.compaction_threshold)
        self.checker = Checker(
            app, settings, self.connections, self.admission, self.close
        )
        self.doorbell = (
            Doorbell(
                settings.redis_url,
                self._remote_update,
                self._reread_access,
                self.close_sign_in,
                settings.redis_channel,
            )
            if settings.redis_url
            else None
        )

    # -- connecting -------------------------------------------------------

    def authenticate(self, auth: Any) -> Credential:
        """What lets a new connection in: a token, else the browser's sign-in."""
        return credentials.authenticate(auth, flask_session.get("key"), self.settings)

    def connect(self, sid: str, credential: Credential) -> None:
        """Remember an authenticated connection."""
        rate = self.settings.updates_per_second
        self.connections.add(
            Connection(sid, credential, TokenBucket(rate), TokenBucket(rate))
        )
        self.checker.ensure_running()

    def disconnect(self, sid: str) -> None:
        """Take a connection out of every room it joined."""
        self.connections.pop(sid)
        for room in self.rooms.of_member(sid):
            self._exit(sid, room.doc_id)

    def _connection(self, sid: str) -> Connection:
        conn = self.connections.get(sid)
        if conn is None:
            raise BadMessage("This connection is closed; reconnect.")
        return conn

    # -- joining ----------------------------------------------------------

    def join(self, sid: str, raw: Any) -> dict[str, Any]:
        """Check access and put the connection in the document's room."""
        conn = self._connection(sid)
        doc_id = parse_payload(raw, with_data=False).doc_id
        self._pace(conn)  # a join may load a whole document: it counts
        room, _ = self.admission.admit(sid, conn.person_id, doc_id)
        try:
            room.ensure_loaded(db.session)
        except Exception:
            self._exit(sid, doc_id)
            raise
        if self.doorbell is not None:
            self.doorbell.start()
        room.set_identity(
            sid, credentials.identity_of(db.session, conn.person_id, room.case_id)
        )
        frame = room.presence_of_others(sid)
        if frame is not None:
            self._send(sid, "awareness", {"doc": doc_id, "data": frame})
        level = room.access_of(sid)  # a change may have come while loading
        if level == Access.NONE:
            raise BadMessage(
                "We could not find that document, or it is not shared with you."
            )
        # A stock Yjs client with a token reads through here and nowhere else.
        if audit.note_first_read_by_id(db.session, room.case_id, conn.person_id):
            db.session.commit()
        else:
            db.session.rollback()
        return {"ok": True, "access": level.label, "limits": self._limits()}

    def _limits(self) -> dict[str, int]:
        return {
            "max_update_bytes": self.settings.max_update_bytes,
            "updates_per_second": self.settings.updates_per_second,
            "max_document_bytes": self.settings.max_document_bytes,
        }

    def leave(self, sid: str, raw: Any) -> dict[str, Any]:
        """Leave a document's room."""
        self._exit(sid, parse_payload(raw, with_data=False).doc_id)
        return OK

    def _exit(self, sid: str, doc_id: int) -> None:
        room, clocks = self.rooms.exit(doc_id, sid)
        if clocks and room is not None and not room.is_empty:
            # Others drop the leaver's cursor now rather than after a timeout.
            self._broadcast(room, "awareness", presence.removal(clocks), skip_sid=sid)

    # -- sync ---------------------------------------------------------------

    def sync(self, sid: str, raw: Any) -> dict[str, Any]:
        """Answer a sync step 1, or store and relay a step 2 or update."""
        conn, room, data = self._receive(sid, raw, presence=False)
        message = parse_sync(data)
        if message.kind != STEP1:
            return self._write(conn, room, message)
        try:
            yupdate.decode_state_vector(message.body)
        except yupdate.InvalidUpdate:
            raise BadMessage("That sync request is malformed.") from None
        self._catch_up(room)
        reply, ours = room.answer_step1(data[1:])
        self._send(sid, "sync", {"doc": room.doc_id, "data": reply})
        self._send(sid, "sync", {"doc": room.doc_id, "data": ours})
        return OK

    def _receive(
        self, sid: str, raw: Any, *, presence: bool
    ) -> tuple[Connection, Room, bytes]:
        """Rate-limit, parse and place an incoming frame: (connection, room, bytes)."""
        conn = self._connection(sid)
        if presence:
            if conn.awareness.take() is None:  # presence is lossy: drop, don't wait
                raise Refused(
                    "You are sending presence updates too fast.", reason="too_fast"
                )
        else:
            self._pace(conn)
        payload = parse_payload(
            raw, with_data=True, max_bytes=self.settings.max_update_bytes
        )
        room = self.rooms.get(payload.doc_id)
        if room is None or not room.loaded or room.access_of(sid) == Access.NONE:
            raise Refused(
                "Join the document before sending changes to it.", reason="not_joined"
            )
        return conn, room, payload.data

    def _pace(self, conn: Connection) -> None:
        """Spend a token of the connection and of its person, waiting for it."""
        buckets = [conn.updates]
        if conn.person_updates is not None:
            buckets.append(conn.person_updates)
        wait = take_all(buckets, MAX_WAIT_SECONDS)
        if wait is None:
            raise Refused(TOO_FAST, reason="too_fast")
        if wait:
            time.sleep(wait)  # this sender's next messages queue behind it

    def _write(
        self, conn: Connection, room: Room, message: SyncMessage
    ) -> dict[str, Any]:
        level = room.access_of(conn.sid)
        if level < Access.EDIT:
            if message.kind == UPDATE:  # refused without decoding a byte of it
                raise Refused(
                    f"You can {level.label} this document but not edit it.",
                    reason="read_only",
                )
            # A read-only peer's step 2 may repeat what we have; only news is a write.
            if room.is_news(self._check(room, message.body)):
                raise Refused(
                    f"You can {level.label} this document but not edit it.",
                    reason="read_only",
                )
            return OK
        summary = self._check(room, message.body)
        if summary.is_empty:
            return OK
        limit = self.settings.max_document_bytes
        if summary.structs and room.size + len(message.body) > limit:
            # Only deletes (no new structs) still pass: they make room.
            raise Refused(FULL.format(limit=limit), reason="document_full")
        if message.kind != UPDATE and not room.is_news(summary):
            if not room.changes_anything(message.body):
                return OK  # a resend after reconnect: nothing to store
        write = RoomWrite(
            room.doc_id, message.body, conn.person_id, conn.sid, summary=summary
        )
        started = time.perf_counter()
        self.committer.submit(write)  # returns once stored, applied and relayed
        if write.seq is None:
            raise write.error or NotStored(NOT_SAVED)
        self.metrics.acks.observe(time.perf_counter() - started)
        self.metrics.updates.inc()
        conn.wrote = True
        return OK

    def _check(self, room: Room, update: bytes) -> yupdate.UpdateSummary:
        """The update's structure, checked in Python against the room."""
        try:
            try:
                return room.check(update)
            except yupdate.MissingDependency:
                self._catch_up(room)  # another process may hold what it refers to
                return room.check(update)
        except yupdate.MissingDependency as missing:
            raise Refused(f"{missing} Your editor will send it again.") from None
        except yupdate.InvalidUpdate as invalid:
            raise BadMessage(str(invalid)) from None

    def _stored(self, batch: list[RoomWrite]) -> None:
        """Apply and relay what was just committed, in order, room by room."""
        tops: dict[int, int] = {}
        for write in batch:
            if write.seq is None:
                continue
            room = self.rooms.get(write.document_id)
            if (
                room is not None
                and room.loaded
                and room.apply_stored(db.session, write)
            ):
                self._broadcast(
                    room, "sync", create_update_message(write.data), write.sender
                )
            if write.seq is not None:
                tops[write.document_id] = max(tops.get(write.document_id, 0), write.seq)
        for doc_id, top in tops.items():
            if self.doorbell is not None:
                self.doorbell.ring_update(doc_id, top)
            room = self.rooms.get(doc_id)
            if room is not None:
                self.compactor.consider(room, top)

    def _failed(self, batch: list[RoomWrite]) -> None:
        """A batch failed: its COMMIT may still have landed, so re-read the log."""
        for doc_id in {w.document_id for w in batch}:
            room = self.rooms.get(doc_id)
            if room is not None and room.loaded:
                self._catch_up(room)

    def _catch_up(self, room: Room) -> None:
        """Read what others stored into the room, and hand it to this
        process's editors: a writer that died (or lost Redis) between its
        COMMIT and its relay left them without it, and an edit made on top
        of it would wait unseen in their editors."""
        added = room.catch_up(db.session, news=True)
        if added is not None:
            log.info("document %s: caught up from the log, relaying", room.doc_id)
            socketio.emit(
                "sync",
                {"doc": room.doc_id, "data": create_update_message(added)},
                to=room.name,
                namespace=NAMESPACE,
                ignore_queue=True,
            )

    # -- awareness ----------------------------------------------------------

    def awareness(self, sid: str, raw: Any) -> dict[str, Any]:
        """Relay presence (cursors) to the other members of the room, with
        the server's idea of who the sender is (`realtime.presence`)."""
        _, room, data = self._receive(sid, raw, presence=True)
        cleaned = room.note_presence(sid, presence.decode(data))
        if cleaned:
            self._broadcast(room, "awareness", presence.encode(cleaned), skip_sid=sid)
        return OK

    # -- access and other processes -------------------------------------------

    def access_changed(self, case_id: int, document_id: int | None) -> None:
        """A committed change of who may do what on a case: here and everywhere."""
        self._reread_access(case_id, document_id)
        if self.doorbell is not None:
            self.doorbell.ring_access(case_id, document_id)

    def _reread_access(self, case_id: int, document_id: int | None) -> None:
        # A context of its own, so a session of its own: this runs as the
        # announcing session commits, when that session can say no more.
        with self.app.app_context():
            try:
                self.admission.changed(case_id, document_id)
            finally:
                db.session.remove()

    def _tell_access(
        self, sid: str, room: Room, level: Access, clocks: dict[int, int]
    ) -> None:
        self._send(sid, "access", {"doc": room.doc_id, "access": level.label})
        if clocks and not room.is_empty:
            self._broadcast(room, "awareness", presence.removal(clocks), skip_sid=sid)

    def _remote_update(self, doc_id: int, seq: int) -> None:
        """Another process stored an update: bring our copy of the room up to date."""
        room = self.rooms.get(doc_id)
        if room is None or not room.loaded or room.seen_seq >= seq:
            return
        with self.app.app_context():
            try:
                room.catch_up(db.session)
            finally:
                db.session.remove()

    def sign_in_ended(self, sign_in_id: int) -> None:
        """A browser signed out: close its connections here and everywhere."""
        self.close_sign_in(sign_in_id)
        if self.doorbell is not None:
            self.doorbell.ring_sign_out(sign_in_id)

    def close_sign_in(self, sign_in_id: int) -> None:
        """Close this process's connections that came in with that sign-in."""
        for conn in self.connections.all():
            if conn.credential.sign_in_id == sign_in_id:
                self.close(conn.sid, SIGNED_OUT)

    def close(self, sid: str, message: str) -> None:
        """Tell a client why, then disconnect it (it leaves every room)."""
        self._send(sid, "error", {"doc": None, "message": message, "closed": True})
        socketio.server.disconnect(sid, namespace=NAMESPACE)

    # -- emitting -----------------------------------------------------------

    def _send(self, sid: str, event: str, data: dict[str, Any]) -> None:
        # The sid is connected to this process, so skip the message queue.
        socketio.emit(event, data, to=sid, namespace=NAMESPACE, ignore_queue=True)

    def _broadcast(self, room: Room, event: str, frame: bytes, skip_sid: str) -> None:
        # Through the message queue (when set): members on other processes too.
        socketio.emit(
            event,
            {"doc": room.doc_id, "data": frame},
            to=room.name,
            skip_sid=skip_sid,
            namespace=NAMESPACE,
        )

    def report(self, sid: str, doc_id: int | None, message: str) -> None:
        """Send the sender a readable `error` event."""
        self._send(sid, "error", {"doc": doc_id, "message": message})
