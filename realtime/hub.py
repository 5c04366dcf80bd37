"""The collaboration hub: what each `/collab` event does, per application.

Write path (the order is the durability promise): check the shape, the size,
the rate and that the connection joined the document; decode the update on a
scratch document; then hand it to the committer thread, which checks access
afresh through `auth.policy` and **commits** it to the log (with whatever
else is queued: group commit), **applies** it to the room's Doc and
**relays** it to the other members; only then does the handler
**acknowledge** it.
A refused update is not applied, stored or relayed; the sender gets an
`{"ok": false}` acknowledgement and an `error` event and stays connected.

Concurrency: served on gevent (`portal.serve`, gunicorn -k gevent), one OS
thread with a greenlet per connection; in-process (tests, the command line)
Flask-SocketIO runs in `threading` mode. The code is written for threads
and stays correct in both: pycrdt objects hold the GIL and a pycrdt
transaction gives no isolation between threads (see docs notes), so each
room has one lock around every Doc access, callbacks copy `event.update` to
bytes, and no pycrdt event is handed across threads. Under gevent the locks
and queues are gevent's and psycopg waits cooperatively. More cores means
more processes (see `realtime.relay`).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from typing import Any

from flask import Flask
from flask import session as flask_session
from pycrdt import create_sync_message, create_update_message, handle_sync_message
from socketio.exceptions import ConnectionRefusedError

from auth.access import access_to
from auth.policy import Access
from auth.sessions import live_sign_in
from auth.tokens import live_token
from portal.config import Settings
from portal.extensions import db, socketio
from portal.models import Document, Person
from realtime import credentials, store
from realtime.committer import Committer
from realtime.limits import TokenBucket
from realtime.protocol import (
    EMPTY_UPDATE,
    STEP1,
    STEP2,
    BadMessage,
    SyncMessage,
    awareness_removal,
    check_state_vector,
    check_update,
    parse_awareness,
    parse_payload,
    parse_sync,
)
from realtime.relay import Doorbell
from realtime.rooms import Connection, Credential, Room, Rooms
from realtime.store import Refused
from realtime.workers import Worker

log = logging.getLogger(__name__)
NAMESPACE = "/collab"
OK: dict[str, Any] = {"ok": True}
NO_DOCUMENT = "We could not find that document, or it is not shared with you."
SIGNED_OUT = "You have been signed out. Sign in again to go on editing."
TOKEN_REVOKED = "The access token of this connection was revoked."  # noqa: S105 - a message


class Hub:
    """Rooms and connections of one application in this process."""

    def __init__(self, app: Flask, settings: Settings) -> None:
        self.app = app
        self.settings = settings
        self.rooms = Rooms()
        self.connections: dict[str, Connection] = {}
        self._lock = threading.Lock()
        self.committer = Committer(app, self._after_commit)
        self._compactions: queue.SimpleQueue[Room] = queue.SimpleQueue()
        self._compactor = Worker(self._compact_forever, "collab-compactor")
        self._checker = Worker(self._check_forever, "collab-checker")
        self.doorbell = (
            Doorbell(
                settings.redis_url,
                self.on_remote_update,
                self.refresh_access,
                self.close_sign_in,
            )
            if settings.redis_url
            else None
        )

    # -- connecting -------------------------------------------------------

    def authenticate(self, auth: Any) -> Credential:
        """What lets a new connection in: a token, else the browser's sign-in."""
        if isinstance(auth, dict) and "token" in auth:
            token = auth["token"]
            row = live_token(db.session, token) if isinstance(token, str) else None
            db.session.commit()  # records the token's last use
            if row is None:
                raise ConnectionRefusedError("That access token is not valid.")
            return Credential(row.person_id, token_id=row.id)
        key = flask_session.get("key")
        if key is None:
            raise ConnectionRefusedError("Sign in to edit documents together.")
        sign_in = live_sign_in(db.session, key, self.settings.session_idle)
        if sign_in is None:
            raise ConnectionRefusedError("Your session timed out. Sign in again.")
        if not sign_in.person.is_active:
            raise ConnectionRefusedError("Sign in to edit documents together.")
        return Credential(sign_in.person_id, sign_in_id=sign_in.id)

    def connect(self, sid: str, credential: Credential) -> None:
        """Remember an authenticated connection."""
        rate = self.settings.updates_per_second
        conn = Connection(sid, credential, TokenBucket(rate), TokenBucket(rate))
        with self._lock:
            self.connections[sid] = conn
        self._checker.ensure_running()

    def disconnect(self, sid: str) -> None:
        """Take a connection out of every room it joined."""
        with self._lock:
            conn = self.connections.pop(sid, None)
        for doc_id in list(conn.joined if conn else ()):
            self._exit(sid, doc_id)

    def connection(self, sid: str) -> Connection:
        """The connection for a sid (it may have been dropped meanwhile)."""
        with self._lock:
            conn = self.connections.get(sid)
        if conn is None:
            raise BadMessage("This connection is closed; reconnect.")
        return conn

    # -- joining ----------------------------------------------------------

    def join(self, sid: str, raw: Any) -> dict[str, Any]:
        """Check access and put the connection in the document's room."""
        conn = self.connection(sid)
        doc_id = parse_payload(raw, with_data=False).doc_id
        document = db.session.get(Document, doc_id)
        person = db.session.get(Person, conn.person_id)
        if document is None or person is None:
            raise BadMessage(NO_DOCUMENT)
        access = access_to(db.session, person, document)
        case_id = document.case_id
        db.session.rollback()
        if access == Access.NONE:
            raise BadMessage(NO_DOCUMENT)
        room = self.rooms.enter(doc_id, case_id, sid, access)
        try:
            self._load(room)
        except Exception:
            self.rooms.exit(doc_id, sid)
            raise
        conn.joined.add(doc_id)
        socketio.server.enter_room(sid, room.name, namespace=NAMESPACE)
        for other, frame in list(room.presence.items()):
            if other != sid:
                self._send(sid, "awareness", {"doc": doc_id, "data": frame})
        return {"ok": True, "access": access.label}

    def _load(self, room: Room) -> None:
        with room.write_lock:
            if room.loaded:
                return
            ydoc, seen_seq, snapshot_seq = store.load(db.session, room.doc_id)
            room.reset(ydoc, seen_seq, snapshot_seq)
        if self.doorbell is not None:
            self.doorbell.start()

    def leave(self, sid: str, raw: Any) -> dict[str, Any]:
        """Leave a document's room."""
        doc_id = parse_payload(raw, with_data=False).doc_id
        self._exit(sid, doc_id)
        return OK

    def _exit(self, sid: str, doc_id: int) -> None:
        with self._lock:
            conn = self.connections.get(sid)
        if conn is not None:
            conn.joined.discard(doc_id)
        room = self.rooms.get(doc_id)
        clocks = self.rooms.exit(doc_id, sid)
        if room is not None:
            socketio.server.leave_room(sid, room.name, namespace=NAMESPACE)
        if clocks and room is not None and room.members:
            # Others drop the leaver's cursor now rather than after a timeout.
            frame = awareness_removal(clocks)
            self._broadcast(room, "awareness", frame, skip_sid=sid)

    # -- sync ---------------------------------------------------------------

    def sync(self, sid: str, raw: Any) -> dict[str, Any]:
        """Answer a sync step 1, or store and relay a step 2 or update."""
        conn, room, data = self._receive(sid, raw, presence=False)
        message = parse_sync(data)
        if message.kind == STEP1:
            check_state_vector(message.body)
            self._catch_up(room)
            with room.doc_lock:
                reply = handle_sync_message(data[1:], room.ydoc)
                ours = create_sync_message(room.ydoc)
            self._send(sid, "sync", {"doc": room.doc_id, "data": reply})
            self._send(sid, "sync", {"doc": room.doc_id, "data": ours})
            return OK
        return self._write(conn, room, message)

    def _receive(
        self, sid: str, raw: Any, *, presence: bool
    ) -> tuple[Connection, Room, bytes]:
        """Rate-limit, parse and place an incoming frame: (connection, room, bytes)."""
        conn = self.connection(sid)
        if presence and not conn.awareness.take():
            raise Refused("You are sending presence updates too fast.")
        if not presence and not conn.updates.take():
            raise Refused("You are sending changes too fast. Slow down and resend.")
        payload = parse_payload(
            raw, with_data=True, max_bytes=self.settings.max_update_bytes
        )
        return conn, self._joined_room(sid, payload.doc_id), payload.data

    def _joined_room(self, sid: str, doc_id: int) -> Room:
        room = self.rooms.get(doc_id)
        if room is None or sid not in room.members or not room.loaded:
            raise Refused("Join the document before sending changes to it.")
        return room

    def _write(
        self, conn: Connection, room: Room, message: SyncMessage
    ) -> dict[str, Any]:
        update = message.body
        check_update(update)
        if update == EMPTY_UPDATE:
            return OK
        access = room.members.get(conn.sid, Access.NONE)
        if access < Access.EDIT:
            # A read-only peer's step 2 may repeat what we have; only news is a write.
            if not room.changes_anything(update):
                return OK
            raise Refused(f"You can {access.label} this document but not edit it.")
        if message.kind == STEP2 and not room.changes_anything(update):
            return OK  # a resend after reconnect: nothing to store
        write = store.Write(room.doc_id, update, conn.person_id, sender=conn.sid)
        self.committer.submit(write)  # returns once stored, applied and relayed
        if write.error is not None:
            raise write.error
        conn.wrote = True
        return OK

    def _after_commit(self, batch: list[store.Write]) -> None:
        """Apply and relay what was just committed, in order, room by room."""
        tops: dict[int, int] = {}
        for write in batch:
            if write.seq is None:
                continue
            room = self.rooms.get(write.document_id)
            if room is not None and room.loaded:
                try:
                    self._apply(room, write.data, write.seq)
                except BadMessage as error:
                    write.error = error
                    continue
                self._broadcast(
                    room,
                    "sync",
                    create_update_message(write.data),
                    skip_sid=write.sender,
                )
            tops[write.document_id] = max(tops.get(write.document_id, 0), write.seq)
        for doc_id, top in tops.items():
            if self.doorbell is not None:
                self.doorbell.ring_update(doc_id, top)
            room = self.rooms.get(doc_id)
            if room is not None:
                self._maybe_compact(room, top)

    def _apply(self, room: Room, update: bytes, seq: int) -> None:
        try:
            room.apply(update, seq)
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException:
            # Decoded on a scratch doc but failed on the room: undo the store
            # and rebuild the room from the log so neither keeps it.
            log.exception("update %s of document %s failed to apply", seq, room.doc_id)
            store.remove(db.session, room.doc_id, seq)
            room.reset(*store.load(db.session, room.doc_id))
            raise BadMessage(
                "That change could not be applied and was discarded."
            ) from None

    def _catch_up(self, room: Room) -> None:
        """Apply log rows other processes wrote that this room has not seen."""
        updates, upto = store.read_tail(db.session, room.doc_id, room.seen_seq)
        if updates:
            room.catch_up(updates, upto)

    def _maybe_compact(self, room: Room, seq: int) -> None:
        threshold = self.settings.compaction_threshold
        if threshold <= 0 or seq - room.snapshot_seq <= threshold or room.compacting:
            return
        room.compacting = True
        self._compactions.put(room)
        self._compactor.ensure_running()

    def _compact_forever(self) -> None:
        # One room at a time with a pause between: many rooms crossing the
        # threshold together must not starve the committer of the GIL.
        while True:
            self._compact(self._compactions.get())
            time.sleep(0.02)

    def _compact(self, room: Room) -> None:
        with self.app.app_context():
            try:
                upto = store.compact(db.session, room.doc_id)
                if upto is not None:
                    room.snapshot_seq = max(room.snapshot_seq, upto)
                    log.info("compacted document %s up to %s", room.doc_id, upto)
            except Exception:
                log.exception("compaction of document %s failed", room.doc_id)
            finally:
                room.compacting = False
                db.session.remove()

    # -- awareness ----------------------------------------------------------

    def awareness(self, sid: str, raw: Any) -> dict[str, Any]:
        """Relay presence (cursors, names) to the other members of the room."""
        _, room, data = self._receive(sid, raw, presence=True)
        _, clocks = parse_awareness(data)
        known = room.awareness.setdefault(sid, {})
        known.update(clocks)
        room.presence[sid] = data
        self._broadcast(room, "awareness", data, skip_sid=sid)
        return OK

    # -- permissions and other processes -----------------------------------

    def access_changed(self, case_id: int, document_id: int | None) -> None:
        """A page changed who may do what on a case: apply it here and everywhere."""
        self.refresh_access(case_id, document_id)
        if self.doorbell is not None:
            self.doorbell.ring_access(case_id, document_id)

    def refresh_access(self, case_id: int, document_id: int | None) -> None:
        """Recompute the access of every connection in the case's open rooms."""
        with self.app.app_context():
            try:
                for room in self.rooms.of_case(case_id, document_id):
                    self._refresh_room(room)
            finally:
                db.session.remove()

    def _refresh_room(self, room: Room) -> None:
        document = db.session.get(Document, room.doc_id)
        for sid, old in list(room.members.items()):
            with self._lock:
                conn = self.connections.get(sid)
            person = db.session.get(Person, conn.person_id) if conn else None
            new = Access.NONE
            if document is not None and person is not None and person.is_active:
                new = access_to(db.session, person, document)
            if new == old:
                continue
            if new == Access.NONE:
                self._exit(sid, room.doc_id)
            else:
                room.members[sid] = new
            self._send(sid, "access", {"doc": room.doc_id, "access": new.label})

    def on_remote_update(self, doc_id: int, seq: int) -> None:
        """Another process stored an update: bring our copy of the room up to date."""
        room = self.rooms.get(doc_id)
        if room is None or not room.loaded or room.seen_seq >= seq:
            return
        with self.app.app_context():
            try:
                self._catch_up(room)
            finally:
                db.session.remove()

    # -- credentials ----------------------------------------------------------

    def _check_forever(self) -> None:
        while True:
            time.sleep(self.settings.collab_check_seconds)
            try:
                self.check_credentials()
            except Exception:
                log.exception("checking the credentials of open connections failed")

    def check_credentials(self) -> None:
        """Close connections whose sign-in ended or went idle, or whose token was
        revoked (from the command line, say, or in another process). Editing
        counts as use of a sign-in, as a page view does."""
        with self._lock:
            conns = list(self.connections.values())
        if not conns:
            return
        creds = [c.credential for c in conns]
        editing = {
            c.credential.sign_in_id
            for c in conns
            if c.wrote and c.credential.sign_in_id is not None
        }
        for conn in conns:
            conn.wrote = False
        with self.app.app_context():
            try:
                live_sign_ins, live_tokens = credentials.still_valid(
                    db.session,
                    {c.sign_in_id for c in creds if c.sign_in_id is not None},
                    {c.token_id for c in creds if c.token_id is not None},
                    idle=self.settings.session_idle,
                    in_use=editing,
                )
            finally:
                db.session.remove()
        for conn in conns:
            cred = conn.credential
            if cred.sign_in_id is not None and cred.sign_in_id not in live_sign_ins:
                self.close(conn.sid, SIGNED_OUT)
            elif cred.token_id is not None and cred.token_id not in live_tokens:
                self.close(conn.sid, TOKEN_REVOKED)

    def sign_in_ended(self, sign_in_id: int) -> None:
        """A browser signed out: close its connections here and everywhere."""
        self.close_sign_in(sign_in_id)
        if self.doorbell is not None:
            self.doorbell.ring_sign_out(sign_in_id)

    def close_sign_in(self, sign_in_id: int) -> None:
        """Close this process's connections that came in with that sign-in."""
        with self._lock:
            sids = [
                c.sid
                for c in self.connections.values()
                if c.credential.sign_in_id == sign_in_id
            ]
        for sid in sids:
            self.close(sid, SIGNED_OUT)

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
