"""Comments and proposed changes: the JSON API and the pages' forms.

`api` answers JSON (bearer tokens, and the browser with `X-CSRFToken`);
`bp` takes the document page's forms, which work without JavaScript, and
answers with a redirect back to the page. Every decision is the policy's.
"""

from __future__ import annotations

import re
from typing import Any

from flask import (
    Blueprint,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.wrappers import Response

from auth import access, policy
from auth.sessions import current_person, login_required, signed_in_person
from portal import domain
from portal.doclog import reading
from portal.errors import InvalidInput, NotAllowed
from portal.extensions import csrf, db
from portal.models import Comment, Document, Membership, Person
from portal.services import comments

api = Blueprint("comments_api", __name__, url_prefix="/api/documents")
bp = Blueprint("comments", __name__, url_prefix="/documents")


class _Unauthorised(NotAllowed):
    status_code = 401

    def __init__(self) -> None:
        super().__init__(
            "Send a valid token in the header 'Authorization: Bearer TOKEN'."
        )


@api.after_request
def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    if response.status_code == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="ehcp"'
    return response


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


def _thread_json(ctx: Context, thread: comments.Thread) -> dict[str, Any]:
    root = thread.root
    return {
        **_comment_json(root),
        "kind": root.kind,
        "source": root.source,
        "quote": root.quote,
        "anchor": (
            {"start": root.anchor_start, "end": root.anchor_end}
            if root.anchor_start
            else None
        ),
        "replacement": root.replacement,
        "status": root.status,
        "decided_by": root.decided_by.name if root.decided_by else None,
        "decided_at": root.decided_at.isoformat() if root.decided_at else None,
        "replies": [_comment_json(r) for r in thread.replies],
        "can_resolve": root.kind == "comment" and ctx.may_resolve(root),
        "can_decide": root.kind == "proposal"
        and root.status == "open"
        and ctx.may_decide,
    }


def _comment_json(row: Comment) -> dict[str, Any]:
    return {
        "id": row.id,
        "author": _author_name(row),
        "author_role": row.author_role,
        "body": row.body,
        "created_at": row.created_at.isoformat(),
    }


def _author_name(row: Comment) -> str:
    if row.source == "assistant":
        return "Writing assistant"
    return row.author.name if row.author else "Someone who has left the case"


def threads_view(ctx: Context) -> list[dict[str, Any]]:
    """The document's threads as the page and the API show them to this reader."""
    return [_thread_json(ctx, t) for t in comments.threads_of(db.session, ctx.doc)]


def page_context(ctx: Context, text: str | None = None) -> dict[str, Any]:
    """What documents/_comments.html needs for this reader (`text`: the
    document's text, when the caller has read it already)."""
    threads = comments.threads_of(db.session, ctx.doc)
    current = reading.document_text(db.session, ctx.doc.id) if text is None else text
    return {
        "comment_threads": [
            {
                "root": t.root,
                "author": _author_name(t.root),
                "replies": [(r, _author_name(r)) for r in t.replies],
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


# -- JSON API -----------------------------------------------------------------


def _api_context(doc_id: int) -> Context:
    person = current_person()
    if person is None:
        raise _Unauthorised()
    if request.method != "GET" and not g.get("via_token"):
        csrf.protect()  # the browser sends X-CSRFToken
    return Context(person, doc_id)


def _body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise InvalidInput("Send a JSON object.")
    return body


def _str(body: dict[str, Any], key: str) -> str:
    value = body.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidInput(f'"{key}" must be text.')
    return value


def _anchor(body: dict[str, Any]) -> comments.Anchor:
    raw = body.get("anchor")
    if raw is not None and not isinstance(raw, dict):
        raise InvalidInput('"anchor" must be {"start": ..., "end": ...} or null.')
    raw = raw or {}
    return comments.check_anchor(
        _str(body, "quote"), _str(raw, "start") or None, _str(raw, "end") or None
    )


def _one(ctx: Context, comment_id: int) -> tuple[Response, int]:
    thread = comments.thread_in(db.session, ctx.doc, comment_id)
    found = [t for t in comments.threads_of(db.session, ctx.doc) if t.root is thread]
    return jsonify(_thread_json(ctx, found[0])), 200


@api.get("/<int:doc_id>/comments")
def list_comments(doc_id: int) -> Response:
    """The document's comments and proposals, and what the caller may do."""
    ctx = _api_context(doc_id)
    return jsonify(
        comments=threads_view(ctx),
        can_comment=ctx.may_comment,
        can_propose=ctx.may_propose,
        can_decide=ctx.may_decide,
    )


@api.post("/<int:doc_id>/comments")
def create_comment(doc_id: int) -> tuple[Response, int]:
    """Comment on a passage (quote and anchor) or on the whole document."""
    ctx = _api_context(doc_id)
    ctx.require(ctx.may_comment, "You cannot comment on this document.")
    body = _body()
    row = comments.add_comment(
        db.session,
        ctx.doc,
        ctx.person,
        ctx.role_label,
        _str(body, "body"),
        _anchor(body),
    )
    db.session.commit()
    answer, _ = _one(ctx, row.id)
    return answer, 201


@api.post("/<int:doc_id>/comments/<int:comment_id>/replies")
def create_reply(doc_id: int, comment_id: int) -> tuple[Response, int]:
    """Reply to a comment or a proposal."""
    ctx = _api_context(doc_id)
    ctx.require(ctx.may_comment, "You cannot comment on this document.")
    thread = comments.thread_in(db.session, ctx.doc, comment_id)
    text = _str(_body(), "body")
    comments.reply_to(db.session, ctx.doc, thread, ctx.person, ctx.role_label, text)
    db.session.commit()
    answer, _ = _one(ctx, thread.id)
    return answer, 201


@api.post("/<int:doc_id>/comments/<int:comment_id>/status")
def set_comment_status(doc_id: int, comment_id: int) -> tuple[Response, int]:
    """Resolve a comment ({"status": "resolved"}) or reopen it ("open")."""
    ctx = _api_context(doc_id)
    thread = comments.thread_in(db.session, ctx.doc, comment_id)
    status = _body().get("status")
    if status not in ("resolved", "open"):
        raise InvalidInput('Send {"status": "resolved"} or {"status": "open"}.')
    ctx.require(
        ctx.may_resolve(thread),
        "Only the comment's author or someone who edits this document can do that.",
    )
    comments.set_resolved(db.session, ctx.doc, thread, ctx.person, status == "resolved")
    db.session.commit()
    return _one(ctx, thread.id)


@api.post("/<int:doc_id>/proposals")
def create_proposal(doc_id: int) -> tuple[Response, int]:
    """Propose replacement text for a passage, with a reason."""
    ctx = _api_context(doc_id)
    ctx.require(ctx.may_propose, "You cannot propose changes to this document.")
    body = _body()
    row = comments.propose(
        db.session,
        ctx.doc,
        ctx.person,
        ctx.role_label,
        _anchor(body),
        _str(body, "replacement"),
        _str(body, "reason"),
    )
    db.session.commit()
    answer, _ = _one(ctx, row.id)
    return answer, 201


@api.post("/<int:doc_id>/proposals/<int:comment_id>/decision")
def decide_proposal(doc_id: int, comment_id: int) -> tuple[Response, int]:
    """The caseworker accepts (after making the edit) or declines a proposal."""
    ctx = _api_context(doc_id)
    ctx.require(ctx.may_decide, "Only the caseworker decides proposed changes.")
    proposal = comments.thread_in(db.session, ctx.doc, comment_id)
    body = _body()
    comments.decide(
        db.session,
        ctx.doc,
        proposal,
        ctx.person,
        ctx.role_label,
        _str(body, "decision"),
        _str(body, "reply"),
    )
    db.session.commit()
    return _one(ctx, proposal.id)


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
