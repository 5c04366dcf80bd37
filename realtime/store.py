"""The durable side of a room: load, append (with retry), catch up, compact.

The database is the single source of truth: every accepted update is a
`DocUpdate` row committed before the room applies it, and a `DocSnapshot`
holds the merged log up to `upto_seq`.

Ordering argument used below: `ystore.next_seq` is max(seq)+1 and
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
from dataclasses import dataclass, field
from typing import Any

from pycrdt import Doc
from sqlalchemy import Row, delete, func, insert, select, update
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
from portal.services.ystore import new_ydoc

log = logging.getLogger(__name__)
APPEND_ATTEMPTS = 8


class Refused(Exception):
    """The write is not allowed; `str()` is shown to the sender."""


class StoreUnavailable(Exception):
    """The update could not be stored; the client should resend later."""


def read_tail(
    session: Session, document_id: int, after_seq: int
) -> tuple[list[bytes], int]:
    """Updates needed to bring a doc that has rows <= after_seq up to date.

    Returns the updates in order (possibly starting with a snapshot) and the
    seq they reach.
    """
    rows = session.execute(
        select(DocUpdate.seq, DocUpdate.data)
        .where(DocUpdate.document_id == document_id, DocUpdate.seq > after_seq)
        .order_by(DocUpdate.seq)
    ).all()
    snapshot = session.execute(
        select(DocSnapshot.upto_seq, DocSnapshot.data).where(
            DocSnapshot.document_id == document_id
        )
    ).first()
    updates: list[bytes] = []
    upto = after_seq
    if snapshot is not None and snapshot.upto_seq > after_seq:
        # Rows up to upto_seq may have been compacted away after we read the log.
        updates.append(snapshot.data)
        upto = snapshot.upto_seq
    for seq, data in rows:
        if seq > upto:  # rows at or below the snapshot are already in it
            updates.append(data)
            upto = seq
    session.rollback()  # end the read transaction: no locks held between events
    return updates, upto


def load(session: Session, document_id: int) -> tuple[Doc, int, int]:
    """A room's document from the database: (ydoc, seen_seq, snapshot_seq)."""
    ydoc, _ = new_ydoc()
    updates, upto = read_tail(session, document_id, 0)
    for data in updates:
        ydoc.apply_update(data)
    snapshot_seq = session.scalar(
        select(DocSnapshot.upto_seq).where(DocSnapshot.document_id == document_id)
    )
    session.rollback()
    return ydoc, upto, snapshot_seq or 0


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


def append_many(session: Session, writes: list[Write]) -> None:
    """Check access afresh and commit a batch of updates in one transaction.

    The batch may span documents. Each writer's access to each document is
    checked once per batch through `auth.policy`; refused writes get `error`
    set and are not stored, accepted ones get consecutive `seq` numbers per
    document. Several processes may append to the same document: the
    unique (document_id, seq) key makes one of two racers fail, and it
    retries with the next numbers.
    """
    for _attempt in range(APPEND_ATTEMPTS):
        try:
            _append_once(session, writes)
            return
        except (IntegrityError, OperationalError) as exc:
            # IntegrityError: another process took these seqs. OperationalError:
            # SQLite's "database is locked" under contention. Both are retried.
            session.rollback()
            log.info(
                "append of %d updates retried (%s)", len(writes), type(exc).__name__
            )
    for write in writes:
        if write.error is None:
            write.seq = None
            write.error = StoreUnavailable(
                "The change could not be saved just now; it will be resent."
            )


def _append_once(session: Session, writes: list[Write]) -> None:
    # Core queries, a fixed handful per batch whatever its size: this runs
    # for every keystroke that reaches the server.
    doc_ids = {w.document_id for w in writes}
    facts = {
        row.id: row for row in session.execute(FACTS.where(Document.id.in_(doc_ids)))
    }
    refusals = _refusals(session, facts, {(w.document_id, w.person_id) for w in writes})
    accepted: dict[int, list[Write]] = {}
    for write in writes:
        refusal = refusals[(write.document_id, write.person_id)]
        write.error = Refused(refusal) if refusal else None
        write.seq = None
        if refusal is None:
            accepted.setdefault(write.document_id, []).append(write)
    if not accepted:
        session.rollback()
        return
    now = utcnow()
    rows = []
    for doc_id, first in next_seqs(session, set(accepted)).items():
        for offset, write in enumerate(accepted[doc_id]):
            write.seq = first + offset
            rows.append(
                {
                    "document_id": doc_id,
                    "seq": write.seq,
                    "data": write.data,
                    "author_id": write.person_id,
                    "created_at": now,
                }
            )
    session.execute(insert(DocUpdate), rows)
    session.execute(
        update(Document).where(Document.id.in_(set(accepted))).values(updated_at=now)
    )
    session.commit()


FACTS = select(
    Document.id,
    Document.kind,
    Document.section,
    Document.status,
    Document.owner_membership_id,
    Document.case_id,
    Case.draft_shared,
).join(Case, Case.id == Document.case_id)


def next_seqs(session: Session, doc_ids: set[int]) -> dict[int, int]:
    """The next free sequence number of each document (two queries for all)."""
    top = dict.fromkeys(doc_ids, 0)
    for doc_id, seq in session.execute(
        select(DocUpdate.document_id, func.max(DocUpdate.seq))
        .where(DocUpdate.document_id.in_(doc_ids))
        .group_by(DocUpdate.document_id)
    ):
        top[doc_id] = max(top[doc_id], seq or 0)
    for doc_id, upto in session.execute(
        select(DocSnapshot.document_id, DocSnapshot.upto_seq).where(
            DocSnapshot.document_id.in_(doc_ids)
        )
    ):
        top[doc_id] = max(top[doc_id], upto)
    return {doc_id: seq + 1 for doc_id, seq in top.items()}


def _refusals(
    session: Session, facts: dict[int, Row[Any]], pairs: set[tuple[int, int]]
) -> dict[tuple[int, int], str | None]:
    """Per (document, writer): why the write is refused, or None, by auth.policy."""
    case_ids = {f.case_id for f in facts.values()}
    person_ids = {person_id for _, person_id in pairs}
    members = {
        (case_id, person_id): policy.Member(role=role, membership_id=membership_id)
        for case_id, person_id, membership_id, role in session.execute(
            select(
                Membership.case_id, Membership.person_id, Membership.id, Membership.role
            )
            .join(Person, Person.id == Membership.person_id)
            .where(
                Membership.case_id.in_(case_ids),
                Membership.person_id.in_(person_ids),
                Person.is_active.is_(True),
            )
        )
    }
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
    ydoc, _ = new_ydoc()
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
        session.execute(
            delete(DocUpdate).where(
                DocUpdate.document_id == document_id, DocUpdate.seq <= top
            )
        )
        session.commit()
    except (IntegrityError, OperationalError):
        session.rollback()
        return None
    return top
