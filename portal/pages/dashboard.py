"""Home: the caseworker's dashboard and the contributor's "what I am asked to write"."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask import Blueprint, render_template, request
from werkzeug.wrappers import Response

from auth import access, policy
from auth.sessions import login_required, signed_in_person
from portal import guidance
from portal.extensions import db
from portal.models import Case, Document, Membership
from portal.pages.documents import words_for
from portal.services import cases, documents, notify, timeline

bp = Blueprint("pages", __name__)


@dataclass
class FamilyPart:
    """What a family member co-writes on a case, and the child's words they read."""

    note: str
    section_a: Document | None = None
    child_pages: list[Document] = field(default_factory=list)


def family_part(case: Case, membership: Membership) -> FamilyPart | None:
    """Section A and the child's "All about me" for a parent or young person."""
    if membership.role not in guidance.FAMILY_ROLES:
        return None
    part = FamilyPart(
        guidance.section_a_note(guidance.first_name(case.child_name), membership.role)
    )
    member = access.member_facts(membership)
    for doc in cases.case_documents(db.session, case):
        level = policy.document_access(member, access.doc_facts(doc, case))
        if doc.section == "A" and level >= policy.Access.READ:
            part.section_a = doc
        elif (
            doc.discipline == guidance.CHILD
            and doc.owner_membership_id != membership.id
            and level >= policy.Access.READ
        ):
            part.child_pages.append(doc)
    return part


@bp.get("/")
@login_required
def home() -> str | Response:
    """Cases the person manages, sorted by urgency, and what they are asked to write."""
    person = signed_in_person()
    today = date.today()
    managed, contributing = [], []
    for case, membership in cases.cases_for(db.session, person):
        if policy.manages_case(access.member_facts(membership)):
            docs = cases.case_documents(db.session, case)
            managed.append(
                (
                    case,
                    cases.position(case, docs, today),
                    timeline.build(case, docs, today),
                )
            )
        else:
            asked = [
                (doc, words_for(doc, membership))
                for doc in documents.advice_of(db.session, membership)
            ]
            contributing.append(
                (case, membership, asked, family_part(case, membership))
            )
    sort = request.args.get("sort", "urgency")
    if sort == "name":
        managed.sort(key=lambda item: item[0].child_name.lower())
    else:
        managed.sort(key=lambda item: attention_key(item[2], item[1]))
    notes = notify.recent_for(db.session, person)
    unread = {n.id for n in notes if n.read_at is None}
    page = render_template(
        "home.html",
        managed=managed,
        contributing=contributing,
        notes=notes,
        unread=unread,
        overdue_cases=sum(line.overdue_count() > 0 for _, _, line in managed),
        due_cases=sum(line.due_this_week() > 0 for _, _, line in managed),
        sort=sort,
        today=today,
        guidance_for=guidance.for_discipline,
        case_intro=guidance.case_intro,
        kind_labels=notify.KIND_LABELS,
    )
    # Seen now: marked read once the list has been rendered for the person.
    notify.mark_read(db.session, notes)
    db.session.commit()
    return page


def attention_key(line: timeline.Timeline, pos: cases.Position) -> tuple[int, ...]:
    """Overdue first (most first), then due this week, then fewest days left."""
    overdue, due = line.overdue_count(), line.due_this_week()
    return (0 if overdue else 1, -overdue, 0 if due else 1, -due, pos.days_to_final)


@bp.get("/health")
def health() -> dict[str, str]:
    """For load balancers: the app is up and the database answers."""
    db.session.execute(db.text("SELECT 1"))
    return {"status": "ok"}
