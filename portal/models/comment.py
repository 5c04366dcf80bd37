"""Comments on documents, and proposed changes to their text.

One table serves both, and people and the writing assistant alike: a thread
starts with a comment (`kind="comment"`) or a proposal (`kind="proposal"`,
with `replacement` text), replies point at it with `parent_id`. A passage is
anchored to the text by two Yjs relative positions, encoded by the browser
(`Y.encodeRelativePosition`) and kept as opaque base64: the server never
decodes them; clients resolve them against the live document. `quote` keeps
the words as they were, so a comment whose passage was deleted still says
what it was about.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, utcnow
from portal.models.document import Document
from portal.models.person import Person

COMMENT_KINDS = ("comment", "proposal")
# Comments: open -> resolved (and back). Proposals: open -> accepted | declined.
COMMENT_STATUSES = ("open", "resolved", "accepted", "declined")
# Who wrote it: a person, or the writing assistant (then `author_id` is the
# person who asked for the check and recorded the decision).
COMMENT_SOURCES = ("person", "assistant")


class Comment(Base):
    """A comment or proposed change on a document, or a reply to one."""

    __tablename__ = "comment"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("comment.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20), default="comment")
    source: Mapped[str] = mapped_column(String(20), default="person")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    # The author's role on the case when they wrote it ("Parent or carer").
    author_role: Mapped[str] = mapped_column(String(60), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    quote: Mapped[str] = mapped_column(Text, default="")
    anchor_start: Mapped[str | None] = mapped_column(String(400))
    anchor_end: Mapped[str | None] = mapped_column(String(400))
    replacement: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="open")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    decided_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    document: Mapped[Document] = relationship()
    author: Mapped[Person | None] = relationship(foreign_keys=[author_id])
    decided_by: Mapped[Person | None] = relationship(foreign_keys=[decided_by_id])
