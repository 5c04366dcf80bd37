"""Notifications that say what happened: in the portal and by email.

Each `notify_*` function adds `Notification` rows in the caller's
transaction; nothing is emailed until that transaction commits.
`deliver_pending` then emails each row exactly once: a row is claimed
(`pending` -> `sending`) by a conditional UPDATE, so two processes never
both send it. A failed send puts it back to `pending` for the next run of
`send-reminders`.

Emails never carry the child's full name or any health detail: they name
the case by its reference and link to the portal, which asks for sign-in.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select, update

from portal import domain, guidance
from portal.config import Settings
from portal.models import (
    Case,
    Document,
    Membership,
    Notification,
    Person,
    Session,
    utcnow,
)
from portal.services import mail

# Advice from these disciplines is health information: an email says only
# that "advice" came in, not which kind.
HEALTH_DISCIPLINES = frozenset(
    {
        "paediatrician",
        "camhs_clinician",
        "school_nurse",
        "audiologist",
        "speech_language_therapist",
        "occupational_therapist",
        "physiotherapist",
    }
)
FAMILY_ROLES = ("parent", "young_person")
KIND_LABELS = {
    "advice_submitted": "Advice submitted",
    "draft_shared": "Draft plan shared",
    "comment_added": "A comment needs you",
    "change_proposed": "A proposed change needs you",
    "plan_issued": "Final plan issued",
    "reminder": "Reminder",
}
NEW_IDS = "notify.new_ids"
READY_IDS = "notify.ready_ids"


@dataclass(frozen=True)
class Email:
    """What the email says, without the child's name or health details."""

    subject: str
    body: str


def case_path(case: Case) -> str:
    return f"/cases/{case.id}"


def document_path(doc: Document) -> str:
    return f"/documents/{doc.id}"


def case_ref(case: Case) -> str:
    """How an email names a case: its reference, never the child."""
    return f"case {case.la_reference}" if case.la_reference else f"case {case.id}"


def _on(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def add(
    session: Session,
    person: Person,
    case: Case | None,
    kind: str,
    message: str,
    link: str,
    email: Email,
) -> Notification:
    """Tell one person something; the email goes after the transaction commits."""
    note = Notification(
        person_id=person.id,
        case_id=case.id if case else None,
        kind=kind,
        message=message,
        link=link,
        email_subject=email.subject,
        email_body=email.body,
        email_state="pending",
    )
    session.add(note)
    session.flush()
    session.info.setdefault(NEW_IDS, []).append(note.id)
    return note


def _members(case: Case, roles: Iterable[str], but: Person | None) -> list[Membership]:
    wanted = set(roles)
    return [
        m
        for m in case.memberships
        if m.role in wanted and (but is None or m.person_id != but.id)
    ]


def advice_submitted(session: Session, doc: Document, by: Person) -> None:
    """Tell the caseworkers who submitted which advice, and how much is in."""
    case = doc.case
    advice = list(
        session.scalars(
            select(Document).where(
                Document.case_id == case.id, Document.kind == "advice"
            )
        )
    )
    done = sum(d.status == "submitted" for d in advice)
    tally = f"{done} of {len(advice)} pieces of advice are now in."
    who = by.name
    if doc.owner is not None and doc.owner.discipline:
        # "Tom Brennan, Social care (children's or adult)": labels hold brackets.
        who += f", {domain.discipline_label(doc.owner.discipline)},"
    message = f"{who} submitted {doc.title} for {case.child_name}. {tally}"
    what = "advice" if doc.discipline in HEALTH_DISCIPLINES else doc.title
    email = Email(
        f"Advice submitted on {case_ref(case)}",
        f"{by.name} submitted {what} on {case_ref(case)}. {tally}",
    )
    for m in _members(case, ["caseworker"], by):
        add(
            session,
            m.person,
            case,
            "advice_submitted",
            message,
            document_path(doc),
            email,
        )


def draft_shared(
    session: Session, case: Case, by: Person, comments_until: date
) -> None:
    """Tell the family what they are asked to do by when, and the
    professionals that they can read the draft."""
    child = guidance.first_name(case.child_name)
    until = _on(comments_until)
    asked = (
        f"Please read it and, by {until}, tell the caseworker what you think, "
        "ask to meet them if you want to, and say which school or college you "
        "would like named in Section I."
    )
    for m in _members(case, FAMILY_ROLES, by):
        add(
            session,
            m.person,
            case,
            "draft_shared",
            f"The draft EHC plan for {child} is ready. {asked}",
            case_path(case),
            Email(
                f"Draft EHC plan ready to comment on: {case_ref(case)}",
                f"The draft EHC plan on {case_ref(case)} is ready. {asked}",
            ),
        )
    for m in _members(case, ["professional"], by):
        add(
            session,
            m.person,
            case,
            "draft_shared",
            f"The draft EHC plan for {child} is shared. The family can comment "
            f"until {until}.",
            case_path(case),
            Email(
                f"Draft EHC plan shared: {case_ref(case)}",
                f"The draft EHC plan on {case_ref(case)} is shared with the "
                f"family and professionals. The family can comment until {until}.",
            ),
        )


def comment_needs_caseworker(
    session: Session,
    case: Case,
    by: Person,
    document: Document,
    *,
    proposed_change: bool = False,
    link: str | None = None,
) -> None:
    """Tell the caseworkers that a comment (or a proposed change) on
    `document` waits for them. `link` defaults to the document's page."""
    what = "proposed a change to" if proposed_change else "left a comment on"
    kind = "change_proposed" if proposed_change else "comment_added"
    message = (
        f"{by.name} {what} {document.title} for {case.child_name}. It needs your reply."
    )
    email = Email(
        f"{'A proposed change' if proposed_change else 'A comment'} needs you: "
        f"{case_ref(case)}",
        f"{by.name} {what} a document on {case_ref(case)}. It needs your reply.",
    )
    for m in _members(case, ["caseworker"], by):
        add(
            session,
            m.person,
            case,
            kind,
            message,
            link or document_path(document),
            email,
        )


def plan_issued(session: Session, case: Case, by: Person, on: date) -> None:
    """Tell everyone else on the case that the final plan is issued."""
    child = guidance.first_name(case.child_name)
    for m in _members(case, ["caseworker", *FAMILY_ROLES, "professional"], by):
        extra = (
            " If you disagree with it, ask the caseworker about mediation and "
            "your right to appeal."
            if m.role in FAMILY_ROLES
            else ""
        )
        add(
            session,
            m.person,
            case,
            "plan_issued",
            f"The final EHC plan for {child} was issued on {_on(on)}.{extra}",
            case_path(case),
            Email(
                f"Final EHC plan issued: {case_ref(case)}",
                f"The final EHC plan on {case_ref(case)} was issued on {_on(on)}.{extra}",
            ),
        )


def recent_for(session: Session, person: Person, limit: int = 20) -> list[Notification]:
    """The person's newest notifications, unread ones included."""
    stmt = (
        select(Notification)
        .where(Notification.person_id == person.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(limit)
    )
    return list(session.scalars(stmt))


def unread_count(session: Session, person: Person) -> int:
    """How many of the person's notifications they have not seen."""
    stmt = select(Notification.id).where(
        Notification.person_id == person.id, Notification.read_at.is_(None)
    )
    return len(list(session.scalars(stmt)))


def mark_read(session: Session, notes: Iterable[Notification]) -> None:
    """The person has seen these."""
    now = utcnow()
    for note in notes:
        if note.read_at is None:
            note.read_at = now


def email_text(note: Notification, base_url: str) -> str:
    """The email's body: what happened, and a link that asks for sign-in."""
    return (
        f"{note.email_body}\n\nSign in to the EHCP portal to see it:\n"
        f"{base_url.rstrip('/')}{note.link or '/'}\n\n"
        "This email does not include the child's name or personal details. "
        "They are in the portal, which asks you to sign in.\n"
    )


def deliver_pending(
    session: Session,
    settings: Settings,
    base_url: str,
    ids: Iterable[int] | None = None,
) -> list[Notification]:
    """Email pending notifications (only `ids`, if given), each once;
    commits as it goes and returns those sent."""
    stmt = select(Notification.id).where(Notification.email_state == "pending")
    if ids is not None:
        stmt = stmt.where(Notification.id.in_(list(ids)))
    wanted = list(session.scalars(stmt.order_by(Notification.id)))
    if not mail.is_configured(settings):
        # No mail service: these stay in the portal and are never emailed later.
        session.execute(
            update(Notification)
            .where(Notification.id.in_(wanted), Notification.email_state == "pending")
            .values(email_state="none")
        )
        session.commit()
        return []
    sent = []
    for note_id in wanted:
        note = _claim(session, note_id)
        if note is None:
            continue  # another process has it
        try:
            mail.send(
                settings,
                note.person.email,
                note.email_subject,
                email_text(note, base_url),
            )
        except OSError:
            note.email_state = "pending"
            session.commit()
            continue
        note.email_state = "sent"
        note.emailed_at = utcnow()
        session.commit()
        sent.append(note)
    return sent


def _claim(session: Session, note_id: int) -> Notification | None:
    claimed = session.execute(
        update(Notification)
        .where(Notification.id == note_id, Notification.email_state == "pending")
        .values(email_state="sending")
        .execution_options(synchronize_session=False)
    )
    session.commit()
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        return None
    return session.get(Notification, note_id, populate_existing=True)
