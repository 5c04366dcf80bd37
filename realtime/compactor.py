"""Compaction in the background: one room at a time, on one thread.

When a room's log grows past `COMPACTION_THRESHOLD` rows beyond its
snapshot, the room is queued here and folded by `doclog.compaction`, so
opening a long-lived document stays fast. Compaction is safe alongside
writers in this and other processes (see `portal.doclog.compaction`).
"""

from __future__ import annotations

import logging
import queue
import time

from flask import Flask

from portal.doclog.compaction import compact
from portal.extensions import db
from realtime.room import Room
from realtime.workers import Worker

log = logging.getLogger(__name__)


class Compactor:
    """Folds the logs of rooms that grew long."""

    def __init__(self, app: Flask, threshold: int) -> None:
        self.app = app
        self.threshold = threshold
        self._queue: queue.SimpleQueue[Room] = queue.SimpleQueue()
        self._worker = Worker(self._run, "collab-compactor")

    def consider(self, room: Room, top_seq: int) -> None:
        """Queue the room if its log has grown past the threshold."""
        if self.threshold <= 0 or not room.claim_compaction(top_seq, self.threshold):
            return
        self._queue.put(room)
        self._worker.ensure_running()

    def _run(self) -> None:
        # One room at a time with a pause between: many rooms crossing the
        # threshold together must not starve the committer of the GIL.
        while True:
            self._compact(self._queue.get())
            time.sleep(0.02)

    def _compact(self, room: Room) -> None:
        upto = None
        with self.app.app_context():
            try:
                upto = compact(db.session, room.doc_id)
                if upto is not None:
                    log.info("compacted document %s up to %s", room.doc_id, upto)
            except Exception:
                log.exception("compaction of document %s failed", room.doc_id)
            finally:
                room.compacted(upto)
                db.session.remove()
