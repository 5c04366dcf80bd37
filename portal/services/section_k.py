"""Section K writes itself: the advice and information gathered for the plan.

The list is computed from the database every time it is shown, never typed
and never stored in the section's own document, so it cannot fall behind:
it holds each piece of advice submitted in the portal (professionals'
advice, the family's views, the child's "All about me") and each piece the
caseworker recorded as received outside the portal (`ExternalAdvice`).

Reopened advice leaves the list: it counts as received only while it is
submitted, and comes back, with the new date, when its author submits it
again. (The other choice, keeping the first date, would list as received
advice its author is still changing.)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from portal import domain
from portal.doclog import reading
from portal.errors import InvalidInput
from portal.models import Case, Document, ExternalAdvice, Person, Session
from portal.services import audit

SECTION = "K"


@dataclass(frozen=True)
class Entry:
    """One line of Section K."""

    title: str  # "Psychological advice"
    who: str
    role: str  # job title, or the adviser discipline when there is none
    organisation: str
    received_on: date
    document: Document | None = None  # advice written in the portal
    external: ExternalAdvice | None = None  # advice received outside it
    note: str = ""
    # When it was submitted or recorded: orders entries received on one day.
    at: datetime | None = None

    @property
    def outside_portal(self) -> bool:
        """Received by letter, email or report rather than written here."""
        return self.external is not None


def _from_document(doc: Document) -> Entry:
    owner = doc.owner
    role = (owner.job_title if owner else "") or domain.discipline_label(doc.discipline)
    received = doc.submitted_at.date() if doc.submitted_at else date.today()
    return Entry(
        title=doc.title,
        who=owner.person.name if owner else doc.source_author,
        role=role if doc.discipline not in domain.FAMILY_DISCIPLINES.values() else "",
        organisation=owner.organisation if owner else "",
        received_on=received,
        document=doc,
        at=doc.submitted_at,
    )


def _from_external(item: ExternalAdvice) -> Entry:
    return Entry(
        title=domain.advice_title(item.discipline),
        who=item.from_whom,
        role=item.role or domain.discipline_label(item.discipline),
        organisation=item.organisation,
        received_on=item.received_on,
        external=item,
        note=item.note,
        at=item.created_at,
    )


def external_advice(session: Session, case: Case) -> list[ExternalAdvice]:
    """Advice the caseworker recorded as received outside the portal."""
    stmt = select(ExternalAdvice).where(ExternalAdvice.case_id == case.id)
    return list(session.scalars(stmt.order_by(ExternalAdvice.id)))


def entries(session: Session, case: Case) -> list[Entry]:
    """Section K's list: submitted advice and advice received outside the
    portal, oldest first."""
    submitted = session.scalars(
        select(Document).where(
            Document.case_id == case.id,
            Document.kind == "advice",
            Document.status == "submitted",
        )
    )
    found = [_from_document(d) for d in submitted]
    found += [_from_external(x) for x in external_advice(session, case)]
    return sorted(found, key=_order)


def _order(entry: Entry) -> tuple[date, datetime, str]:
    at = (entry.at or datetime.min).replace(tzinfo=None)
    return entry.received_on, at, entry.title


def _long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def line(entry: Entry) -> str:
    """One entry as the plan writes it: "Psychological advice: Dr Martin
    Hale, Educational psychologist, Eastbridge EPS, 27 October 2026"."""
    return entry.title + details(entry)


def details(entry: Entry) -> str:
    """An entry's line after its title: who, role, organisation, when."""
    facts = [p for p in (entry.who, entry.role, entry.organisation) if p]
    facts.append(_long_date(entry.received_on))
    text = f": {', '.join(facts)}"
    if entry.outside_portal:
        text += " (received outside the portal)"
    if entry.note:
        text += f". {entry.note}"
    return text


def markdown(session: Session, case: Case) -> str:
    """Section K as Markdown (K1, K2 …), for the assistant, versions and exports."""
    found = entries(session, case)
    if not found:
        return "No advice or information has been received yet.\n"
    lines = [f"- K{n}. {_escape(line(e))}" for n, e in enumerate(found, start=1)]
    return "\n".join(lines) + "\n"


def text_of(session: Session, doc: Document) -> str:
    """A plan section's Markdown as it stands: for K the list, else its text."""
    if doc.kind == "plan_section" and doc.section == SECTION:
        return markdown(session, doc.case)
    return reading.document_text(session, doc.id)


def _escape(text: str) -> str:
    """Words shown as they were typed, not read as Markdown."""
    for mark in ("\\", "*", "_", "[", "]", "`", "<", "#", "!"):
        text = text.replace(mark, "\\" + mark)
    return " ".join(text.split())


@dataclass(frozen=True)
class Received:
    """What the caseworker enters about advice received outside the portal."""

    from_whom: str
    discipline: str
    role: str
    organisation: str
    received_on: date
    note: str = ""


def record_external(
    session: Session, case: Case, details: Received, by: Person, today: date
) -> ExternalAdvice:
    """Record advice received outside the portal; Section K lists it at once."""
    if details.discipline not in domain.advisers():
        raise InvalidInput("Choose what kind of advice it is.")
    if details.received_on > today:
        raise InvalidInput("The date it was received must be today or in the past.")
    item = ExternalAdvice(
        case_id=case.id,
        from_whom=details.from_whom,
        discipline=details.discipline,
        role=details.role,
        organisation=details.organisation,
        received_on=details.received_on,
        note=details.note,
        recorded_by_id=by.id,
    )
    session.add(item)
    session.flush()
    audit.record(
        session,
        "advice.external_recorded",
        actor=by,
        case=case,
        external_advice=item.id,
        from_whom=item.from_whom,
        discipline=item.discipline,
        received_on=item.received_on.isoformat(),
    )
    return item


def remove_external(
    session: Session, case: Case, item: ExternalAdvice, by: Person
) -> None:
    """Take a recorded piece of advice off Section K (recorded in error, say)."""
    if item.case_id != case.id:
        raise InvalidInput("That advice is not recorded on this case.")
    audit.record(
        session,
        "advice.external_removed",
        actor=by,
        case=case,
        external_advice=item.id,
        from_whom=item.from_whom,
        discipline=item.discipline,
        received_on=item.received_on.isoformat(),
    )
    session.delete(item)
