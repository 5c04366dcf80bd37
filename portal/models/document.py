"""Documents (one Yjs room each), their update log, snapshots and versions."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    ForeignKey,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, utcnow
from portal.models.case import Case, Membership

DOCUMENT_KINDS = ("advice", "plan_section")
SECTION_KEYS = ("A", "B", "C", "D", "E", "F", "G", "H1", "H2", "I", "J", "K")


class Document(Base):
    """Advice written by one member, or one section of the plan."""

    __tablename__ = "document"
    __table_args__ = (UniqueConstraint("case_id", "kind", "section"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    # Plan sections only (A … K); NULL for advice, so the unique key allows many.
    section: Mapped[str | None] = mapped_column(String(2))
    title: Mapped[str] = mapped_column(String(200))
    # Advice only: who writes it (NULL until the invitation is accepted)
    # and which adviser discipline it comes from (parent_carer, school_senco …).
    owner_membership_id: Mapped[int | None] = mapped_column(
        ForeignKey("membership.id", ondelete="SET NULL")
    )
    discipline: Mapped[str | None] = mapped_column(String(60))
    # Advice imported from files names its author in text, not as an account.
    source_author: Mapped[str] = mapped_column(String(300), default="")
    status: Mapped[str] = mapped_column(String(20), default="draft")
    due_date: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime | None]
    # The update log is summarised into the audit trail up to this sequence
    # (`portal.doclog.changes`); the rows after it are not yet.
    audited_seq: Mapped[int] = mapped_column(default=0, server_default="0")

    case: Mapped[Case] = relationship()
    owner: Mapped[Membership | None] = relationship()


class DocUpdate(Base):
    """One Yjs update, appended before it is acknowledged."""

    __tablename__ = "doc_update"
    __table_args__ = (UniqueConstraint("document_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id"), index=True)
    seq: Mapped[int]
    data: Mapped[bytes] = mapped_column(LargeBinary)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The bytes passed `portal.doclog.yupdate` before they were stored. Rows
    # from before that check existed are checked when first loaded.
    checked: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Set aside because the document could not be loaded with it: kept for
    # investigation, never applied again (`portal.doclog.quarantine`).
    quarantined_at: Mapped[datetime | None]
    quarantine_reason: Mapped[str | None] = mapped_column(String(300))


class DocSnapshot(Base):
    """The merged state of a document's log up to and including `upto_seq`."""

    __tablename__ = "doc_snapshot"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id"), unique=True)
    upto_seq: Mapped[int]
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Version(Base):
    """An immutable named snapshot: advice submitted, draft issued, final issued."""

    __tablename__ = "version"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id"), index=True)
    label: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    state: Mapped[bytes] = mapped_column(LargeBinary)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
