"""Signals that let `realtime` react to changes made through pages and the API
without `portal` importing `realtime`.

`access_changed` is sent after a commit that may change who can see or edit
documents of a case (member removed, draft shared or unshared, advice
submitted or reopened). Receivers get `case_id` and may get `document_id`.
Services announce such changes with `announce_access_change(session, ...)`;
the signal goes out only once that session's transaction has committed (a
receiver in another process must read the new state), and never if it
rolls back.
"""

from __future__ import annotations

from typing import Any

from blinker import Namespace
from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from portal.models import Session as AnySession

_signals = Namespace()

access_changed = _signals.signal("access-changed")

# Sent after a commit that added, answered, resolved or decided a comment or
# proposed change on a document; receivers get `document_id`. The editors in
# that document's room refetch the comments (the event carries no content).
comments_changed = _signals.signal("comments-changed")

# Sent after a browser sign-in is ended (signing out); receivers get `sign_in_id`.
signed_out = _signals.signal("signed-out")

_PENDING = "portal.access_changes"
_PENDING_COMMENTS = "portal.comment_changes"


def announce_access_change(
    session: AnySession,
    case_id: int,
    document_id: int | None = None,
) -> None:
    """Send `access_changed` for a case (or one document) once `session` commits."""
    session.info.setdefault(_PENDING, []).append((case_id, document_id))


def announce_comments_change(session: AnySession, document_id: int) -> None:
    """Send `comments_changed` for a document once `session` commits."""
    session.info.setdefault(_PENDING_COMMENTS, []).append(document_id)


@event.listens_for(Session, "after_commit")
def _send_after_commit(session: Session) -> None:
    comment_docs: list[int] = session.info.pop(_PENDING_COMMENTS, [])
    if comment_docs and has_app_context():
        sender: Any = current_app._get_current_object()  # type: ignore[attr-defined]
        for doc_id in dict.fromkeys(comment_docs):
            comments_changed.send(sender, document_id=doc_id)
    pending: list[tuple[int, int | None]] = session.info.pop(_PENDING, [])
    if not pending or not has_app_context():
        return
    app: Any = current_app._get_current_object()  # type: ignore[attr-defined]
    for case_id, document_id in dict.fromkeys(pending):
        access_changed.send(app, case_id=case_id, document_id=document_id)


@event.listens_for(Session, "after_transaction_end")
def _forget_after_rollback(session: Session, transaction: SessionTransaction) -> None:
    # After a commit the list is already gone; after a rollback, drop it.
    if transaction.parent is None:
        session.info.pop(_PENDING, None)
        session.info.pop(_PENDING_COMMENTS, None)
