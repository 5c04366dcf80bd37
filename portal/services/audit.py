"""Recording audit events."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from portal.models import AuditEvent, Case, Document, Person, Session


def record(
    session: Session,
    action: str,
    *,
    actor: Person | None = None,
    case: Case | None = None,
    document: Document | None = None,
    ip_address: str | None = None,
    **detail: Any,
) -> AuditEvent:
    """Add an audit event to the session; it commits with the change it describes."""
    event = AuditEvent(
        action=action,
        actor_id=actor.id if actor else None,
        case_id=case.id if case else (document.case_id if document else None),
        document_id=document.id if document else None,
        detail=detail,
        ip_address=ip_address,
    )
    session.add(event)
    return event


def case_trail(session: Session, case: Case, limit: int = 500) -> list[AuditEvent]:
    """The newest events of a case first."""
    stmt = (
        select(AuditEvent)
        .where(AuditEvent.case_id == case.id)
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
        .limit(limit)
    )
    return list(session.scalars(stmt))
