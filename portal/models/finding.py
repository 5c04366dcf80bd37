"""Dismissed assistant findings: the caseworker's decision, with a reason."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, utcnow
from portal.models.person import Person


class FindingDismissal(Base):
    """A finding the caseworker decided not to act on.

    Findings are recomputed from the text every time; a dismissal matches a
    finding by its fingerprint (section, kind and quoted text), so it lapses
    by itself when the quoted text changes.
    """

    __tablename__ = "finding_dismissal"
    __table_args__ = (UniqueConstraint("case_id", "fingerprint"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    section: Mapped[str] = mapped_column(String(10))
    kind: Mapped[str] = mapped_column(String(60))
    quote: Mapped[str] = mapped_column(Text, default="")
    message: Mapped[str] = mapped_column(Text, default="")
    reason: Mapped[str] = mapped_column(Text)
    dismissed_by_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    dismissed_by: Mapped[Person] = relationship()
