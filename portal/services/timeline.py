"""The 20 weeks drawn as steps: each statutory step done, due or missed on a
given day, each contributor's advice due date, and checks on new due dates.

Every function takes `today`, so tests (and the reminders command) fix the
clock by passing a date instead of patching it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from portal import domain
from portal.errors import InvalidInput
from portal.models import Case, Document, Person, Session
from portal.services import audit

WEEKS = 20
DONE, DUE, MISSED = "done", "due", "missed"
STATE_LABELS = {DONE: "Done", DUE: "Due", MISSED: "Missed"}
# The same steps in the family's words (no "advice", no regulations).
FAMILY_LABELS = {
    "request": "Request for an assessment received",
    "decision_to_assess": "The council decides whether to assess",
    "advice": "Everyone's reports and views in",
    "draft_plan": "Draft plan shared with you",
    "comment_period": "Your 15 days to comment on the draft",
    "final_plan": "Final plan issued",
}


def _days(timescale_id: str) -> int:
    entry = domain.timescales()[timescale_id]
    per = {"weeks": 7, "days": 1}[entry["unit"]]
    return int(entry["value"]) * per


@dataclass(frozen=True)
class Step:
    """One step on the clock. `ends` is set for a period (the family's comments)."""

    key: str
    label: str
    due: date
    state: str
    done_on: date | None = None
    ends: date | None = None
    basis: str = ""

    @property
    def state_label(self) -> str:
        """Done, Due or Missed, as the page shows it."""
        if (
            self.state == DONE
            and self.done_on
            and self.done_on > (self.ends or self.due)
        ):
            return "Done late"
        return STATE_LABELS[self.state]


@dataclass(frozen=True)
class AdviceDue:
    """One contributor's advice and its due date."""

    doc: Document
    due: date
    state: str
    who: str


@dataclass(frozen=True)
class Timeline:
    """Where a case stands on a given day."""

    start: date
    today: date
    steps: list[Step]
    advice: list[AdviceDue] = field(default_factory=list)

    @property
    def week(self) -> int:
        return max(0, (self.today - self.start).days // 7)

    @property
    def missed(self) -> list[Step]:
        return [s for s in self.steps if s.state == MISSED]

    def overdue_count(self) -> int:
        """Missed steps and overdue advice."""
        return len(self.missed) + sum(a.state == MISSED for a in self.advice)

    def due_this_week(self) -> int:
        """Steps and advice due today or in the next six days."""
        week_end = self.today + timedelta(days=6)
        dues = [s.ends or s.due for s in self.steps if s.state == DUE] + [
            a.due for a in self.advice if a.state == DUE
        ]
        return sum(self.today <= d <= week_end for d in dues)

    def only(self, doc_ids: set[int]) -> Timeline:
        """The same timeline listing only these documents' due dates (the
        ones the reader may see); the steps still count every document."""
        return replace(self, advice=[a for a in self.advice if a.doc.id in doc_ids])

    def advice_marks(self) -> list[tuple[int, int, str]]:
        """(x, y, state) of each advice mark; marks on the same day stack upwards."""
        marks: list[tuple[int, int, str]] = []
        stacked: dict[int, int] = {}
        for a in self.advice:
            x = self.x(a.due)
            level = stacked.get(x, 0)
            stacked[x] = level + 1
            marks.append((x, 71 - 13 * min(level, 3), a.state))
        return marks

    def x(self, day: date, width: int = 960, margin: int = 20) -> int:
        """Where a day falls on a bar `width` wide (clamped to weeks 0–20)."""
        share = (day - self.start).days / (WEEKS * 7)
        return margin + round(width * min(1.0, max(0.0, share)))


def _state(due: date, done_on: date | None, is_done: bool, today: date) -> str:
    if is_done or done_on is not None:
        return DONE
    return MISSED if due < today else DUE


def _advice(docs: list[Document], today: date) -> list[AdviceDue]:
    found = []
    for d in docs:
        if d.kind != "advice" or d.due_date is None:
            continue
        submitted = d.submitted_at.date() if d.submitted_at else None
        who = (
            d.owner.person.name if d.owner else (d.source_author or "Not yet accepted")
        )
        state = _state(d.due_date, submitted, d.status == "submitted", today)
        found.append(AdviceDue(d, d.due_date, state, who))
    return sorted(found, key=lambda a: (a.due, a.doc.id))


def build(case: Case, docs: list[Document], today: date) -> Timeline:
    """The case's steps on `today`, from timescales.json and what is recorded."""
    start = case.request_date
    dates = domain.statutory_dates(start)
    advice = _advice(docs, today)
    decided = (
        case.decision_to_assess_date is not None
        or bool(advice)
        or case.status != "assessment"
    )
    advice_due = max(
        (a.due for a in advice),
        default=dates["decision_to_assess"] + timedelta(days=_days("advice_response")),
    )
    all_in = bool(advice) and all(a.state == DONE for a in advice)
    last_in = max(
        (a.doc.submitted_at.date() for a in advice if a.doc.submitted_at), default=None
    )
    drafted = case.draft_issued_date
    comments_from = drafted or dates["draft_plan"]
    comments_end = comments_from + timedelta(days=_days("draft_comment_period"))
    steps = [
        Step("request", "Request for assessment received", start, DONE, start),
        Step(
            "decision_to_assess",
            domain.STATUTORY_LABELS["decision_to_assess"],
            dates["decision_to_assess"],
            _state(
                dates["decision_to_assess"],
                case.decision_to_assess_date,
                decided,
                today,
            ),
            case.decision_to_assess_date,
            basis="SEND Regulations 2014, regulation 5(3): 6 weeks",
        ),
        Step(
            "advice",
            "All advice in",
            advice_due,
            _state(advice_due, last_in if all_in else None, all_in, today),
            last_in if all_in else None,
            basis="Regulation 8(1): advisers reply within 6 weeks of being asked",
        ),
        Step(
            "draft_plan",
            "Draft plan shared with the family",
            dates["draft_plan"],
            _state(dates["draft_plan"], drafted, drafted is not None, today),
            drafted,
            basis="Guidance: by week 14, to leave time for comments",
        ),
        Step(
            "comment_period",
            "Family's 15 days to comment",
            comments_from,
            DONE if drafted is not None and today > comments_end else DUE,
            comments_end if drafted is not None and today > comments_end else None,
            ends=comments_end,
            basis="Regulation 13(1): at least 15 days",
        ),
        Step(
            "final_plan",
            domain.STATUTORY_LABELS["final_plan"],
            dates["final_plan"],
            _state(dates["final_plan"], case.final_issued_date, False, today),
            case.final_issued_date,
            basis="Regulation 13(2): within 20 weeks of the request",
        ),
    ]
    return Timeline(start, today, steps, advice)


@dataclass(frozen=True)
class DueCheck:
    """A due date refused (with the reason) or accepted with warnings."""

    refusal: str | None = None
    warnings: tuple[str, ...] = ()


def _on(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def check_advice_due(case: Case, due: date, today: date) -> DueCheck:
    """Whether advice may be due on `due`: never before today, never inside the
    family's comment period or after the draft, and warn when it gives
    the adviser less than the 6 weeks the law allows."""
    if due < today:
        return DueCheck("The due date must be today or later.")
    dates = domain.statutory_dates(case.request_date)
    drafted = case.draft_issued_date
    if drafted is not None:
        ends = drafted + timedelta(days=_days("draft_comment_period"))
        if drafted <= due <= ends:
            return DueCheck(
                f"{_on(due)} is inside the family's 15 days to comment on the draft "
                f"plan ({_on(drafted)} to {_on(ends)}). Advice must be in before "
                "the draft is shared, so the family comments on a plan that uses it."
            )
    draft_date = drafted or dates["draft_plan"]
    if due > draft_date:
        return DueCheck(
            f"{_on(due)} is after the draft plan date ({_on(draft_date)}). The draft "
            f"is written from the advice: choose {_on(draft_date)} or earlier."
        )
    warnings = []
    allowed = timedelta(days=_days("advice_response"))
    if due - today < allowed:
        weeks = (due - today).days // 7
        warnings.append(
            f"This gives the adviser {weeks} {'week' if weeks == 1 else 'weeks'}. "
            "The law gives them 6 weeks from being asked, so they may not reply in time."
        )
    return DueCheck(None, tuple(warnings))


def default_advice_due(case: Case, today: date) -> tuple[date, DueCheck]:
    """The usual due date (6 weeks from today) and what is wrong with it, if anything."""
    due = domain.advice_due_date(today)
    check = check_advice_due(case, due, today)
    if check.refusal:
        # Asked late: the usual date falls after the draft date. Keep it, but say so.
        return due, DueCheck(None, (check.refusal,))
    return due, check


def change_advice_due(
    session: Session, doc: Document, due: date, by: Person, today: date
) -> DueCheck:
    """Set advice's due date, or InvalidInput with the reason it is refused;
    returns the warnings for a date that is allowed."""
    if doc.kind != "advice":
        raise InvalidInput("Only advice has a due date.")
    check = check_advice_due(doc.case, due, today)
    if check.refusal:
        raise InvalidInput(check.refusal)
    before = doc.due_date
    doc.due_date = due
    audit.record(
        session,
        "document.due_date_changed",
        actor=by,
        document=doc,
        before=before.isoformat() if before else None,
        after=due.isoformat(),
    )
    return check
