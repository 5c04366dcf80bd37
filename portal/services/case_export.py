"""Everything held about a case, as one ZIP (a subject access request).

The archive is built by a list of parts (`PARTS`); each takes the case and
yields files as (path in the archive, bytes). Documents come as Markdown,
everything else as JSON, the audit trail as JSON and CSV. A new kind of
record (comments, say) is one more part appended to `PARTS`.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from portal.doclog import changes, reading
from portal.models import (
    Case,
    Comment,
    Document,
    DocumentImage,
    DocumentRecording,
    DraftProposal,
    Excerpt,
    FindingDismissal,
    Invitation,
    Person,
    Session,
    Version,
)
from portal.services import audit
from portal.services.cases import case_documents

ExportFile = tuple[str, bytes]
Part = Callable[["Export"], Iterator[ExportFile]]
EXTENSIONS = {"image/png": "png", "image/jpeg": "jpg", "image/webp": "webp"}


@dataclass
class Export:
    """What every part needs: the session, the case and its documents."""

    session: Session
    case: Case
    documents: list[Document]

    def doc_name(self, doc: Document) -> str:
        """A stable file name for a document: its position and title."""
        slug = re.sub(r"[^a-z0-9]+", "-", doc.title.lower()).strip("-")[:60]
        return f"{self.documents.index(doc) + 1:02d}-{slug or 'document'}"


def as_json(value: Any) -> bytes:
    """Readable JSON; dates and times as ISO 8601 text."""

    def default(v: Any) -> str:
        if isinstance(v, date | datetime):
            return v.isoformat()
        raise TypeError(f"Cannot put {type(v).__name__} in the export.")

    return json.dumps(value, indent=2, ensure_ascii=False, default=default).encode()


def _name(session: Session, person_id: int | None) -> str | None:
    person = session.get(Person, person_id) if person_id is not None else None
    return person.name if person else None


def case_part(ex: Export) -> Iterator[ExportFile]:
    """case.json: the child, the dates, the members and the invitations."""
    c = ex.case
    invitations = ex.session.scalars(
        select(Invitation).where(Invitation.case_id == c.id).order_by(Invitation.id)
    )
    yield (
        "case.json",
        as_json(
            {
                "id": c.id,
                "child_name": c.child_name,
                "child_date_of_birth": c.child_date_of_birth,
                "year_group": c.year_group,
                "setting": c.setting,
                "la_reference": c.la_reference,
                "primary_need": c.primary_need,
                "status": c.status,
                "request_date": c.request_date,
                "decision_to_assess_date": c.decision_to_assess_date,
                "draft_issued_date": c.draft_issued_date,
                "final_issued_date": c.final_issued_date,
                "draft_shared": c.draft_shared,
                "created_at": c.created_at,
                "closed_at": c.closed_at,
                "members": [
                    {
                        "name": m.person.name,
                        "email": m.person.email,
                        "role": m.role,
                        "discipline": m.discipline,
                        "organisation": m.organisation,
                        "job_title": m.job_title,
                        "joined_at": m.created_at,
                        "first_read_at": m.first_read_at,
                    }
                    for m in sorted(c.memberships, key=lambda m: m.id)
                ],
                # The token hash is a credential, not information about anyone.
                "invitations": [
                    {
                        "email": i.email,
                        "role": i.role,
                        "discipline": i.discipline,
                        "organisation": i.organisation,
                        "job_title": i.job_title,
                        "invited_by": _name(ex.session, i.invited_by_id),
                        "created_at": i.created_at,
                        "expires_at": i.expires_at,
                        "used_at": i.used_at,
                    }
                    for i in invitations
                ],
            }
        ),
    )


def documents_part(ex: Export) -> Iterator[ExportFile]:
    """documents/NN-title.md: each document's current text, and documents.json."""
    listing = []
    for doc in ex.documents:
        path = f"documents/{ex.doc_name(doc)}.md"
        text = reading.document_text(ex.session, doc.id)
        yield path, f"# {doc.title}\n\n{text}".encode()
        listing.append(
            {
                "file": path,
                "title": doc.title,
                "kind": doc.kind,
                "section": doc.section,
                "discipline": doc.discipline,
                "author": doc.owner.person.name if doc.owner else doc.source_author,
                "status": doc.status,
                "due_date": doc.due_date,
                "created_at": doc.created_at,
                "submitted_at": doc.submitted_at,
            }
        )
    yield "documents.json", as_json(listing)


def versions_part(ex: Export) -> Iterator[ExportFile]:
    """versions/NN-title/VVV.md: every kept version, and versions.json."""
    listing = []
    for doc in ex.documents:
        rows = ex.session.scalars(
            select(Version).where(Version.document_id == doc.id).order_by(Version.id)
        )
        for n, version in enumerate(rows, start=1):
            path = f"versions/{ex.doc_name(doc)}/{n:03d}.md"
            yield path, f"# {doc.title}: {version.label}\n\n{version.text}".encode()
            listing.append(
                {
                    "file": path,
                    "document": doc.title,
                    "label": version.label,
                    "created_by": _name(ex.session, version.created_by_id),
                    "created_at": version.created_at,
                }
            )
    yield "versions.json", as_json(listing)


def attachments_part(ex: Export) -> Iterator[ExportFile]:
    """attachments/: pictures and voice notes as files, described in JSON."""
    ids = [d.id for d in ex.documents]
    by_id = {d.id: d for d in ex.documents}
    listing = []
    for image in ex.session.scalars(
        select(DocumentImage).where(DocumentImage.document_id.in_(ids))
    ):
        path = f"attachments/picture-{image.id}.{EXTENSIONS.get(image.content_type, 'bin')}"
        yield path, image.data
        listing.append(
            {
                "file": path,
                "document": by_id[image.document_id].title,
                "description": image.alt,
                "uploaded_by": _name(ex.session, image.uploaded_by_id),
                "created_at": image.created_at,
            }
        )
    for rec in ex.session.scalars(
        select(DocumentRecording).where(DocumentRecording.document_id.in_(ids))
    ):
        path = f"attachments/voice-note-{rec.id}.{rec.content_type.split('/')[-1]}"
        yield path, rec.data
        listing.append(
            {
                "file": path,
                "document": by_id[rec.document_id].title,
                "transcript": rec.transcript,
                "uploaded_by": _name(ex.session, rec.uploaded_by_id),
                "created_at": rec.created_at,
            }
        )
    yield "attachments.json", as_json(listing)


def drafting_part(ex: Export) -> Iterator[ExportFile]:
    """Passages taken into the plan, drafting proposals and dismissed checks."""
    case_id = ex.case.id
    excerpts = ex.session.scalars(select(Excerpt).where(Excerpt.case_id == case_id))
    yield (
        "plan-passages.json",
        as_json(
            [
                {
                    "section": e.section,
                    "quote": e.quote,
                    "source": e.source_title,
                    "source_author": e.source_author,
                    "source_date": e.source_date,
                    "created_at": e.created_at,
                }
                for e in excerpts
            ]
        ),
    )
    proposals = ex.session.scalars(
        select(DraftProposal).where(DraftProposal.case_id == case_id)
    )
    yield (
        "draft-proposals.json",
        as_json(
            [
                {
                    "section": p.section,
                    "recommendation": p.recommendation,
                    "text": p.text,
                    "status": p.status,
                    "decided_by": _name(ex.session, p.decided_by_id),
                    "decided_at": p.decided_at,
                }
                for p in proposals
            ]
        ),
    )
    dismissals = ex.session.scalars(
        select(FindingDismissal).where(FindingDismissal.case_id == case_id)
    )
    yield (
        "dismissed-checks.json",
        as_json(
            [
                {
                    "section": f.section,
                    "kind": f.kind,
                    "message": f.message,
                    "reason": f.reason,
                    "dismissed_by": f.dismissed_by.name,
                    "created_at": f.created_at,
                }
                for f in dismissals
            ]
        ),
    )


def comments_part(ex: Export) -> Iterator[ExportFile]:
    """comments.json: every comment, reply and proposed change, by document."""
    doc_ids = [d.id for d in ex.documents]
    rows = ex.session.scalars(
        select(Comment)
        .where(Comment.document_id.in_(doc_ids))
        .order_by(Comment.document_id, Comment.id)
    )
    names = {d.id: ex.doc_name(d) for d in ex.documents}
    yield (
        "comments.json",
        as_json(
            [
                {
                    "id": c.id,
                    "document": names[c.document_id],
                    "reply_to": c.parent_id,
                    "kind": c.kind,
                    "by": "Writing assistant"
                    if c.source == "assistant"
                    else _name(ex.session, c.author_id),
                    "role": c.author_role,
                    "passage": c.quote,
                    "text": c.body,
                    "proposed_words": c.replacement,
                    "status": c.status,
                    "decided_by": _name(ex.session, c.decided_by_id),
                    "decided_at": c.decided_at,
                    "created_at": c.created_at,
                }
                for c in rows
            ]
        ),
    )


def audit_part(ex: Export) -> Iterator[ExportFile]:
    """audit.csv and audit.json: the whole trail, newest first."""
    changes.summarise_case(ex.session, ex.case.id)
    events = list(audit.trail_events(ex.session, ex.case, audit.TrailFilter()))
    yield "audit.csv", "".join(audit.trail_csv(events)).encode()
    yield "audit.json", as_json([audit.event_json(e) for e in events])


PARTS: list[Part] = [
    case_part,
    documents_part,
    versions_part,
    attachments_part,
    drafting_part,
    comments_part,
    audit_part,
]


def export_case(session: Session, case: Case) -> bytes:
    """The ZIP of everything held about the case."""
    ex = Export(session, case, case_documents(session, case))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for part in PARTS:
            for path, data in part(ex):
                archive.writestr(f"case-{case.id}/{path}", data)
    return buffer.getvalue()
