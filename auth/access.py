"""Bridges models to the pure policy: loads the facts and asks `auth.policy`."""

from __future__ import annotations

from collections.abc import Callable

from auth import policy
from auth.policy import Access
from portal.doclog import reading
from portal.doclog.statements import AccessFacts, read_access_facts
from portal.errors import NotAllowed, NotFound
from portal.models import (
    Case,
    Document,
    DocumentImage,
    DocumentRecording,
    Membership,
    Person,
    Session,
)
from portal.services import images, recordings, review
from portal.services.cases import case_documents, membership_of


def member_facts(membership: Membership | None) -> policy.Member | None:
    """The policy's view of a membership."""
    if membership is None:
        return None
    return policy.Member(role=membership.role, membership_id=membership.id)


def doc_facts(doc: Document, case: Case) -> policy.DocFacts:
    """The policy's view of a document."""
    return policy.DocFacts(
        kind=doc.kind,
        section=doc.section,
        owner_membership_id=doc.owner_membership_id,
        status=doc.status,
        draft_shared=case.draft_shared,
        discipline=doc.discipline,
    )


def readable_documents(
    session: Session, membership: Membership, case: Case
) -> list[Document]:
    """The case's documents the member may read (READ or more), in case order."""
    member = member_facts(membership)
    return [
        doc
        for doc in case_documents(session, case)
        if policy.document_access(member, doc_facts(doc, case)) >= Access.READ
    ]


def assistant_scope(
    session: Session, membership: Membership, case: Case
) -> review.Scope:
    """What the writing assistant may read for this member, and whether findings
    about advice are theirs (`view_findings`)."""
    return review.Scope(
        documents=readable_documents(session, membership, case),
        advice_findings=policy.can_on_case(member_facts(membership), "view_findings"),
    )


def access_to(session: Session, person: Person, doc: Document) -> Access:
    """The person's access to a document."""
    membership = membership_of(session, person, doc.case_id)
    return policy.document_access(member_facts(membership), doc_facts(doc, doc.case))


def require_case(
    session: Session, person: Person, case_id: int, action: str = "view"
) -> tuple[Case, Membership]:
    """The case and the person's membership, or NotFound/NotAllowed.

    A person who is not on the case gets NotFound, so case ids reveal nothing.
    """
    case = session.get(Case, case_id)
    membership = membership_of(session, person, case_id) if case else None
    if case is None or membership is None:
        raise NotFound("We could not find that case.")
    if not policy.can_on_case(member_facts(membership), action):
        raise NotAllowed("Only the caseworker can do that on this case.")
    return case, membership


def require_case_records(
    session: Session,
    person: Person,
    case_id: int,
    allowed: Callable[[policy.Member | None, bool], bool],
) -> tuple[Case, Membership | None]:
    """The case, for its records (audit, export, erasure): an admin needs no
    membership. `allowed` is a policy check such as `policy.can_export_case`.

    Someone neither on the case nor an admin gets NotFound, as `require_case`.
    """
    case = session.get(Case, case_id)
    membership = membership_of(session, person, case_id) if case else None
    if case is None or (membership is None and not person.is_admin):
        raise NotFound("We could not find that case.")
    if not allowed(member_facts(membership), person.is_admin):
        raise NotAllowed("Only the caseworker or an admin can do that on this case.")
    return case, membership


def require_document(
    session: Session, person: Person, doc_id: int, needed: Access = Access.READ
) -> tuple[Document, Membership, Access]:
    """The document, the person's membership and access, or NotFound/NotAllowed."""
    doc = session.get(Document, doc_id)
    membership = membership_of(session, person, doc.case_id) if doc else None
    if doc is None or membership is None:
        raise NotFound("We could not find that document.")
    access = policy.document_access(member_facts(membership), doc_facts(doc, doc.case))
    if access == Access.NONE:
        raise NotAllowed(
            "This document is not shared with you. Ask the caseworker if you need to see it."
        )
    if access < needed:
        raise NotAllowed(
            f"You can {access.label} this document but not {needed.label} it."
        )
    return doc, membership, access


def access_from_facts(facts: AccessFacts | None) -> Access:
    """The access the policy gives, from facts read with the document log."""
    if facts is None or facts.role is None or facts.membership_id is None:
        return Access.NONE
    return policy.document_access(
        policy.Member(role=facts.role, membership_id=facts.membership_id),
        policy.DocFacts(
            kind=facts.kind,
            section=facts.section,
            owner_membership_id=facts.owner_membership_id,
            status=facts.status,
            draft_shared=facts.draft_shared,
            discipline=facts.discipline,
        ),
    )


def write_refusal(facts: AccessFacts | None) -> str | None:
    """Why a person may not write to a document now, or None: the committer's
    check, made again inside every append transaction."""
    if facts is None:
        return "That document no longer exists."
    level = access_from_facts(facts)
    if level >= Access.EDIT:
        return None
    if level == Access.NONE:
        return "You no longer have access to this document."
    if facts.kind == "advice" and facts.status == "submitted":
        return "This advice has been submitted, so it can no longer be changed."
    return f"You can {level.label} this document but not edit it."


def access_map(
    session: Session, pairs: set[tuple[int, int]]
) -> dict[tuple[int, int], Access]:
    """The access of many (document id, person id) pairs, in one query."""
    facts = read_access_facts(session, pairs)
    return {pair: access_from_facts(facts.get(pair)) for pair in pairs}


def require_image(
    session: Session, person: Person, doc_id: int, image_id: int
) -> DocumentImage:
    """A picture the person may see, or NotFound (never NotAllowed: whether a
    picture exists is itself not for them to learn)."""
    image = session.get(DocumentImage, image_id)
    if image is None or not _may_see_attachment(
        session,
        person,
        doc_id,
        image.document_id,
        lambda text: images.quotes_image(text, doc_id, image_id),
    ):
        raise NotFound("We could not find that picture.")
    return image


def require_recording(
    session: Session, person: Person, doc_id: int, recording_id: int
) -> DocumentRecording:
    """A recording the person may hear, or NotFound (as `require_image`)."""
    recording = session.get(DocumentRecording, recording_id)
    if recording is None or not _may_see_attachment(
        session,
        person,
        doc_id,
        recording.document_id,
        lambda text: recordings.quotes_recording(text, doc_id, recording_id),
    ):
        raise NotFound("We could not find that recording.")
    return recording


def _may_see_attachment(
    session: Session,
    person: Person,
    doc_id: int,
    uploaded_to: int,
    is_quoted_in: Callable[[str], bool],
) -> bool:
    """Whether the person may see an attachment uploaded to document
    `uploaded_to` under the address of `doc_id`: as a reader of that document,
    or of a plan section whose text quotes it (`is_quoted_in`)."""
    doc = session.get(Document, doc_id)
    membership = membership_of(session, person, doc.case_id) if doc else None
    if doc is None or uploaded_to != doc.id or not membership:
        return False
    member = member_facts(membership)
    origin_facts = doc_facts(doc, doc.case)
    origin = policy.document_access(member, origin_facts)
    # The common case, the document's own readers, needs no text at all.
    if policy.can_see_attachment(origin):
        return True
    from_family = (
        doc.owner is not None and doc.owner.role in policy.FAMILY_ROLES
    ) or policy.family_may_edit(origin_facts)
    for section in case_documents(session, doc.case):
        facts = doc_facts(section, doc.case)
        level = policy.document_access(member, facts)
        if (
            section.kind != "plan_section"
            or section.id == doc.id
            or level < Access.READ
        ):
            continue
        may_see = policy.can_see_attachment(
            origin,
            level,
            quoted_where_family_writes=policy.family_may_edit(facts),
            origin_is_family_writing=from_family,
        )
        if may_see and is_quoted_in(reading.document_text(session, section.id)):
            return True
    return False
