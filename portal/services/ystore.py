"""The durable Yjs state of a document: snapshot + append-only update log.

The realtime server appends every accepted update here before acknowledging
it; pages read the current text from here. A document's state is its
snapshot (if any) followed by its log rows in sequence order.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, NamedTuple

from pycrdt import Doc, Text
from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    bindparam,
    case,
    func,
    select,
)
from sqlalchemy.orm import Session

from portal.models import DocSnapshot, Document, DocUpdate, Person, utcnow

TEXT_NAME = "content"


def new_ydoc() -> tuple[Doc, Text]:
    """An empty document with its `content` text attached."""
    ydoc: Doc = Doc()
    ytext = ydoc.get(TEXT_NAME, type=Text)
    return ydoc, ytext


class Tail(NamedTuple):
    """What a copy of a document lacks: updates to apply, in order, the seq
    they reach, and how far the snapshot (if any) goes."""

    updates: list[bytes]
    upto: int
    snapshot_seq: int


def read_tail(session: Session, document_id: int, after_seq: int = 0) -> Tail:
    """The updates that bring a copy holding rows <= after_seq up to date.

    The snapshot comes first when the copy is behind it; its bytes are read
    only then. The log is read before the snapshot: a compaction committed
    in between only moves rows into the snapshot read next, so nothing is
    missed.
    """
    rows = session.execute(
        select(DocUpdate.seq, DocUpdate.data)
        .where(DocUpdate.document_id == document_id, DocUpdate.seq > after_seq)
        .order_by(DocUpdate.seq)
    ).all()
    snapshot = session.execute(
        select(
            DocSnapshot.upto_seq,
            case((DocSnapshot.upto_seq > after_seq, DocSnapshot.data)).label("data"),
        ).where(DocSnapshot.document_id == document_id)
    ).first()
    updates: list[bytes] = []
    upto = after_seq
    snapshot_seq = 0
    if snapshot is not None:
        snapshot_seq = snapshot.upto_seq
        if snapshot_seq > after_seq:
            updates.append(snapshot.data)
            upto = snapshot_seq
    for seq, data in rows:
        if seq > upto:  # rows at or below the snapshot are already in it
            updates.append(data)
            upto = seq
    return Tail(updates, upto, snapshot_seq)


def ydoc_of(updates: list[bytes]) -> Doc:
    """A new document with these updates applied in order."""
    ydoc, _ = new_ydoc()
    for data in updates:
        ydoc.apply_update(data)
    return ydoc


def load_ydoc(session: Session, document_id: int) -> tuple[Doc, int]:
    """Rebuild the document from its snapshot and log; return it and its last seq."""
    tail = read_tail(session, document_id)
    return ydoc_of(tail.updates), tail.upto


def document_text(session: Session, document_id: int) -> str:
    """The document's current Markdown."""
    ydoc, _ = load_ydoc(session, document_id)
    return str(ydoc.get(TEXT_NAME, type=Text))


def next_seqs_select(of_ids: ColumnElement[bool]) -> Select[Any]:
    """(document id, top seq, snapshot upto) of the documents `of_ids` picks."""
    return select(
        Document.id,
        select(func.max(DocUpdate.seq))
        .where(DocUpdate.document_id == Document.id)
        .scalar_subquery(),
        select(DocSnapshot.upto_seq)
        .where(DocSnapshot.document_id == Document.id)
        .scalar_subquery(),
    ).where(of_ids)


# Built once: it runs for every batch of keystrokes when several processes
# write, and a statement built per call leaves cyclic garbage behind.
_NEXT_SEQS = next_seqs_select(Document.id.in_(bindparam("ids", expanding=True)))


def next_from_rows(rows: Iterable[Any]) -> dict[int, int]:
    """The next free seq of each document from `next_seqs_select` rows."""
    return {doc_id: max(top or 0, upto or 0) + 1 for doc_id, top, upto in rows}


def next_seqs(session: Session | Connection, document_ids: set[int]) -> dict[int, int]:
    """The next free sequence number of each document (one query for all)."""
    return next_from_rows(session.execute(_NEXT_SEQS, {"ids": sorted(document_ids)}))


def next_seq(session: Session, document_id: int) -> int:
    """The sequence number the next update of a document gets."""
    return next_seqs(session, {document_id})[document_id]


def append_update(
    session: Session, document: Document, data: bytes, author: Person | None
) -> DocUpdate:
    """Add one update to the log (the caller commits)."""
    row = DocUpdate(
        document_id=document.id,
        seq=next_seq(session, document.id),
        data=data,
        author_id=author.id if author else None,
    )
    session.add(row)
    document.updated_at = utcnow()
    return row


def set_text(
    session: Session, document: Document, text: str, author: Person | None
) -> DocUpdate | None:
    """Replace the document's text with one update (import and demo only)."""
    ydoc, _ = load_ydoc(session, document.id)
    ytext = ydoc.get(TEXT_NAME, type=Text)
    if str(ytext) == text:
        return None
    before = ydoc.get_state()
    with ydoc.transaction():
        del ytext[0 : len(ytext)]
        ytext += text
    return append_update(session, document, ydoc.get_update(before), author)


def full_state(session: Session, document_id: int) -> bytes:
    """The whole document as one Yjs update."""
    ydoc, _ = load_ydoc(session, document_id)
    return ydoc.get_update()


def recent_editors(
    session: Session, document_id: int, limit: int = 5
) -> list[tuple[Person, datetime]]:
    """Who changed the document most recently, with when they last did."""
    stmt = (
        select(Person, func.max(DocUpdate.created_at).label("last"))
        .join(DocUpdate, DocUpdate.author_id == Person.id)
        .where(DocUpdate.document_id == document_id)
        .group_by(Person.id)
        .order_by(func.max(DocUpdate.created_at).desc())
        .limit(limit)
    )
    return [(person, last) for person, last in session.execute(stmt)]
