"""Rows set aside: kept for investigation, never applied, shown to the caseworker.

A row is set aside when the document cannot be loaded with it: its bytes fail
`yupdate` (rows stored before that check existed), or the CRDT library fails
on it. The rest of the document loads. Recording happens in a transaction of
its own, so a page that merely reads a document does not commit its work.
"""

from __future__ import annotations

import logging

from sqlalchemy import Connection, func, insert, select, update
from sqlalchemy.exc import SQLAlchemyError

from portal.models import AuditEvent, Document, DocUpdate, Session, utcnow

log = logging.getLogger(__name__)
ACTION = "document.changes_set_aside"


def record(
    session: Session, document_id: int, checked: list[int], set_aside: dict[int, str]
) -> None:
    """Mark rows that passed their first check, and set aside those that failed."""
    if not checked and not set_aside:
        return
    try:
        with session.get_bind().engine.begin() as conn:
            if checked:
                conn.execute(
                    update(DocUpdate)
                    .where(DocUpdate.id.in_(checked))
                    .values(checked=True)
                )
            for row_id, reason in set_aside.items():
                conn.execute(
                    update(DocUpdate)
                    .where(DocUpdate.id == row_id, DocUpdate.quarantined_at.is_(None))
                    .values(quarantined_at=utcnow(), quarantine_reason=reason[:300])
                )
            if set_aside:
                _audit(conn, document_id, sorted(set_aside))
    except SQLAlchemyError:
        # The document still loaded without those rows; the next load records them.
        log.warning("could not record checked rows of %s", document_id, exc_info=True)
        return
    if set_aside:
        log.error("document %s: set aside log rows %s", document_id, sorted(set_aside))


def _audit(conn: Connection, document_id: int, row_ids: list[int]) -> None:
    case_id = conn.scalar(select(Document.case_id).where(Document.id == document_id))
    conn.execute(
        insert(AuditEvent).values(
            action=ACTION,
            case_id=case_id,
            document_id=document_id,
            detail={"rows": row_ids},
            created_at=utcnow(),
        )
    )


def set_aside_counts(session: Session, case_id: int) -> dict[int, int]:
    """How many rows of each document of a case are set aside."""
    rows = session.execute(
        select(DocUpdate.document_id, func.count())
        .join(Document, Document.id == DocUpdate.document_id)
        .where(Document.case_id == case_id, DocUpdate.quarantined_at.is_not(None))
        .group_by(DocUpdate.document_id)
    )
    return {doc_id: count for doc_id, count in rows}


def set_aside_seq(session: Session, document_id: int, seq: int, reason: str) -> None:
    """Set aside one stored row, by its sequence number."""
    row_id = session.scalar(
        select(DocUpdate.id).where(
            DocUpdate.document_id == document_id, DocUpdate.seq == seq
        )
    )
    session.rollback()
    if row_id is not None:
        record(session, document_id, [], {row_id: reason})
