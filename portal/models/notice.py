"""What people are told: notifications in the portal (and their email), and
the reminders already sent, so none is sent twice."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, utcnow
from portal.models.case import Case
from portal.models.person import Person

# Email states: waiting to go, being sent by one process, sent, or not wanted
# (no mail server configured when it was made).
EMAIL_STATES = ("pending", "sending", "sent", "none")


class Notification(Base):
    """One thing that happened that a person needs to know, with a link.

    `message` is shown in the portal (behind sign-in). The email carries
    `email_subject` and `email_body` instead, written without the child's
    full name or any health detail.
    """

    __tablename__ = "notification"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    message: Mapped[str] = mapped_column(Text)
    link: Mapped[str] = mapped_column(String(300), default="")
    email_subject: Mapped[str] = mapped_column(String(200), default="")
    email_body: Mapped[str] = mapped_column(Text, default="")
    email_state: Mapped[str] = mapped_column(String(10), default="pending")
    emailed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]

    person: Mapped[Person] = relationship()
    case: Mapped[Case | None] = relationship()


class SentReminder(Base):
    """A reminder that has been sent; its unique key stops it going twice."""

    __tablename__ = "sent_reminder"

    id: Mapped[int] = mapped_column(primary_key=True)
    # e.g. "advice:12:2027-01-15:overdue:7" (what, which date, which state, to whom)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    sent_on: Mapped[date]
    notification_id: Mapped[int | None] = mapped_column(ForeignKey("notification.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
