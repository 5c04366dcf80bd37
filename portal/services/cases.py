"""Cases, members, documents and the 20-week position."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from portal import domain, signals
from portal.models import SECTION_KEYS, Case, Document, Membership, Person, Session
from portal.services import audit

FINAL_WEEKS = 20


@dataclass(frozen=True)
class CaseDetails:
    """What a caseworker enters to open a case."""

    child_name: str
    child_date_of_birth: date | None
    year_group: int | None
    setting: str
    la_reference: str
    request_date: date
    primary_need: str | None = None


@dataclass(frozen=True)
class Position:
    """Where a case stands on the 20-week clock on a given day."""

    week: int
    next_label: str
    next_date: date
    days_to_next: int
    days_to_final: int
    overdue_advice: int

    @property
    def next_is_overdue(self) -> bool:
        """The next statutory step is past its date."""
        return self.days_to_next < 0

    @property
    def is_late(self) -> bool:
        """Past the final-plan date with no final plan."""
        return self.days_to_final < 0


def create_case(session: Session, details: CaseDetails, caseworker: Person) -> Case:
    """Open a case, make the creator its caseworker and create plan sections A–K."""
    case = Case(
        child_name=details.child_name,
        child_date_of_birth=details.child_date_of_birth,
        year_group=details.year_group,
        setting=details.setting,
        la_reference=details.la_reference,
        request_date=details.request_date,
        primary_need=details.primary_need,
    )
    session.add(case)
    session.flush()
    session.add(Membership(case=case, person=caseworker, role="caseworker"))
    for key in SECTION_KEYS:
        session.add(
            Document(
                case_id=case.id,
                kind="plan_section",
                section=key,
                title=f"Section {key}: {domain.SECTION_TITLES[key]}",
            )
        )
    session.flush()
    audit.record(session, "case.created", actor=caseworker, case=case)
    return case


def membership_of(session: Session, person: Person, case_id: int) -> Membership | None:
    """The person's membership of a case, or None if they are not on it."""
    return session.scalar(
        select(Membership).where(
            Membership.case_id == case_id, Membership.person_id == person.id
        )
    )


def cases_for(session: Session, person: Person) -> list[tuple[Case, Membership]]:
    """Every case the person is on, with their membership."""
    stmt = (
        select(Case, Membership)
        .join(Membership, Membership.case_id == Case.id)
        .where(Membership.person_id == person.id)
        .order_by(Case.request_date)
    )
    return [(c, m) for c, m in session.execute(stmt)]


def case_documents(session: Session, case: Case) -> list[Document]:
    """Advice first (by due date), then plan sections in A–K order."""
    docs = list(session.scalars(select(Document).where(Document.case_id == case.id)))
    order = {key: i for i, key in enumerate(SECTION_KEYS)}
    return sorted(
        docs,
        key=lambda d: (
            d.kind != "advice",
            order.get(d.section or "", 99),
            d.due_date or date.max,
            d.id,
        ),
    )


def is_overdue(doc: Document, today: date) -> bool:
    """Advice still in draft after its due date."""
    return (
        doc.kind == "advice"
        and doc.status == "draft"
        and doc.due_date is not None
        and doc.due_date < today
    )


def position(case: Case, docs: list[Document], today: date) -> Position:
    """The case's week on the clock and its next statutory date."""
    dates = domain.statutory_dates(case.request_date)
    done = {
        "decision_to_assess": case.decision_to_assess_date is not None,
        "draft_plan": case.draft_issued_date is not None,
        "notify_no_plan": case.draft_issued_date is not None,
        "final_plan": case.final_issued_date is not None,
    }
    upcoming = [(d, key) for key, d in dates.items() if not done[key]]
    next_date, next_key = (
        min(upcoming) if upcoming else (dates["final_plan"], "final_plan")
    )
    week = max(0, (today - case.request_date).days // 7)
    days_to_final = (dates["final_plan"] - today).days
    if case.final_issued_date is not None:
        days_to_final = (dates["final_plan"] - case.final_issued_date).days
    return Position(
        week=week,
        next_label=domain.STATUTORY_LABELS[next_key],
        next_date=next_date,
        days_to_next=(next_date - today).days,
        days_to_final=days_to_final,
        overdue_advice=sum(is_overdue(d, today) for d in docs),
    )


def urgency_key(pos: Position) -> tuple[int, int]:
    """Sort key: cases with overdue advice and fewest days left come first."""
    return (-pos.overdue_advice if pos.overdue_advice else 0, pos.days_to_final)


def set_draft_shared(session: Session, case: Case, shared: bool, by: Person) -> None:
    """Share (or unshare) the plan sections with the family and professionals."""
    if case.draft_shared == shared:
        return
    case.draft_shared = shared
    audit.record(
        session,
        "case.draft_shared" if shared else "case.draft_unshared",
        actor=by,
        case=case,
    )
    signals.announce_access_change(session, case.id)


def remove_member(session: Session, membership: Membership, by: Person) -> None:
    """Take a person off a case; their advice stays, without an author."""
    audit.record(
        session,
        "membership.removed",
        actor=by,
        case=membership.case,
        person_id=membership.person_id,
        role=membership.role,
    )
    for doc in session.scalars(
        select(Document).where(Document.owner_membership_id == membership.id)
    ):
        doc.owner_membership_id = None
    signals.announce_access_change(session, membership.case_id)
    session.delete(membership)
