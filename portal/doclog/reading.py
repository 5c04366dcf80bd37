"""Reading documents from the log: the tail a copy lacks, a whole document,
its text, and the locked read that freezes it.

Ordering argument used here and by `appending`: the next sequence number is
max(seq)+1 and (document_id, seq) is unique, so a row with seq N+1 can only
be committed after seq N is: whoever reads max(seq) sees only committed rows.
A reader that sees row N therefore sees every row below N, unless
compaction deleted it, and then the snapshot covers it. Reading the log
*before* the snapshot keeps that true with no lock (READ COMMITTED on
PostgreSQL, SQLite likewise).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from pycrdt import Doc
from sqlalchemy import case, func, select

from portal import docmodel
from portal.doclog import quarantine, yupdate
from portal.doclog.statements import take_write_lock
from portal.models import DocSnapshot, Document, DocUpdate, Person, Session

log = logging.getLogger(__name__)


def new_ydoc() -> Doc[Any]:
    """An empty document with its body attached (`portal.docmodel`)."""
    ydoc: Doc[Any] = Doc()
    docmodel.body_of(ydoc)
    return ydoc


class LogRow(NamedTuple):
    """One log row as a reader needs it; `data` is None when it was set aside."""

    id: int
    seq: int
    data: bytes | None
    checked: bool


class Tail(NamedTuple):
    """What a copy of a document lacks: the snapshot when the copy is behind
    it, the log rows after, and how far the snapshot (if any) goes."""

    snapshot: bytes | None
    rows: list[LogRow]
    snapshot_seq: int
    after_seq: int

    @property
    def upto(self) -> int:
        """The sequence number a copy reaches once it has applied this tail."""
        top = max((r.seq for r in self.rows), default=0)
        return max(self.after_seq, self.snapshot_seq, top)


def read_tail(session: Session, document_id: int, after_seq: int = 0) -> Tail:
    """The snapshot and rows that bring a copy holding rows <= after_seq up
    to date. The snapshot's bytes are read only when the copy is behind it."""
    rows = session.execute(
        select(
            DocUpdate.id,
            DocUpdate.seq,
            case((DocUpdate.quarantined_at.is_(None), DocUpdate.data)),
            DocUpdate.checked,
        )
        .where(DocUpdate.document_id == document_id, DocUpdate.seq > after_seq)
        .order_by(DocUpdate.seq)
    ).all()
    snapshot = session.execute(
        select(
            DocSnapshot.upto_seq,
            case((DocSnapshot.upto_seq > after_seq, DocSnapshot.data)).label("data"),
        ).where(DocSnapshot.document_id == document_id)
    ).first()
    snapshot_seq = snapshot.upto_seq if snapshot is not None else 0
    data = snapshot.data if snapshot is not None else None
    floor = max(after_seq, snapshot_seq)  # rows at or below the snapshot are in it
    return Tail(
        data,
        [LogRow(*r) for r in rows if r[1] > floor],
        snapshot_seq,
        after_seq,
    )


@dataclass
class Outcome:
    """What applying a tail found: rows checked for the first time, and rows
    set aside with the reason."""

    checked: list[int] = field(default_factory=list)
    set_aside: dict[int, str] = field(default_factory=dict)


class Broken(Exception):
    """The CRDT library failed while applying a row; the copy may be damaged."""

    def __init__(self, row_id: int) -> None:
        super().__init__(f"log row {row_id} could not be applied")
        self.row_id = row_id


@dataclass
class Tracked:
    """What a live copy knows of its document besides the Doc: its state
    vector and (`yupdate.DocIndex`) what its items are. `exact` turns False
    when something was applied that did not move them along (a snapshot, or
    a row another writer accepted that this index would not), and the owner
    must rebuild them from the Doc."""

    state: dict[int, int]
    index: yupdate.DocIndex | None
    exact: bool = True


def apply_tail(
    ydoc: Doc[Any], tail: Tail, outcome: Outcome, tracked: Tracked | None = None
) -> None:
    """Apply a tail to a copy. Rows never checked are checked against the
    copy's state first, and set aside (not applied) if they fail; with
    `tracked`, every row is checked against it and moves it along. A row the
    library cannot apply raises `Broken`, after which the copy is unusable."""
    if tail.snapshot is not None:
        ydoc.apply_update(tail.snapshot)  # written by the library itself
        if tracked is not None:
            tracked.exact = False
    for row in tail.rows:
        if row.data is None or row.id in outcome.set_aside:
            continue
        summary = _check_row(ydoc, row, row.data, outcome, tracked)
        if summary is None and not row.checked:
            continue  # set aside
        try:
            ydoc.apply_update(row.data)
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException:  # pyo3's PanicException is a BaseException
            raise Broken(row.id) from None
        if tracked is not None and tracked.exact and summary is not None:
            yupdate.advance(tracked.state, summary, tracked.index)


def _check_row(
    ydoc: Doc[Any],
    row: LogRow,
    data: bytes,
    outcome: Outcome,
    tracked: Tracked | None,
) -> yupdate.UpdateSummary | None:
    """The row's summary, or None: set aside if never checked before, or
    (already accepted by a writer) applied without moving `tracked`."""
    exact = tracked if tracked is not None and tracked.exact else None
    if row.checked and exact is None:
        return None  # a writer checked it, and there is nothing to move along
    try:
        if exact is not None:
            summary = yupdate.check_update(data, exact.state, index=exact.index)
        else:
            summary = yupdate.check_update(data, _state_of(ydoc))
    except yupdate.InvalidUpdate as refusal:
        if row.checked and exact is not None:
            exact.exact = False  # accepted elsewhere: apply it, rebuild tracking
        else:
            outcome.set_aside[row.id] = str(refusal)
        return None
    if not row.checked:
        outcome.checked.append(row.id)
    return summary


def _state_of(ydoc: Doc[Any]) -> dict[int, int]:
    return yupdate.decode_state_vector(ydoc.get_state())


class Loaded(NamedTuple):
    """A document rebuilt from the log: the copy, the seq it reaches, and how
    far its snapshot goes."""

    ydoc: Doc[Any]
    upto: int
    snapshot_seq: int


def load(session: Session, document_id: int) -> Loaded:
    """Rebuild a document from its snapshot and log, setting aside any row
    that would break it (recorded, and reported to the caseworker), so one
    bad row never keeps a document, or the process, down."""
    tail = read_tail(session, document_id)
    outcome = Outcome()
    for _attempt in range(len(tail.rows) + 1):
        ydoc = new_ydoc()
        try:
            apply_tail(ydoc, tail, outcome)
            break
        except Broken as broken:
            outcome.set_aside[broken.row_id] = "The editing library could not apply it."
    quarantine.record(session, document_id, outcome.checked, outcome.set_aside)
    return Loaded(ydoc, tail.upto, tail.snapshot_seq)


def document_text(session: Session, document_id: int) -> str:
    """The document's current Markdown."""
    return text_of(load(session, document_id).ydoc)


def text_of(ydoc: Doc[Any]) -> str:
    """The Markdown a document holds."""
    return docmodel.markdown_of(ydoc)


class Frozen(NamedTuple):
    """A document's text and state at a moment no edit can slip past."""

    text: str
    state: bytes


def read_locked(session: Session, document_id: int) -> Frozen:
    """The document as it stands, holding the lock every append takes, so no
    edit commits between this read and the caller's commit (submitting and
    versioning freeze exactly what was acknowledged)."""
    take_write_lock(session)
    session.execute(
        select(Document.id).where(Document.id == document_id).with_for_update()
    )
    tail = read_tail(session, document_id)
    ydoc = new_ydoc()
    outcome = Outcome()
    apply_tail(ydoc, tail, outcome)
    return Frozen(text_of(ydoc), ydoc.get_update())


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


def track(ydoc: Doc[Any]) -> Tracked:
    """Tracking for a whole document, worked out afresh from its bytes; no
    index when the document holds what an index cannot describe (then only
    the checks that need none apply)."""
    state = _state_of(ydoc)
    index = yupdate.DocIndex()
    try:
        whole = yupdate.check_update(ydoc.get_update(), {}, index=index)
    except yupdate.InvalidUpdate as refusal:
        log.warning("document kept without an item index: %s", refusal)
        return Tracked(state, None)
    yupdate.advance({}, whole, index)
    return Tracked(state, index)
