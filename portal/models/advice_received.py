"""Advice received outside the portal, recorded by the caseworker for Section K."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, utcnow
from portal.models.person import Person


class ExternalAdvice(Base):
    """Advice or information that reached the council by letter, email or a
    report written elsewhere (a "not known to us" letter from social care,
    say). It has no document in the portal; Section K lists it beside the
    advice submitted here."""

    __tablename__ = "external_advice"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    from_whom: Mapped[str] = mapped_column(String(200))
    # The adviser id from sections.json (social_worker, paediatrician …): it
    # says which Reg 6 advice this is.
    discipline: Mapped[str] = mapped_column(String(60))
    role: Mapped[str] = mapped_column(String(200), default="")
    organisation: Mapped[str] = mapped_column(String(200), default="")
    received_on: Mapped[date]
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    recorded_by: Mapped[Person] = relationship()
