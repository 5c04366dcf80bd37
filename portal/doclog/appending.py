"""Appending to the log: a batch of checked updates in one transaction.

A write counts as stored only once its transaction has committed: a write's
`seq` is set after COMMIT returns, never before, so a batch that fails at
any point (a dropped connection, a cancelled query, a failed COMMIT) leaves
every write in it without a number, and the caller refuses them all.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg.rows import namedtuple_row
from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError, OperationalError

from portal import docmodel
from portal.doclog.reading import load
from portal.doclog.statements import (
    AccessFacts,
    CoreStatements,
    PipelinedStatements,
    Statements,
    facts_by_pair,
)
from portal.models import Document, DocUpdate, Person, Session, utcnow

log = logging.getLogger(__name__)
APPEND_ATTEMPTS = 8

# Why a person may not write to a document (None: they may). Given None
# facts, the document no longer exists.
Judge = Callable[[AccessFacts | None], str | None]


class Refused(Exception):
    """The write is not allowed; `str()` is shown to the sender, `reason` is
    counted (`realtime.metrics.REASONS`)."""

    def __init__(self, message: str, reason: str = "refused") -> None:
        super().__init__(message)
        self.reason = reason


class NotStored(Exception):
    """The write could not be stored; the sender should send it again."""


@dataclass
class Write:
    """One client's update waiting to be stored; `seq` is set once committed."""

    document_id: int
    data: bytes
    person_id: int
    sender: str = ""  # the Socket.IO sid, so the relay skips it
    seq: int | None = None
    error: Exception | None = None
    done: threading.Event = field(default_factory=threading.Event)


class SeqCache:
    """The next sequence number of each document this process writes to.

    With one process (`remember=True`) this process's committer is the only
    writer, so remembering the numbers saves a query per batch. With several
    processes every batch reads them afresh under the document row lock, so
    two processes never pick the same number. Either way a unique-key
    conflict (an import running alongside, say) makes the batch retry with
    numbers read afresh. Permissions are never cached: every batch reads them.
    """

    TOUCH_EVERY = 30.0  # seconds between updates of Document.updated_at

    def __init__(self, remember: bool = True) -> None:
        self.remember = remember
        self._next: dict[int, int] = {}
        self._touched: dict[int, float] = {}
        self._lock = threading.Lock()

    def due_touch(self, doc_ids: set[int]) -> set[int]:
        """Documents whose "last change" time is worth writing again now."""
        now = time.monotonic()
        with self._lock:
            due = {
                d
                for d in doc_ids
                if now - self._touched.get(d, -1e9) > self.TOUCH_EVERY
            }
            for d in due:
                self._touched[d] = now
        return due

    def next_seqs(
        self, read: Callable[[set[int]], dict[int, int]], doc_ids: set[int]
    ) -> dict[int, int]:
        """The next free number of each document, reading those not remembered."""
        with self._lock:
            known = {d: self._next[d] for d in doc_ids if d in self._next}
        missing = doc_ids - set(known)
        if missing:
            known.update(read(missing))
        return known

    def stored(self, next_by_doc: dict[int, int]) -> None:
        """Remember the numbers that follow a committed batch."""
        if not self.remember:
            return
        with self._lock:
            self._next.update(next_by_doc)

    def forget(self, doc_ids: Iterable[int]) -> None:
        """Read these documents' numbers from the database next time."""
        with self._lock:
            for d in doc_ids:
                self._next.pop(d, None)


def append_many(
    session: Session | Connection,
    writes: Sequence[Write],
    judge: Judge,
    seqs: SeqCache | None = None,
) -> None:
    """Check access afresh and commit a batch of updates in one transaction.

    The batch may span documents. `judge` decides each writer's access to
    each document once per batch, from facts read under the document row
    lock; refused writes get `error` and are not stored, accepted ones get
    consecutive `seq` numbers per document once COMMIT has returned. A
    unique-key conflict (another process took the numbers) or SQLite's
    "database is locked" is retried; any other failure propagates, with no
    write numbered.
    """
    seqs = seqs or SeqCache()
    sqlite = _dialect(session) == "sqlite"
    pipelined = isinstance(session, Connection) and session.dialect.driver == "psycopg"
    for _attempt in range(APPEND_ATTEMPTS):
        try:
            if pipelined:
                _append_pipelined(session, writes, judge, seqs)  # type: ignore[arg-type]
            else:
                _append_once(CoreStatements(session), writes, judge, seqs)
            return
        except (IntegrityError, psycopg.IntegrityError, OperationalError) as exc:
            if isinstance(exc, OperationalError) and not sqlite:
                raise  # a lost or broken connection: the caller starts afresh
            session.rollback()
            seqs.forget({w.document_id for w in writes})
            log.info(
                "append of %d updates retried (%s)", len(writes), type(exc).__name__
            )
    raise NotStored("The change could not be saved just now; it will be sent again.")


def _dialect(session: Session | Connection) -> str:
    bind = session if isinstance(session, Connection) else session.get_bind()
    return bind.dialect.name


def _append_pipelined(
    connection: Connection, writes: Sequence[Write], judge: Judge, seqs: SeqCache
) -> None:
    """`_append_once` on PostgreSQL in two round trips instead of four.

    psycopg's pipeline mode sends BEGIN with the locking permissions read,
    then the inserts, the touch and COMMIT together. The committer makes
    these round trips for every batch, and under load each one is a wait
    to be scheduled again (bench/realtime.py).
    """
    raw: psycopg.Connection[Any] = connection.connection.driver_connection  # type: ignore[assignment]
    try:
        with raw.pipeline(), raw.cursor(row_factory=namedtuple_row) as cursor:
            _append_once(PipelinedStatements(raw, cursor), writes, judge, seqs)
    except BaseException:
        raw.rollback()
        raise


def _append_once(
    sql: Statements, writes: Sequence[Write], judge: Judge, seqs: SeqCache
) -> None:
    # A fixed handful of statements per batch whatever its size.
    for write in writes:
        write.seq, write.error = None, None
    pairs = {(w.document_id, w.person_id) for w in writes}
    rows = sql.writers(sorted({d for d, _ in pairs}), sorted({p for _, p in pairs}))
    refusals = {pair: judge(f) for pair, f in facts_by_pair(rows, pairs).items()}
    accepted: dict[int, list[Write]] = {}
    for write in writes:
        refusal = refusals[(write.document_id, write.person_id)]
        if refusal is None:
            accepted.setdefault(write.document_id, []).append(write)
        else:
            write.error = Refused(refusal, reason="read_only")
    if not accepted:
        sql.rollback()
        return
    now = utcnow()
    first = seqs.next_seqs(sql.next_seqs, set(accepted))
    numbered = _number(accepted, first)
    sql.insert(
        [
            {
                "document_id": w.document_id,
                "seq": seq,
                "data": w.data,
                "author_id": w.person_id,
                "created_at": now,
                "checked": True,  # the realtime server checked the bytes
            }
            for w, seq in numbered
        ]
    )
    touch = seqs.due_touch(set(accepted))
    if touch:  # "last change" on pages, to the half minute: not a write per keystroke
        sql.touch(sorted(touch), now)
    sql.commit()
    # Stored: only now do the writes get their numbers.
    for write, seq in numbered:
        write.seq = seq
    seqs.stored({d: first[d] + len(ws) for d, ws in accepted.items()})


def _number(
    accepted: dict[int, list[Write]], first: dict[int, int]
) -> list[tuple[Write, int]]:
    """Consecutive seqs from `first` for each document's accepted writes."""
    return [
        (write, first[doc_id] + offset)
        for doc_id, doc_writes in accepted.items()
        for offset, write in enumerate(doc_writes)
    ]


def append_update(
    session: Session, document: Document, data: bytes, author: Person | None
) -> DocUpdate:
    """Add one update made by the portal itself to the log (the caller commits)."""
    seq = CoreStatements(session).next_seqs({document.id})[document.id]
    row = DocUpdate(
        document_id=document.id,
        seq=seq,
        data=data,
        author_id=author.id if author else None,
        checked=True,  # made by pycrdt here, not received
    )
    session.add(row)
    document.updated_at = utcnow()
    return row


def set_text(
    session: Session, document: Document, text: str, author: Person | None
) -> DocUpdate | None:
    """Replace the document's Markdown with one update (import, demo and
    seeding only: clients holding the old state would keep stale copies)."""
    ydoc = load(session, document.id).ydoc
    if docmodel.markdown_of(ydoc) == text:
        return None
    before = ydoc.get_state()
    docmodel.replace_markdown(ydoc, text)
    return append_update(session, document, ydoc.get_update(before), author)
