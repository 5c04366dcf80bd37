"""Comments and proposed changes: the document page's panel and its forms.

The forms work without JavaScript and answer with a redirect back to the
page; `frontend/src/comments.js` sends the same forms with fetch and swaps
in the panel (`fragment`). The JSON API is `portal.pages.comments_api`.
Every decision is the policy's (`Context`).
"""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from auth import access, policy
from auth.sessions import login_required, signed_in_person
from portal import domain
from portal.doclog import reading
from portal.errors import NotAllowed
from portal.extensions import db
from portal.models import Comment, Document, Membership, Person
from portal.services import comments

bp = Blueprint("comments", __name__, url_prefix="/documents")


# -- what a reader may do ---------------------------------------------------


class Context:
    """A document with the reader's membership, access and what they may do."""

    def __init__(self, person: Person, doc_id: int) -> None:
        doc, membership, level = access.require_document(db.session, person, doc_id)
        self.person = person
        self.doc: Document = doc
        self.membership: Membership = membership
        self.level = level
        self.member = access.member_facts(membership)
        self.facts = access.doc_facts(doc, doc.case)

    @property
    def role_label(self) -> str:
        """How the reader's role is shown beside what they write."""
        return domain.ROLE_LABELS.get(self.membership.role, self.membership.role)

    @property
    def may_comment(self) -> bool:
        return policy.can_comment(self.level)

    @property
    def may_propose(self) -> bool:
        return policy.can_propose_change(self.member, self.facts, self.level)

    @property
    def may_decide(self) -> bool:
        return policy.can_decide_proposal(self.member, self.level)

    def may_resolve(self, thread: Comment) -> bool:
        """Whether the reader may resolve or reopen this thread."""
        return policy.can_resolve_comment(
            self.level, is_author=thread.author_id == self.person.id
        )

    def require(self, allowed: bool, why: str) -> None:
        """Refuse with `why` unless the policy allowed it."""
        if not allowed:
            raise NotAllowed(why)


def author_name(row: Comment) -> str:
    """Who wrote a comment, as the panel shows them."""
    if row.source == "assistant":
        return "Writing assistant"
    return row.author.name if row.author else "Someone who has left the case"


def page_context(ctx: Context, text: str | None = None) -> dict[str, Any]:
    """What documents/_comments.html needs for this reader (`text`: the
    document's text, when the caller has read it already)."""
    threads = comments.threads_of(db.session, ctx.doc)
    current = reading.document_text(db.session, ctx.doc.id) if text is None else text
    return {
        "comment_threads": [
            {
                "root": t.root,
                "author": author_name(t.root),
                "replies": [(r, author_name(r)) for r in t.replies],
                "can_resolve": t.root.kind == "comment" and ctx.may_resolve(t.root),
                "can_decide": t.root.kind == "proposal"
                and t.root.status == "open"
                and ctx.may_decide,
                # Without the editor the page cannot follow the anchors; a
                # quote the text no longer holds has changed or gone.
                "quote_missing": bool(t.root.quote)
                and _squash(t.root.quote) not in _squash(current),
            }
            for t in threads
        ],
        "comments_doc": ctx.doc,
        "may_comment": ctx.may_comment,
        "may_propose": ctx.may_propose,
        "may_decide": ctx.may_decide,
    }


def _squash(text: str) -> str:
    # Markdown marks and line breaks aside, the words in order.
    return " ".join(re.sub(r"[*_#>`\\]", " ", text).split())


@bp.get("/<int:doc_id>/comments")
@login_required
def fragment(doc_id: int) -> str:
    """The comments panel alone: the editor's script swaps it in when the
    room says comments changed."""
    ctx = _form_context(doc_id)
    return render_template("documents/_comments.html", **page_context(ctx))


# -- forms on the document page (no JavaScript needed) ------------------------


def _form_context(doc_id: int) -> Context:
    return Context(signed_in_person(), doc_id)


def _back(doc: Document, anchor: str = "comments") -> Response:
    return redirect(url_for("documents.show", doc_id=doc.id, _anchor=anchor))


def _form_anchor() -> comments.Anchor:
    form = request.form
    return comments.check_anchor(
        form.get("quote", ""),
        form.get("anchor_start") or None,
        form.get("anchor_end") or None,
    )


@bp.post("/<int:doc_id>/comments")
@login_required
def add(doc_id: int) -> Response:
    """Add a comment from the page's form."""
    ctx = _form_context(doc_id)
    ctx.require(ctx.may_comment, "You cannot comment on this document.")
    comments.add_comment(
        db.session,
        ctx.doc,
        ctx.person,
        ctx.role_label,
        request.form.get("body", ""),
        _form_anchor(),
    )
    db.session.commit()
    flash("Your comment has been added.")
    return _back(ctx.doc)


@bp.post("/<int:doc_id>/comments/<int:comment_id>/replies")
@login_required
def reply(doc_id: int, comment_id: int) -> Response:
    """Reply from the page's form."""
    ctx = _form_context(doc_id)
    ctx.require(ctx.may_comment, "You cannot comment on this document.")
    thread = comments.thread_in(db.session, ctx.doc, comment_id)
    comments.reply_to(
        db.session,
        ctx.doc,
        thread,
        ctx.person,
        ctx.role_label,
        request.form.get("body", ""),
    )
    db.session.commit()
    flash("Your reply has been added.")
    return _back(ctx.doc, f"comment-{thread.id}")


@bp.post("/<int:doc_id>/comments/<int:comment_id>/status")
@login_required
def status(doc_id: int, comment_id: int) -> Response:
    """Resolve or reopen from the page's form."""
    ctx = _form_context(doc_id)
    thread = comments.thread_in(db.session, ctx.doc, comment_id)
    ctx.require(
        ctx.may_resolve(thread),
        "Only the comment's author or someone who edits this document can do that.",
    )
    resolved = request.form.get("status") == "resolved"
    comments.set_resolved(db.session, ctx.doc, thread, ctx.person, resolved)
    db.session.commit()
    flash("The comment is resolved." if resolved else "The comment is open again.")
    return _back(ctx.doc, f"comment-{thread.id}")


@bp.post("/<int:doc_id>/proposals")
@login_required
def add_proposal(doc_id: int) -> Response:
    """Propose a change from the page's form."""
    ctx = _form_context(doc_id)
    ctx.require(ctx.may_propose, "You cannot propose changes to this document.")
    comments.propose(
        db.session,
        ctx.doc,
        ctx.person,
        ctx.role_label,
        _form_anchor(),
        request.form.get("replacement", ""),
        request.form.get("reason", ""),
    )
    db.session.commit()
    flash("Your proposed change has been sent to the caseworker.")
    return _back(ctx.doc)


@bp.post("/<int:doc_id>/proposals/<int:comment_id>/decision")
@login_required
def decision(doc_id: int, comment_id: int) -> Response:
    """Decline (or record accepting) a proposal from the page's form."""
    ctx = _form_context(doc_id)
    ctx.require(ctx.may_decide, "Only the caseworker decides proposed changes.")
    proposal = comments.thread_in(db.session, ctx.doc, comment_id)
    chosen = request.form.get("decision", "")
    comments.decide(
        db.session,
        ctx.doc,
        proposal,
        ctx.person,
        ctx.role_label,
        chosen,
        request.form.get("reply", ""),
    )
    db.session.commit()
    flash(f"The proposed change is {chosen}.")
    return _back(ctx.doc, f"comment-{proposal.id}")
