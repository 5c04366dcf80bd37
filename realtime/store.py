"""The durable side of a room: load, append (with retry), catch up, compact.

The database is the single source of truth: every accepted update is a
`DocUpdate` row committed before the room applies it, and a `DocSnapshot`
holds the merged log up to `upto_seq`.

Ordering argument used below: `ystore.next_seqs` is max(seq)+1 and
(document_id, seq) is unique, so a row with seq N+1 can only be committed
after seq N is: whoever reads max(seq) sees only committed rows. A reader
that sees row N therefore sees every row below N, unless compaction
deleted it, and then the snapshot covers it. Reading the log *before* the
snapshot keeps that true with no lock (READ COMMITTED on PostgreSQL, SQLite
likewise).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

import psycopg
from psycopg.rows import namedtuple_row
from pycrdt import Doc
from sqlalchemy import (
    ColumnElement,
    Connection,
    Integer,
    Select,
    any_,
    bindparam,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql.psycopg import dialect as psycopg_dialect
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from auth import policy
from auth.policy import Access
from portal.models import (
    Case,
    DocSnapshot,
    Document,
    DocUpdate,
    Membership,
    Person,
    utcnow,
)
from portal.models.base import naive_utc
from portal.services import ystore

log = logging.getLogger(__name__)
APPEND_ATTEMPTS = 8


class Refused(Exception):
    """The write is not allowed; `str()` is shown to the sender."""


class StoreUnavailable(Exception):
    """The update could not be stored; the client should resend later."""


def read_tail(
    session: Session, document_id: int, after_seq: int
) -> tuple[list[bytes], int]:
    """`ystore.read_tail`, ending the read transaction: no locks held between events."""
    tail = ystore.read_tail(session, document_id, after_seq)
    session.rollback()
    return tail.updates, tail.upto


def load(session: Session, document_id: int) -> tuple[Doc, int, int]:
    """A room's document from the database: (ydoc, seen_seq, snapshot_seq)."""
    tail = ystore.read_tail(session, document_id)
    session.rollback()
    return ystore.ydoc_of(tail.updates), tail.upto, tail.snapshot_seq


@dataclass
class Write:
    """One client's update waiting to be stored; filled in by `append_many`."""

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
    processes every batch reads them afresh under the document row lock
    taken by the permissions query, so two processes never pick the same
    number. Either way a unique-key conflict (an import running alongside,
    say) makes the batch retry with numbers read afresh. Permissions are
    never cached: every batch reads them.
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
        """The next free number of each document, reading with `read` those
        not remembered."""
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

    def forget(self, doc_ids: set[int]) -> None:
        """Read these documents' numbers from the database next time."""
        with self._lock:
            for d in doc_ids:
                self._next.pop(d, None)


def append_many(
    session: Session | Connection, writes: list[Write], seqs: SeqCache | None = None
) -> None:
    """Check access afresh and commit a batch of updates in one transaction.

    The batch may span documents. Each writer's access to each document is
    checked once per batch through `auth.policy`; refused writes get `error`
    set and are not stored, accepted ones get consecutive `seq` numbers per
    document. Several processes may append to the same document: the
    unique (document_id, seq) key makes one of two racers fail, and it
    retries with the next numbers.
    """
    seqs = seqs or SeqCache()
    pipelined = isinstance(session, Connection) and session.dialect.driver == "psycopg"
    for _attempt in range(APPEND_ATTEMPTS):
        try:
            if pipelined:
                _append_pipelined(session, writes, seqs)  # type: ignore[arg-type]
            else:
                _append_once(_CoreStatements(session), writes, seqs)
            return
        except (IntegrityError, OperationalError, psycopg.IntegrityError) as exc:
            # IntegrityError: another process took these seqs. OperationalError:
            # SQLite's "database is locked" under contention. Both are retried.
            session.rollback()
            seqs.forget({w.document_id for w in writes})
            log.info(
                "append of %d updates retried (%s)", len(writes), type(exc).__name__
            )
    for write in writes:
        if write.error is None:
            write.seq = None
            write.error = StoreUnavailable(
                "The change could not be saved just now; it will be resent."
            )


def _append_pipelined(
    connection: Connection, writes: list[Write], seqs: SeqCache
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
            _append_once(_PipelinedStatements(raw, cursor), writes, seqs)
    except BaseException:
        raw.rollback()
        raise


def _append_once(sql: _Statements, writes: list[Write], seqs: SeqCache) -> None:
    # A fixed handful of statements per batch whatever its size: this runs
    # for every keystroke that reaches the server.
    pairs = {(w.document_id, w.person_id) for w in writes}
    rows = sql.permissions(sorted({d for d, _ in pairs}), sorted({p for _, p in pairs}))
    accepted = _accept(writes, _refusals(*_permission_rows(rows), pairs))
    if not accepted:
        sql.rollback()
        return
    now = utcnow()
    first = seqs.next_seqs(sql.next_seqs, set(accepted))
    sql.insert(_number(accepted, first, now))
    touch = seqs.due_touch(set(accepted))
    if touch:  # "last change" on pages, to the half minute: not a write per keystroke
        sql.touch(sorted(touch), now)
    sql.commit()
    seqs.stored({d: first[d] + len(ws) for d, ws in accepted.items()})


def _accept(
    writes: list[Write], refusals: dict[tuple[int, int], str | None]
) -> dict[int, list[Write]]:
    """Set each write's refusal; the accepted ones by document, in order."""
    accepted: dict[int, list[Write]] = {}
    for write in writes:
        refusal = refusals[(write.document_id, write.person_id)]
        write.error = Refused(refusal) if refusal else None
        write.seq = None
        if refusal is None:
            accepted.setdefault(write.document_id, []).append(write)
    return accepted


def _number(
    accepted: dict[int, list[Write]], first: dict[int, int], now: datetime
) -> list[dict[str, Any]]:
    """Give accepted writes consecutive seqs from `first`; their log rows."""
    rows = []
    for doc_id, doc_writes in accepted.items():
        for offset, write in enumerate(doc_writes):
            write.seq = first[doc_id] + offset
            rows.append(
                {
                    "document_id": doc_id,
                    "seq": write.seq,
                    "data": write.data,
                    "author_id": write.person_id,
                    "created_at": now,
                }
            )
    return rows


def _permissions_select(
    of_docs: ColumnElement[bool], of_people: ColumnElement[bool]
) -> Select[Any]:
    """Document facts and the active memberships of the given people in them."""
    active_member = (
        select(Membership.id, Membership.case_id, Membership.person_id, Membership.role)
        .join(Person, Person.id == Membership.person_id)
        .where(of_people, Person.is_active.is_(True))
        .subquery()
    )
    return (
        select(
            Document.id,
            Document.kind,
            Document.section,
            Document.status,
            Document.owner_membership_id,
            Document.case_id,
            Case.draft_shared,
            active_member.c.person_id,
            active_member.c.id.label("membership_id"),
            active_member.c.role,
        )
        .join(Case, Case.id == Document.case_id)
        .outerjoin(active_member, active_member.c.case_id == Document.case_id)
        .where(of_docs)
        # Appenders in every process queue on the document rows, so the
        # sequence numbers read next are theirs alone (SQLite: one writer).
        .with_for_update(of=Document)
    )


# Built once: a statement made per batch is garbage for the cycle collector,
# and a fixed one lets SQLAlchemy reuse its compiled form.
PERMISSIONS = _permissions_select(
    Document.id.in_(bindparam("doc_ids", expanding=True)),
    Membership.person_id.in_(bindparam("person_ids", expanding=True)),
)


class _Statements(Protocol):
    """What one batch says to the database; `_append_once` is written once
    against it, for SQLAlchemy Core and for psycopg's pipeline mode."""

    def permissions(self, doc_ids: list[int], person_ids: list[int]) -> Iterable[Any]:
        """`PERMISSIONS` rows, with the document rows locked."""

    def next_seqs(self, doc_ids: set[int]) -> dict[int, int]:
        """The next free seq of each document, from the database."""

    def insert(self, rows: list[dict[str, Any]]) -> None:
        """Add `DocUpdate` rows."""

    def touch(self, doc_ids: list[int], now: datetime) -> None:
        """Set the documents' `updated_at`."""

    def commit(self) -> None: ...

    def rollback(self) -> None: ...


class _CoreStatements:
    """Through SQLAlchemy (a session, or the committer's connection on SQLite)."""

    def __init__(self, session: Session | Connection) -> None:
        self.session = session
        self.commit = session.commit
        self.rollback = session.rollback

    def permissions(self, doc_ids: list[int], person_ids: list[int]) -> Iterable[Any]:
        return self.session.execute(
            PERMISSIONS, {"doc_ids": doc_ids, "person_ids": person_ids}
        )

    def next_seqs(self, doc_ids: set[int]) -> dict[int, int]:
        return ystore.next_seqs(self.session, doc_ids)

    def insert(self, rows: list[dict[str, Any]]) -> None:
        self.session.execute(insert(DocUpdate), rows)

    def touch(self, doc_ids: list[int], now: datetime) -> None:
        self.session.execute(
            update(Document).where(Document.id.in_(doc_ids)).values(updated_at=now)
        )


class _PipelinedStatements:
    """The same statements as psycopg SQL inside a pipeline: only reading
    results (permissions, numbers) and COMMIT wait for the server. Compiled
    once from the SQLAlchemy definitions, id lists bound as arrays; values
    are passed as the columns store them."""

    def __init__(
        self, raw: psycopg.Connection[Any], cursor: psycopg.Cursor[Any]
    ) -> None:
        self.cursor = cursor
        self.commit = raw.commit
        self.rollback = raw.rollback

    def permissions(self, doc_ids: list[int], person_ids: list[int]) -> Iterable[Any]:
        self.cursor.execute(
            _PG_PERMISSIONS, {"doc_ids": doc_ids, "person_ids": person_ids}
        )
        return self.cursor.fetchall()

    def next_seqs(self, doc_ids: set[int]) -> dict[int, int]:
        self.cursor.execute(_PG_NEXT_SEQS, {"ids": sorted(doc_ids)})
        return ystore.next_from_rows(self.cursor.fetchall())

    def insert(self, rows: list[dict[str, Any]]) -> None:
        for row in rows:
            row["created_at"] = naive_utc(row["created_at"])
        self.cursor.executemany(_PG_INSERT, rows)

    def touch(self, doc_ids: list[int], now: datetime) -> None:
        self.cursor.execute(_PG_TOUCH, {"ids": doc_ids, "now": naive_utc(now)})


_PG_DIALECT = psycopg_dialect()


def _pg(statement: Any) -> str:
    return str(statement.compile(dialect=_PG_DIALECT))


def _any_of(name: str) -> Any:
    return any_(bindparam(name, type_=ARRAY(Integer)))


# Compiled at import, with the rest of the start-up heap (portal.serve.settle_heap).
_PG_PERMISSIONS = _pg(
    _permissions_select(
        Document.id == _any_of("doc_ids"), Membership.person_id == _any_of("person_ids")
    )
)
_PG_NEXT_SEQS = _pg(ystore.next_seqs_select(Document.id == _any_of("ids")))
_PG_INSERT = _pg(
    insert(DocUpdate).values(
        {
            name: bindparam(name)
            for name in ("document_id", "seq", "data", "author_id", "created_at")
        }
    )
)
_PG_TOUCH = _pg(
    update(Document)
    .where(Document.id == _any_of("ids"))
    .values(updated_at=bindparam("now"))
)


def _permission_rows(
    rows: Iterable[Any],
) -> tuple[dict[int, Any], dict[tuple[int, int], policy.Member]]:
    """`PERMISSIONS` rows as (facts by document, membership by (case, person))."""
    facts: dict[int, Any] = {}
    members: dict[tuple[int, int], policy.Member] = {}
    for row in rows:
        facts[row.id] = row
        if row.person_id is not None:
            members[(row.case_id, row.person_id)] = policy.Member(
                role=row.role, membership_id=row.membership_id
            )
    return facts, members


def _refusals(
    facts: dict[int, Any],
    members: dict[tuple[int, int], policy.Member | None],
    pairs: set[tuple[int, int]],
) -> dict[tuple[int, int], str | None]:
    """Per (document, writer): why the write is refused, or None, by auth.policy."""
    out: dict[tuple[int, int], str | None] = {}
    for doc_id, person_id in pairs:
        row = facts.get(doc_id)
        if row is None:
            out[(doc_id, person_id)] = "That document no longer exists."
            continue
        doc = policy.DocFacts(
            kind=row.kind,
            section=row.section,
            owner_membership_id=row.owner_membership_id,
            status=row.status,
            draft_shared=row.draft_shared,
        )
        access = policy.document_access(members.get((row.case_id, person_id)), doc)
        out[(doc_id, person_id)] = (
            None if access >= Access.EDIT else _refusal(access, doc)
        )
    return out


def _refusal(access: Access, document: policy.DocFacts) -> str:
    if access == Access.NONE:
        return "You no longer have access to this document."
    if document.kind == "advice" and document.status == "submitted":
        return "This advice has been submitted, so it can no longer be changed."
    return f"You can {access.label} this document but not edit it."


def remove(session: Session, document_id: int, seq: int) -> None:
    """Delete a stored row (only when the room could not apply it)."""
    session.execute(
        delete(DocUpdate).where(
            DocUpdate.document_id == document_id, DocUpdate.seq == seq
        )
    )
    session.commit()


def compact(session: Session, document_id: int) -> int | None:
    """Merge the log into the snapshot in one transaction; return the new upto_seq.

    Concurrent appends get seq > N and are kept. A concurrent compaction is
    detected by the conditional update (snapshot still at the upto we read)
    or by the unique key on a first snapshot; the loser rolls back and
    returns None, having changed nothing.
    """
    top = session.scalar(
        select(func.max(DocUpdate.seq)).where(DocUpdate.document_id == document_id)
    )
    old = session.execute(
        select(DocSnapshot.upto_seq, DocSnapshot.data).where(
            DocSnapshot.document_id == document_id
        )
    ).first()
    old_upto = old.upto_seq if old is not None else 0
    if top is None or top <= old_upto:
        session.rollback()
        return None
    ydoc, _ = ystore.new_ydoc()
    if old is not None:
        ydoc.apply_update(old.data)
    rows = session.scalars(
        select(DocUpdate.data)
        .where(
            DocUpdate.document_id == document_id,
            DocUpdate.seq > old_upto,
            DocUpdate.seq <= top,
        )
        .order_by(DocUpdate.seq)
    )
    for data in rows:
        ydoc.apply_update(data)
    merged = ydoc.get_update()
    try:
        if old is None:
            session.execute(
                insert(DocSnapshot).values(
                    document_id=document_id, upto_seq=top, data=merged
                )
            )
        else:
            result = session.execute(
                update(DocSnapshot)
                .where(
                    DocSnapshot.document_id == document_id,
                    DocSnapshot.upto_seq == old_upto,
                )
                .values(upto_seq=top, data=merged)
            )
            if result.rowcount != 1:  # type: ignore[attr-defined]
                session.rollback()
                return None
        # Each author's latest row stays, so the page can still say who edited
        # recently; rows at or below the snapshot are never applied again.
        latest_per_author = (
            select(func.max(DocUpdate.id))
            .where(DocUpdate.document_id == document_id, DocUpdate.seq <= top)
            .group_by(DocUpdate.author_id)
        )
        session.execute(
            delete(DocUpdate).where(
                DocUpdate.document_id == document_id,
                DocUpdate.seq <= top,
                DocUpdate.id.not_in(latest_per_author),
            )
        )
        session.commit()
    except (IntegrityError, OperationalError):
        session.rollback()
        return None
    return top
