"""Where a passage of the plan came from, and what the draft proposes."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, utcnow
from portal.models.document import Document


class Excerpt(Base):
    """A passage of a contribution taken into a plan section.

    The plan's text carries only `ref` (a `source` mark on the words, so the
    link moves with them through any edit); the facts about the source are
    kept here, as they were when the passage was taken, so a later edit of
    either document cannot rewrite where a passage came from.
    """

    __tablename__ = "excerpt"

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(32), unique=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    source_document_id: Mapped[int] = mapped_column(
        ForeignKey("document.id"), index=True
    )
    section: Mapped[str] = mapped_column(String(2))
    quote: Mapped[str] = mapped_column(Text)
    source_title: Mapped[str] = mapped_column(String(200))
    source_author: Mapped[str] = mapped_column(String(300), default="")
    source_organisation: Mapped[str] = mapped_column(String(200), default="")
    # The day the advice was submitted, or the day it was taken from a draft.
    source_date: Mapped[date]
    created_by_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    source: Mapped[Document] = relationship()


class DraftProposal(Base):
    """Text "Start the draft" proposes for a plan section, from one
    recommendation of submitted advice; it enters the plan only when the
    caseworker accepts it (then as an Excerpt)."""

    __tablename__ = "draft_proposal"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    source_document_id: Mapped[int] = mapped_column(ForeignKey("document.id"))
    section: Mapped[str] = mapped_column(String(2))
    # For Section B, the broad area of need the text goes under.
    area: Mapped[str] = mapped_column(String(80), default="")
    recommendation: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    backend: Mapped[str] = mapped_column(String(20), default="rules")
    status: Mapped[str] = mapped_column(String(20), default="open")
    excerpt_id: Mapped[int | None] = mapped_column(ForeignKey("excerpt.id"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    decided_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    source: Mapped[Document] = relationship()
