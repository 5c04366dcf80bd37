"""Daily reminders: advice due within 5 days or overdue (to its author), and
statutory steps due within 5 days or missed (to the caseworkers).

Each reminder has a key naming what, which date, which state and to whom;
it is recorded in `sent_reminder` (unique) in the same transaction as its
notification, so a second run the same day, or two runs at once, send
nothing new. A run after a missed day looks at the state on its own day,
so it sends what is now true ("overdue") and not yesterday's ("due soon").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal.models import Case, Notification, Person, SentReminder, Session
from portal.services import cases, notify, timeline

SOON_DAYS = 5
# Only the steps a caseworker has to act on; "request" is already done and
# the comment period is the family's.
CASEWORKER_STEPS = ("decision_to_assess", "advice", "draft_plan", "final_plan")
OPEN_STATUSES = ("assessment", "draft_issued", "amending")


@dataclass(frozen=True)
class Reminder:
    key: str
    person: Person
    case: Case
    message: str
    link: str
    email: notify.Email


def _when(due: date, today: date) -> tuple[str, str] | None:
    """('overdue' | 'soon', words) for a date worth a reminder, else None."""
    days = (due - today).days
    if days < 0:
        late = -days
        return (
            "overdue",
            f"was due on {due.day} {due:%B %Y} ({late} {'day' if late == 1 else 'days'} ago)",
        )
    if days <= SOON_DAYS:
        when = "today" if days == 0 else f"in {days} {'day' if days == 1 else 'days'}"
        return "soon", f"is due {when}, on {due.day} {due:%B %Y}"
    return None


def _advice_reminders(
    case: Case, line: timeline.Timeline, today: date
) -> list[Reminder]:
    found = []
    for a in line.advice:
        owner = a.doc.owner
        if a.state == timeline.DONE or owner is None:
            continue
        when = _when(a.due, today)
        if when is None:
            continue
        state, words = when
        found.append(
            Reminder(
                f"advice:{a.doc.id}:{a.due.isoformat()}:{state}:{owner.person_id}",
                owner.person,
                case,
                f"Your {a.doc.title} for {case.child_name} {words}.",
                notify.document_path(a.doc),
                notify.Email(
                    f"{'Advice overdue' if state == 'overdue' else 'Advice due soon'}: "
                    f"{notify.case_ref(case)}",
                    f"Your advice on {notify.case_ref(case)} {words}.",
                ),
            )
        )
    return found


def _step_reminders(case: Case, line: timeline.Timeline, today: date) -> list[Reminder]:
    found = []
    steps = [
        s for s in line.steps if s.key in CASEWORKER_STEPS and s.state != timeline.DONE
    ]
    for step in steps:
        when = _when(step.due, today)
        if when is None:
            continue
        state, words = when
        for m in case.memberships:
            if m.role != "caseworker":
                continue
            found.append(
                Reminder(
                    f"step:{case.id}:{step.key}:{step.due.isoformat()}:{state}:{m.person_id}",
                    m.person,
                    case,
                    f"{step.label} for {case.child_name} {words}.",
                    notify.case_path(case),
                    notify.Email(
                        f"{'Missed' if state == 'overdue' else 'Due soon'}: "
                        f"{step.label.lower()}, {notify.case_ref(case)}",
                        f"{step.label} on {notify.case_ref(case)} {words}.",
                    ),
                )
            )
    return found


def due_reminders(session: Session, today: date) -> list[Reminder]:
    """Every reminder that applies on `today`, sent before or not."""
    found: list[Reminder] = []
    open_cases = session.scalars(select(Case).where(Case.status.in_(OPEN_STATUSES)))
    for case in open_cases:
        line = timeline.build(case, cases.case_documents(session, case), today)
        found += _advice_reminders(case, line, today)
        found += _step_reminders(case, line, today)
    return found


def record_reminders(session: Session, today: date) -> list[Notification]:
    """Add a notification for each reminder not sent before; commits each one."""
    made = []
    for r in due_reminders(session, today):
        if session.scalar(select(SentReminder.id).where(SentReminder.key == r.key)):
            continue
        try:
            note = notify.add(
                session, r.person, r.case, "reminder", r.message, r.link, r.email
            )
            session.add(
                SentReminder(
                    key=r.key,
                    person_id=r.person.id,
                    case_id=r.case.id,
                    sent_on=today,
                    notification_id=note.id,
                )
            )
            session.commit()
        except IntegrityError:  # another run recorded it first
            session.rollback()
            continue
        made.append(note)
    return made
