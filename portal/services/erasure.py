"""Closing cases, the retention period, and erasing a case and everything of it.

Erasure follows the foreign keys rather than a hand-kept list: every row
that points at the case, at one of its documents, or at any row that does
(and so on down) is deleted, children first. A table added later (comments,
say) is erased with the case without a change here. People's accounts are
not the case's and stay. The erasure is recorded in an audit event with no
case attached (so it survives), naming the case by id and reference only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Select, Table, delete, or_, select

from portal import signals
from portal.models import AuditEvent, Base, Case, Document, Person, Session, utcnow
from portal.services import audit

ERASED = "case.erased"
CLOSED = "case.closed"


@dataclass(frozen=True)
class Erased:
    """What an erasure removed: the case's id and reference, rows per table."""

    case_id: int
    reference: str
    rows: dict[str, int]


def _owned_rows(case_id: int) -> list[tuple[Table, ColumnElement[bool]]]:
    """Each table holding rows of the case, with the condition picking them,
    parents before children."""
    case_table = Case.__table__
    owned: dict[str, Select[tuple[int]]] = {}
    plan: list[tuple[Table, ColumnElement[bool]]] = []
    for table in Base.metadata.sorted_tables:
        if table is case_table:
            where: ColumnElement[bool] = table.c.id == case_id
        else:
            links = [
                fk.parent.in_(owned[fk.column.table.name])
                for fk in table.foreign_keys
                if fk.column.table.name in owned
            ]
            if not links:
                continue
            where = or_(*links)
        owned[table.name] = select(table.c.id).where(where)
        plan.append((table, where))
    return plan


def erase_case(
    session: Session, case: Case, by: Person, ip_address: str | None = None
) -> Erased:
    """Delete the case and every row of it; record the erasure. Commit after."""
    case_id, reference = case.id, case.la_reference
    # Lock the case and its documents first: an edit or an invitation
    # arriving now waits, then finds nothing, instead of adding a row under
    # one being deleted (PostgreSQL; SQLite has one writer at a time anyway).
    session.execute(select(Case.id).where(Case.id == case_id).with_for_update())
    session.execute(
        select(Document.id).where(Document.case_id == case_id).with_for_update()
    ).all()
    signals.announce_access_change(session, case_id)
    rows: dict[str, int] = {}
    for table, where in reversed(_owned_rows(case_id)):
        result = session.execute(delete(table).where(where))
        count = int(result.rowcount)  # type: ignore[attr-defined]
        if count:
            rows[table.name] = count
    audit.record(
        session,
        ERASED,
        actor=by,
        ip_address=ip_address,
        erased_case_id=case_id,
        reference=reference,
        rows=sum(rows.values()),
    )
    return Erased(case_id, reference, rows)


def erasure_records(session: Session) -> list[AuditEvent]:
    """Every erasure recorded, newest first (they belong to no case)."""
    return list(
        session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == ERASED)
            .order_by(AuditEvent.id.desc())
        )
    )


def close_case(session: Session, case: Case, by: Person) -> None:
    """Close the case; its retention period starts now."""
    if case.closed_at is not None:
        return
    # The stage it had reached is kept with the event, for reopening.
    audit.record(session, CLOSED, actor=by, case=case, stage=case.status)
    case.status = "closed"
    case.closed_at = utcnow()


def reopen_case(session: Session, case: Case, by: Person) -> None:
    """Reopen a closed case at the stage it had reached."""
    if case.closed_at is None:
        return
    closed = session.scalar(
        select(AuditEvent)
        .where(AuditEvent.case_id == case.id, AuditEvent.action == CLOSED)
        .order_by(AuditEvent.id.desc())
        .limit(1)
    )
    stage = closed.detail.get("stage") if closed else None
    case.closed_at = None
    case.status = (
        stage if isinstance(stage, str) and stage != "closed" else "assessment"
    )
    audit.record(session, "case.reopened", actor=by, case=case)


def erasure_due(case: Case, retention_days: int) -> datetime | None:
    """When a closed case falls due for erasure; None while it is open."""
    if case.closed_at is None:
        return None
    return case.closed_at + timedelta(days=retention_days)


def due_for_erasure(
    session: Session, retention_days: int, now: datetime | None = None
) -> list[Case]:
    """Closed cases kept longer than the retention period, longest first."""
    cutoff = (now or utcnow()) - timedelta(days=retention_days)
    return list(
        session.scalars(
            select(Case)
            .where(Case.closed_at.is_not(None), Case.closed_at <= cutoff)
            .order_by(Case.closed_at, Case.id)
        )
    )


def all_cases(session: Session) -> list[Case]:
    """Every case, newest first (the admin's list)."""
    return list(session.scalars(select(Case).order_by(Case.id.desc())))
