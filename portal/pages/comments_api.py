"""Comments and proposed changes: the JSON API (bearer tokens, and the
browser with `X-CSRFToken`). Its errors are answered as `{"error": ...}`."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, g, jsonify, request
from werkzeug.wrappers import Response

from auth.sessions import current_person
from portal.errors import InvalidInput, NotAllowed
from portal.extensions import csrf, db
from portal.models import Comment
from portal.pages.comments import Context, author_name
from portal.services import comments

bp = Blueprint("comments_api", __name__, url_prefix="/api/documents")


class _Unauthorised(NotAllowed):
    status_code = 401

    def __init__(self) -> None:
        super().__init__(
            "Send a valid token in the header 'Authorization: Bearer TOKEN'."
        )


@bp.after_request
def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    if response.status_code == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="ehcp"'
    return response


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
        "author": author_name(row),
        "author_role": row.author_role,
        "body": row.body,
        "created_at": row.created_at.isoformat(),
    }


def threads_view(ctx: Context) -> list[dict[str, Any]]:
    """The document's threads as the page and the API show them to this reader."""
    return [_thread_json(ctx, t) for t in comments.threads_of(db.session, ctx.doc)]


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


@bp.get("/<int:doc_id>/comments")
def list_comments(doc_id: int) -> Response:
    """The document's comments and proposals, and what the caller may do."""
    ctx = _api_context(doc_id)
    return jsonify(
        comments=threads_view(ctx),
        can_comment=ctx.may_comment,
        can_propose=ctx.may_propose,
        can_decide=ctx.may_decide,
    )


@bp.post("/<int:doc_id>/comments")
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


@bp.post("/<int:doc_id>/comments/<int:comment_id>/replies")
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


@bp.post("/<int:doc_id>/comments/<int:comment_id>/status")
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


@bp.post("/<int:doc_id>/proposals")
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


@bp.post("/<int:doc_id>/proposals/<int:comment_id>/decision")
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
