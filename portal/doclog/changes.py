"""Document changes in the audit trail: the update log, summarised per person
per minute.

Every batch of keystrokes is one `doc_update` row. The trail gets one
`document.changed` event per document, person and minute, saying how many
updates and bytes arrived, never what they said. Summarising is lazy: the
audit page, its CSV and a case export summarise first, and compaction does
so before it folds rows away. `Document.audited_seq` is the watermark; it
moves with a conditional update, so two summarisers never count a row twice
(the loser adds nothing).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import func, select, update

from portal.models import AuditEvent, Document, DocUpdate, Session

CHANGED = "document.changed"


def summarise(session: Session, document_id: int) -> int:
    """Add the log rows after the watermark to the trail; how many were added.

    Runs in the caller's transaction, which commits it with whatever else it
    does (compaction drops the rows in the same commit).
    """
    found = session.execute(
        select(Document.audited_seq, Document.case_id).where(Document.id == document_id)
    ).first()
    if found is None:
        return 0
    watermark, case_id = found
    rows = session.execute(
        select(
            DocUpdate.seq,
            DocUpdate.author_id,
            DocUpdate.created_at,
            func.length(DocUpdate.data),
        )
        .where(DocUpdate.document_id == document_id, DocUpdate.seq > watermark)
        .order_by(DocUpdate.seq)
    ).all()
    if not rows:
        return 0
    moved = session.execute(
        update(Document)
        .where(Document.id == document_id, Document.audited_seq == watermark)
        .values(audited_seq=rows[-1][0])
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:  # type: ignore[attr-defined]
        return 0
    batches: dict[tuple[int | None, datetime], list[int]] = defaultdict(lambda: [0, 0])
    for _seq, author_id, at, size in rows:
        batch = batches[(author_id, at.replace(second=0, microsecond=0))]
        batch[0] += 1
        batch[1] += size or 0
    _add_to_trail(session, document_id, case_id, batches)
    return len(rows)


def _add_to_trail(
    session: Session,
    document_id: int,
    case_id: int,
    batches: dict[tuple[int | None, datetime], list[int]],
) -> None:
    """One event per (person, minute); a minute summarised before is added to."""
    earliest = min(minute for _, minute in batches)
    earlier = {
        (e.actor_id, e.created_at): e
        for e in session.scalars(
            select(AuditEvent).where(
                AuditEvent.action == CHANGED,
                AuditEvent.document_id == document_id,
                AuditEvent.created_at >= earliest,
            )
        )
    }
    for (author_id, minute), (count, size) in batches.items():
        event = earlier.get((author_id, minute))
        if event is not None:
            event.detail = {
                "updates": int(event.detail.get("updates", 0)) + count,
                "bytes": int(event.detail.get("bytes", 0)) + size,
            }
            continue
        session.add(
            AuditEvent(
                action=CHANGED,
                actor_id=author_id,
                case_id=case_id,
                document_id=document_id,
                detail={"updates": count, "bytes": size},
                created_at=minute,
            )
        )


def summarise_case(session: Session, case_id: int) -> int:
    """Summarise every document of the case with rows past its watermark."""
    pending = session.scalars(
        select(DocUpdate.document_id)
        .join(Document, Document.id == DocUpdate.document_id)
        .where(Document.case_id == case_id, DocUpdate.seq > Document.audited_seq)
        .distinct()
    ).all()
    return sum(summarise(session, document_id) for document_id in pending)
