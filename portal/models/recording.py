"""Voice recordings in a document, kept with the words said, typed by an adult."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base, utcnow


class DocumentRecording(Base):
    """A short recording a member added to a document (the child's voice).

    Like a picture, it belongs to the document it was uploaded to, and a plan
    section that quotes its address lets that section's readers hear it too.
    """

    __tablename__ = "document_recording"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id"), index=True)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    content_type: Mapped[str] = mapped_column(String(20))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    byte_size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    transcript: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
