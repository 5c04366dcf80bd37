"""Comments on documents and proposed changes to their text.

A thread starts with a comment or a proposal (`portal.models.Comment`);
replies hang off it. Callers have already asked `auth.policy` whether the
person may do this; these functions check the input, make the change, audit
it and announce it to the document's room once the session commits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import select

from portal import signals
from portal.errors import InvalidInput, NotFound
from portal.models import Comment, Document, Person, Session, utcnow
from portal.services import audit, notify

MAX_BODY = 5_000
MAX_QUOTE = 2_000
MAX_REPLACEMENT = 5_000
# An encoded Yjs relative position is a few dozen bytes; base64 of up to 300.
_ANCHOR = re.compile(r"^[A-Za-z0-9+/_-]{1,400}={0,2}$")
PROPOSAL_DECISIONS = ("accepted", "declined")


@dataclass
class Thread:
    """A comment or proposal with its replies, oldest first."""

    root: Comment
    replies: list[Comment] = field(default_factory=list)


@dataclass(frozen=True)
class Anchor:
    """A passage: the words as they were, and where they are (opaque to us)."""

    quote: str = ""
    start: str | None = None
    end: str | None = None


def check_anchor(quote: str, start: str | None, end: str | None) -> Anchor:
    """The passage a comment is about, checked: both positions or neither."""
    quote = quote.strip()
    if len(quote) > MAX_QUOTE:
        raise InvalidInput(
            f"The passage is too long to comment on (over {MAX_QUOTE:,} characters)."
            " Choose a shorter passage."
        )
    start, end = start or None, end or None
    if (start is None) != (end is None):
        raise InvalidInput("Send both ends of the passage, or neither.")
    for value in (start, end):
        if value is not None and not _ANCHOR.match(value):
            raise InvalidInput("The passage's position is not one this portal made.")
    if start is not None and not quote:
        raise InvalidInput("Quote the passage the comment is about.")
    return Anchor(quote, start, end)


def _text(value: str, what: str, limit: int) -> str:
    value = value.strip()
    if not value:
        raise InvalidInput(f"{what} is required.")
    if len(value) > limit:
        raise InvalidInput(f"{what} is too long (over {limit:,} characters).")
    return value


def threads_of(session: Session, doc: Document) -> list[Thread]:
    """The document's threads, oldest first; the assistant's decided rewrites
    (already applied or left) are kept as records, not shown as threads."""
    rows = session.scalars(
        select(Comment).where(Comment.document_id == doc.id).order_by(Comment.id)
    )
    threads: dict[int, Thread] = {}
    for row in rows:
        if row.parent_id is None:
            if row.source == "assistant" and row.status != "open":
                continue
            threads[row.id] = Thread(row)
        elif row.parent_id in threads:
            threads[row.parent_id].replies.append(row)
    return list(threads.values())


def thread_in(session: Session, doc: Document, comment_id: int) -> Comment:
    """A thread's first comment, if it belongs to this document."""
    comment = session.get(Comment, comment_id)
    if comment is None or comment.document_id != doc.id or comment.parent_id:
        raise NotFound("We could not find that comment on this document.")
    return comment


def _changed(session: Session, doc: Document) -> None:
    signals.announce_comments_change(session, doc.id)


def add_comment(
    session: Session,
    doc: Document,
    by: Person,
    role_label: str,
    body: str,
    anchor: Anchor,
) -> Comment:
    """Comment on a passage (or, with no quote, on the whole document)."""
    comment = Comment(
        document_id=doc.id,
        kind="comment",
        author_id=by.id,
        author_role=role_label,
        body=_text(body, "Your comment", MAX_BODY),
        quote=anchor.quote,
        anchor_start=anchor.start,
        anchor_end=anchor.end,
    )
    session.add(comment)
    session.flush()
    audit.record(
        session,
        "comment.added",
        actor=by,
        document=doc,
        comment=comment.id,
        passage=anchor.quote[:200],
    )
    notify.comment_needs_caseworker(session, doc.case, by, doc)
    _changed(session, doc)
    return comment


def reply_to(
    session: Session,
    doc: Document,
    thread: Comment,
    by: Person,
    role_label: str,
    body: str,
) -> Comment:
    """Add a reply at the end of a thread."""
    reply = Comment(
        document_id=doc.id,
        parent_id=thread.id,
        kind="comment",
        author_id=by.id,
        author_role=role_label,
        body=_text(body, "Your reply", MAX_BODY),
    )
    session.add(reply)
    session.flush()
    audit.record(session, "comment.replied", actor=by, document=doc, comment=thread.id)
    notify.comment_needs_caseworker(session, doc.case, by, doc)
    _changed(session, doc)
    return reply


def set_resolved(
    session: Session, doc: Document, thread: Comment, by: Person, resolved: bool
) -> None:
    """Mark a comment thread resolved, or open it again."""
    if thread.kind != "comment":
        raise InvalidInput("A proposed change is accepted or declined, not resolved.")
    thread.status = "resolved" if resolved else "open"
    thread.decided_by_id = by.id if resolved else None
    thread.decided_at = utcnow() if resolved else None
    action = "comment.resolved" if resolved else "comment.reopened"
    audit.record(session, action, actor=by, document=doc, comment=thread.id)
    _changed(session, doc)


def propose(
    session: Session,
    doc: Document,
    by: Person,
    role_label: str,
    anchor: Anchor,
    replacement: str,
    reason: str,
) -> Comment:
    """Propose replacement text for a passage, with the reason for it."""
    if not anchor.quote:
        raise InvalidInput("Choose the passage you want to change.")
    new_text = replacement.strip()
    if len(new_text) > MAX_REPLACEMENT:
        raise InvalidInput(
            f"The new text is too long (over {MAX_REPLACEMENT:,} characters)."
        )
    if new_text == anchor.quote:
        raise InvalidInput("The new text is the same as the passage.")
    proposal = Comment(
        document_id=doc.id,
        kind="proposal",
        author_id=by.id,
        author_role=role_label,
        body=_text(reason, "The reason for the change", MAX_BODY),
        quote=anchor.quote,
        anchor_start=anchor.start,
        anchor_end=anchor.end,
        replacement=new_text,
    )
    session.add(proposal)
    session.flush()
    audit.record(
        session,
        "proposal.made",
        actor=by,
        document=doc,
        comment=proposal.id,
        passage=anchor.quote[:200],
        replacement=new_text[:200],
    )
    notify.comment_needs_caseworker(session, doc.case, by, doc, proposed_change=True)
    _changed(session, doc)
    return proposal


def decide(
    session: Session,
    doc: Document,
    proposal: Comment,
    by: Person,
    role_label: str,
    decision: str,
    reply: str = "",
) -> Comment | None:
    """Accept or decline an open proposal, with an optional reply to its author.

    Accepting records the decision; the caseworker's editor makes the edit
    itself through Yjs, so everyone editing sees it and it is attributed.
    """
    if proposal.kind != "proposal":
        raise InvalidInput("Only a proposed change is accepted or declined.")
    if decision not in PROPOSAL_DECISIONS:
        raise InvalidInput('Choose "accepted" or "declined".')
    if proposal.status != "open":
        raise InvalidInput(f"This proposal was already {proposal.status}.")
    proposal.status = decision
    proposal.decided_by_id = by.id
    proposal.decided_at = utcnow()
    answer = None
    if reply.strip():
        answer = reply_to(session, doc, proposal, by, role_label, reply)
    audit.record(
        session, f"proposal.{decision}", actor=by, document=doc, comment=proposal.id
    )
    _changed(session, doc)
    return answer


def record_assistant_rewrite(
    session: Session,
    doc: Document,
    by: Person,
    decision: str,
    original: str,
    replacement: str,
    rule: str,
) -> Comment:
    """The writing assistant's rewrite, decided by `by`, kept as a proposal
    whose author is the assistant (`source="assistant"`)."""
    row = Comment(
        document_id=doc.id,
        kind="proposal",
        source="assistant",
        author_id=None,
        author_role="Writing assistant",
        body=rule[:500],
        quote=original[:MAX_QUOTE],
        replacement=replacement[:MAX_REPLACEMENT],
        status="accepted" if decision == "accepted" else "declined",
        decided_by_id=by.id,
        decided_at=utcnow(),
    )
    session.add(row)
    return row
