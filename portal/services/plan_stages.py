"""The plan's stages: the draft shared with the family, the final plan
issued, and an issued plan amended.

Each stage freezes a named version of every plan section, read under the
same lock as every append (`reading.read_locked`), so a version holds
exactly what was acknowledged. Issuing sets each section's status to
`issued`, which `auth.policy` reads as "locked": from that commit on the
server refuses every update to the plan, on every process, because each
append re-reads the document's facts under its row lock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select

from auth.policy import ISSUED
from portal import signals
from portal.doclog import reading
from portal.errors import InvalidInput
from portal.models import Case, Document, Person, Session, Version
from portal.services import audit, notify, section_k

# Regulation 13(1)(a): at least 15 days to comment on the draft and name a school.
COMMENT_DAYS = 15

# How the versions frozen by `issue_final` are named; an issued plan's
# downloads carry no "Draft" watermark.
FINAL_LABEL = "Final plan issued on "

STAGE_LABELS = {
    "assessment": "Assessment",
    "draft_issued": "Draft plan shared with the family",
    "final_issued": "Final plan issued",
    "amending": "Amending the plan",
    "closed": "Closed",
}


@dataclass(frozen=True)
class CommentPeriod:
    starts: date
    ends: date  # the last day the family may comment

    def days_left(self, today: date) -> int:
        return (self.ends - today).days


def comment_period(case: Case) -> CommentPeriod | None:
    """The family's period to comment on the shared draft, while it runs or ran."""
    if case.draft_issued_date is None or case.status not in ("draft_issued",):
        return None
    start = case.draft_issued_date
    return CommentPeriod(start, start + timedelta(days=COMMENT_DAYS))


def is_final_version(version: Version) -> bool:
    """Whether a version is the plan as issued (not a draft)."""
    return version.label.startswith(FINAL_LABEL)


def plan_sections(session: Session, case: Case) -> list[Document]:
    return list(
        session.scalars(
            select(Document)
            .where(Document.case_id == case.id, Document.kind == "plan_section")
            .order_by(Document.id)
        )
    )


def _freeze(session: Session, case: Case, label: str, by: Person) -> list[Version]:
    versions = []
    for doc in plan_sections(session, case):
        frozen = reading.read_locked(session, doc.id)
        text = frozen.text
        if doc.section == section_k.SECTION:  # the list as it stands, not typed
            text = section_k.markdown(session, case)
        version = Version(
            document_id=doc.id,
            label=label,
            text=text,
            state=frozen.state,
            created_by_id=by.id,
        )
        session.add(version)
        versions.append(version)
    session.flush()
    return versions


def _on(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def share_draft(session: Session, case: Case, by: Person, today: date) -> CommentPeriod:
    """Freeze the draft, let the family and professionals read it (the
    family may comment) and start the family's 15 days."""
    if case.status == "final_issued":
        raise InvalidInput("The final plan is issued. Amend it to share a new draft.")
    _freeze(session, case, f"Draft shared on {_on(today)}", by)
    case.draft_shared = True
    case.status = "draft_issued"
    case.draft_issued_date = today
    period = CommentPeriod(today, today + timedelta(days=COMMENT_DAYS))
    audit.record(
        session,
        "plan.draft_shared",
        actor=by,
        case=case,
        comments_until=period.ends.isoformat(),
    )
    notify.draft_shared(session, case, by, period.ends)
    signals.announce_access_change(session, case.id)
    return period


def issue_final(session: Session, case: Case, by: Person, today: date) -> None:
    """Freeze the final plan and lock it; the caller has re-authenticated `by`."""
    if case.status == "final_issued":
        raise InvalidInput("The final plan is already issued.")
    if not case.draft_shared or case.draft_issued_date is None:
        raise InvalidInput(
            "Share the draft plan with the family first: they have 15 days to "
            "comment on it before the final plan is issued."
        )
    _freeze(session, case, FINAL_LABEL + _on(today), by)
    for doc in plan_sections(session, case):
        doc.status = ISSUED
    case.status = "final_issued"
    case.final_issued_date = today
    audit.record(session, "plan.issued", actor=by, case=case)
    notify.plan_issued(session, case, by, today)
    signals.announce_access_change(session, case.id)


def amend(session: Session, case: Case, by: Person) -> None:
    """Reopen an issued plan as a new draft (an annual review's amendments);
    the issued version stays among each section's versions."""
    if case.status != "final_issued":
        raise InvalidInput("Only an issued plan can be amended.")
    for doc in plan_sections(session, case):
        doc.status = "draft"
    case.status = "amending"
    audit.record(session, "plan.amendment_started", actor=by, case=case)
    signals.announce_access_change(session, case.id)
