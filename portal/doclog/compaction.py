"""Compaction: fold a document's log into its snapshot, in one transaction.

Opening a long-lived document then reads one snapshot and a short tail. Rows
set aside (`quarantine`) are never folded in nor deleted.
"""

from __future__ import annotations

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError, OperationalError

from portal.doclog import changes, quarantine
from portal.doclog.reading import Broken, Outcome, apply_tail, new_ydoc, read_tail
from portal.models import DocSnapshot, DocUpdate, Session


def compact(session: Session, document_id: int) -> int | None:
    """Merge the log into the snapshot; return the new upto_seq, or None.

    Concurrent appends get seq > N and are kept. A concurrent compaction is
    detected by the conditional update (snapshot still at the upto we read)
    or by the unique key on a first snapshot; the loser rolls back and
    returns None, having changed nothing. Use a Doc, not `merge_updates`,
    which is superlinear over a long log and keeps deleted content.
    """
    tail = read_tail(session, document_id)
    top, old_upto = tail.upto, tail.snapshot_seq
    if top <= old_upto:
        session.rollback()
        return None
    ydoc = new_ydoc()
    outcome = Outcome()
    try:
        apply_tail(ydoc, tail, outcome)
    except Broken as broken:
        # Loading sets the row aside; compaction waits for a clean log.
        session.rollback()
        outcome.set_aside[broken.row_id] = "The editing library could not apply it."
        quarantine.record(session, document_id, outcome.checked, outcome.set_aside)
        return None
    session.rollback()
    quarantine.record(session, document_id, outcome.checked, outcome.set_aside)
    try:
        if not _write_snapshot(session, document_id, old_upto, top, ydoc.get_update()):
            session.rollback()
            return None
        # The trail keeps who changed the document when; the rows go next.
        changes.summarise(session, document_id)
        _drop_folded_rows(session, document_id, top, set(outcome.set_aside))
        session.commit()
    except (IntegrityError, OperationalError):
        session.rollback()
        return None
    return top


def _write_snapshot(
    session: Session, document_id: int, old_upto: int, top: int, merged: bytes
) -> bool:
    """Insert or move the snapshot; False when another compaction moved it first."""
    if old_upto == 0:
        exists = session.scalar(
            select(DocSnapshot.id).where(DocSnapshot.document_id == document_id)
        )
        if exists is not None:
            return False
        session.execute(
            insert(DocSnapshot).values(
                document_id=document_id, upto_seq=top, data=merged
            )
        )
        return True
    result = session.execute(
        update(DocSnapshot)
        .where(
            DocSnapshot.document_id == document_id,
            DocSnapshot.upto_seq == old_upto,
        )
        .values(upto_seq=top, data=merged)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def _drop_folded_rows(
    session: Session, document_id: int, top: int, set_aside: set[int]
) -> None:
    """Delete rows now in the snapshot, but keep each author's latest, so
    the page can still say who edited recently (rows at or below the
    snapshot are never applied again), and keep rows set aside."""
    latest_per_author = (
        select(func.max(DocUpdate.id))
        .where(DocUpdate.document_id == document_id, DocUpdate.seq <= top)
        .group_by(DocUpdate.author_id)
    )
    session.execute(
        delete(DocUpdate).where(
            DocUpdate.document_id == document_id,
            DocUpdate.seq <= top,
            DocUpdate.quarantined_at.is_(None),
            DocUpdate.id.not_in(latest_per_author),
            DocUpdate.id.not_in(sorted(set_aside) or [-1]),
        )
    )
