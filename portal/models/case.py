"""Cases, who is on them (memberships) and invitations to join them."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, utcnow
from portal.models.person import Person

ROLES = ("caseworker", "parent", "young_person", "professional")
CASE_STATUSES = ("assessment", "draft_issued", "final_issued", "closed")


class Case(Base):
    """One child or young person's EHC needs assessment and plan."""

    __tablename__ = "case"

    id: Mapped[int] = mapped_column(primary_key=True)
    child_name: Mapped[str] = mapped_column(String(200))
    child_date_of_birth: Mapped[date | None]
    year_group: Mapped[int | None]  # 0 = Reception; None = early years or post-16
    setting: Mapped[str] = mapped_column(String(200), default="")
    la_reference: Mapped[str] = mapped_column(String(50), default="")
    primary_need: Mapped[str | None] = mapped_column(String(60))
    status: Mapped[str] = mapped_column(String(20), default="assessment")
    request_date: Mapped[date]
    decision_to_assess_date: Mapped[date | None]
    draft_issued_date: Mapped[date | None]
    final_issued_date: Mapped[date | None]
    # Plan sections become visible to the family and professionals when shared.
    draft_shared: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set when the caseworker closes the case; RETENTION_DAYS later it is due
    # for erasure (`portal.services.data_protection`).
    closed_at: Mapped[datetime | None]

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="case", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Case {self.id} {self.la_reference}>"


class Membership(Base):
    """A person on a case in one role; professionals also have a discipline."""

    __tablename__ = "membership"
    __table_args__ = (UniqueConstraint("case_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    discipline: Mapped[str | None] = mapped_column(String(60))
    organisation: Mapped[str] = mapped_column(String(200), default="")
    job_title: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When the person first opened the case or one of its documents: the
    # audit records that first read once, not every page view.
    first_read_at: Mapped[datetime | None]

    case: Mapped[Case] = relationship(back_populates="memberships")
    person: Mapped[Person] = relationship()


class Invitation(Base):
    """A single-use invitation to join a case; only the token's hash is stored."""

    __tablename__ = "invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    role: Mapped[str] = mapped_column(String(20))
    discipline: Mapped[str | None] = mapped_column(String(60))
    organisation: Mapped[str] = mapped_column(String(200), default="")
    job_title: Mapped[str] = mapped_column(String(200), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    invited_by_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    document_id: Mapped[int | None] = mapped_column(ForeignKey("document.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # A cancelled link, or one replaced by a resend, is refused with the reason.
    cancelled_at: Mapped[datetime | None]
    replaced_by_id: Mapped[int | None] = mapped_column(ForeignKey("invitation.id"))

    case: Mapped[Case] = relationship()
    invited_by: Mapped[Person] = relationship(foreign_keys=[invited_by_id])
