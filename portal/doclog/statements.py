"""What one append says to the database, written once for SQLAlchemy Core
and once for psycopg's pipeline mode (`appending` runs the same algorithm
over either).

Statements are built once at import: a statement made per batch is garbage
for the cycle collector, and a fixed one lets SQLAlchemy reuse its compiled
form. This runs for every keystroke that reaches the server.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, NamedTuple, Protocol

import psycopg
from sqlalchemy import (
    ColumnElement,
    Connection,
    Integer,
    Select,
    any_,
    bindparam,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql.psycopg import dialect as psycopg_dialect

from portal.models import (
    Case,
    DocSnapshot,
    Document,
    DocUpdate,
    Membership,
    Person,
    Session,
)
from portal.models.base import naive_utc


class AccessFacts(NamedTuple):
    """What decides a person's access to a document (`auth.access` asks the
    policy). Read inside each append's transaction, under the document row
    lock, and without the lock when rooms re-check their members. `role` and
    `membership_id` are None for a person who is not an active member."""

    document_id: int
    kind: str
    section: str | None
    discipline: str | None
    status: str
    owner_membership_id: int | None
    case_id: int
    draft_shared: bool
    role: str | None
    membership_id: int | None


def _facts_select(
    of_docs: ColumnElement[bool], of_people: ColumnElement[bool], *, lock: bool = True
) -> Select[Any]:
    """Document facts and the active memberships of the given people in them."""
    active_member = (
        select(Membership.id, Membership.case_id, Membership.person_id, Membership.role)
        .join(Person, Person.id == Membership.person_id)
        .where(of_people, Person.is_active.is_(True))
        .subquery()
    )
    stmt = (
        select(
            Document.id,
            Document.kind,
            Document.section,
            Document.discipline,
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
    )
    # Appenders in every process queue on the document rows, so the sequence
    # numbers read next are theirs alone (SQLite: one writer), and
    # `reading.read_locked` takes the same lock.
    return stmt.with_for_update(of=Document) if lock else stmt


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


def next_from_rows(rows: Iterable[Any]) -> dict[int, int]:
    """The next free seq of each document from `next_seqs_select` rows."""
    return {doc_id: max(top or 0, upto or 0) + 1 for doc_id, top, upto in rows}


_OF_DOCS = Document.id.in_(bindparam("doc_ids", expanding=True))
_OF_PEOPLE = Membership.person_id.in_(bindparam("person_ids", expanding=True))
WRITERS = _facts_select(_OF_DOCS, _OF_PEOPLE)
FACTS = _facts_select(_OF_DOCS, _OF_PEOPLE, lock=False)
NEXT_SEQS = next_seqs_select(Document.id.in_(bindparam("ids", expanding=True)))


def take_write_lock(session: Session | Connection) -> None:
    """On SQLite, start the transaction as the database's one writer (BEGIN
    IMMEDIATE, waiting up to the busy timeout), so nothing it reads can change
    before it commits. pysqlite would only BEGIN at the first write, after the
    reads, and another process's commit could slip in between. PostgreSQL
    locks the document rows instead (`FOR UPDATE`)."""
    conn = session if isinstance(session, Connection) else session.connection()
    if conn.dialect.name != "sqlite":
        return
    if not conn.connection.driver_connection.in_transaction:  # type: ignore[union-attr]
        conn.exec_driver_sql("BEGIN IMMEDIATE")


class Statements(Protocol):
    """What one batch says to the database."""

    def writers(self, doc_ids: list[int], person_ids: list[int]) -> Iterable[Any]:
        """`WRITERS` rows, with the document rows locked."""

    def next_seqs(self, doc_ids: set[int]) -> dict[int, int]:
        """The next free seq of each document, from the database."""

    def insert(self, rows: list[dict[str, Any]]) -> None:
        """Add `DocUpdate` rows."""

    def touch(self, doc_ids: list[int], now: datetime) -> None:
        """Set the documents' `updated_at`."""

    def commit(self) -> None: ...

    def rollback(self) -> None: ...


class CoreStatements:
    """Through SQLAlchemy (a session, or the committer's connection on SQLite)."""

    def __init__(self, session: Session | Connection) -> None:
        self.session = session
        self.commit = session.commit
        self.rollback = session.rollback

    def writers(self, doc_ids: list[int], person_ids: list[int]) -> Iterable[Any]:
        take_write_lock(self.session)
        return self.session.execute(
            WRITERS, {"doc_ids": doc_ids, "person_ids": person_ids}
        )

    def next_seqs(self, doc_ids: set[int]) -> dict[int, int]:
        return next_from_rows(self.session.execute(NEXT_SEQS, {"ids": sorted(doc_ids)}))

    def insert(self, rows: list[dict[str, Any]]) -> None:
        self.session.execute(insert(DocUpdate), rows)

    def touch(self, doc_ids: list[int], now: datetime) -> None:
        self.session.execute(
            update(Document).where(Document.id.in_(doc_ids)).values(updated_at=now)
        )


class PipelinedStatements:
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

    def writers(self, doc_ids: list[int], person_ids: list[int]) -> Iterable[Any]:
        self.cursor.execute(_PG_WRITERS, {"doc_ids": doc_ids, "person_ids": person_ids})
        return self.cursor.fetchall()

    def next_seqs(self, doc_ids: set[int]) -> dict[int, int]:
        self.cursor.execute(_PG_NEXT_SEQS, {"ids": sorted(doc_ids)})
        return next_from_rows(self.cursor.fetchall())

    def insert(self, rows: list[dict[str, Any]]) -> None:
        # psycopg gets no UTCDateTime type: pass the stored form. The rows are
        # this batch's own, so they are changed in place (no copy per keystroke).
        for row in rows:
            row["created_at"] = naive_utc(row["created_at"])
        self.cursor.executemany(_PG_INSERT, rows)

    def touch(self, doc_ids: list[int], now: datetime) -> None:
        self.cursor.execute(_PG_TOUCH, {"ids": doc_ids, "now": naive_utc(now)})


_PG_DIALECT = psycopg_dialect()  # type: ignore[no-untyped-call]
ROW_COLUMNS = ("document_id", "seq", "data", "author_id", "created_at", "checked")


def _pg(statement: Any) -> str:
    return str(statement.compile(dialect=_PG_DIALECT))


def _any_of(name: str) -> Any:
    return any_(bindparam(name, type_=ARRAY(Integer)))


# Compiled at import, with the rest of the start-up heap (portal.serve.settle_heap).
_PG_WRITERS = _pg(
    _facts_select(
        Document.id == _any_of("doc_ids"), Membership.person_id == _any_of("person_ids")
    )
)
_PG_NEXT_SEQS = _pg(next_seqs_select(Document.id == _any_of("ids")))
_PG_INSERT = _pg(
    insert(DocUpdate).values({name: bindparam(name) for name in ROW_COLUMNS})
)
_PG_TOUCH = _pg(
    update(Document)
    .where(Document.id == _any_of("ids"))
    .values(updated_at=bindparam("now"))
)


def facts_by_pair(
    rows: Iterable[Any], pairs: set[tuple[int, int]]
) -> dict[tuple[int, int], AccessFacts | None]:
    """Each (document, person) pair's facts from `WRITERS`/`FACTS` rows;
    None for a document that no longer exists."""
    documents: dict[int, Any] = {}
    members: dict[tuple[int, int], tuple[str, int]] = {}
    for row in rows:
        documents[row.id] = row
        if row.person_id is not None:
            members[(row.id, row.person_id)] = (row.role, row.membership_id)
    out: dict[tuple[int, int], AccessFacts | None] = {}
    for doc_id, person_id in pairs:
        row = documents.get(doc_id)
        if row is None:
            out[(doc_id, person_id)] = None
            continue
        role, membership_id = members.get((doc_id, person_id), (None, None))
        out[(doc_id, person_id)] = AccessFacts(
            doc_id,
            row.kind,
            row.section,
            row.discipline,
            row.status,
            row.owner_membership_id,
            row.case_id,
            row.draft_shared,
            role,
            membership_id,
        )
    return out


def read_access_facts(
    session: Session, pairs: set[tuple[int, int]]
) -> dict[tuple[int, int], AccessFacts | None]:
    """The facts of many (document, person) pairs in one query, unlocked."""
    if not pairs:
        return {}
    rows = session.execute(
        FACTS,
        {
            "doc_ids": sorted({d for d, _ in pairs}),
            "person_ids": sorted({p for _, p in pairs}),
        },
    )
    return facts_by_pair(rows, pairs)
