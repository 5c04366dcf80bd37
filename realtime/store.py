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
from collections.abc import Callable

from pycrdt import Doc
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from auth.access import access_to
from auth.policy import Access
from portal.models import DocSnapshot, Document, DocUpdate, Person
from portal.services.ystore import append_update, new_ydoc

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


def append(
    session: Session,
    document_id: int,
    data: bytes,
    person_id: int,
    is_allowed: Callable[[Access], bool] = lambda a: a >= Access.EDIT,
) -> int:
    """Check access afresh and commit one update to the log; return its seq.

    Several processes may append to the same document: the unique
    (document_id, seq) key makes one of two racers fail, and it retries with
    the next number.
    """
    for _attempt in range(APPEND_ATTEMPTS):
        try:
            document = session.get(Document, document_id)
            person = session.get(Person, person_id)
            if document is None or person is None or not person.is_active:
                raise Refused("That document no longer exists.")
            access = access_to(session, person, document)
            if not is_allowed(access):
                raise Refused(_refusal(access, document))
            row = append_update(session, document, data, person)
            session.commit()
            return row.seq
        except (IntegrityError, OperationalError) as exc:
            # IntegrityError: another process took this seq. OperationalError:
            # SQLite's "database is locked" under contention. Both are retried.
            session.rollback()
            log.info(
                "append to document %s retried (%s)", document_id, type(exc).__name__
            )
        except Refused:
            session.rollback()
            raise
    raise StoreUnavailable("The change could not be saved just now; it will be resent.")


def _refusal(access: Access, document: Document) -> str:
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
