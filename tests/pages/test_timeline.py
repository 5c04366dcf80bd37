"""The 20-week timeline on fixed dates (the clock is passed in, never patched),
due dates refused or warned with the reason, and the case page showing it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import AuditEvent, Case, Document
from portal.services import cases, timeline
from tests.browserlike import Browser
from tests.factories import Factory

REQUEST = date(2026, 9, 1)  # decision due 13 Oct, draft 8 Dec, final 19 Jan 2027


def _states(case: Case, dbs: Session, today: date) -> dict[str, str]:
    line = timeline.build(case, cases.case_documents(dbs, case), today)
    return {s.key: s.state_label for s in line.steps}


def _submitted(dbs: Session, doc: Document, on: date) -> None:
    doc.status = "submitted"
    doc.submitted_at = datetime(on.year, on.month, on.day, 12, tzinfo=UTC)
    dbs.commit()


def test_assessment_with_advice_asked_and_nothing_late(
    make: Factory, dbs: Session
) -> None:
    case = make.case(request_date=REQUEST)
    make.advice(case, None, "school_senco", due=date(2026, 10, 13))
    states = _states(case, dbs, date(2026, 9, 22))
    assert states == {
        "request": "Done",
        "decision_to_assess": "Done",  # advice was asked for: the LA is assessing
        "advice": "Due",
        "draft_plan": "Due",
        "comment_period": "Due",
        "final_plan": "Due",
    }


def test_missed_decision_and_overdue_advice(make: Factory, dbs: Session) -> None:
    undecided = make.case(request_date=REQUEST)
    assert _states(undecided, dbs, date(2026, 10, 20))["decision_to_assess"] == "Missed"
    case = make.case(request_date=REQUEST)
    senco = make.advice(case, None, "school_senco", due=date(2026, 10, 13))
    ep = make.advice(case, None, "educational_psychologist", due=date(2026, 10, 27))
    _submitted(dbs, senco, date(2026, 10, 12))
    line = timeline.build(case, cases.case_documents(dbs, case), date(2026, 10, 28))
    assert {a.doc.id: a.state for a in line.advice} == {
        senco.id: "done",
        ep.id: "missed",
    }
    assert [s.key for s in line.missed] == ["advice"]
    assert line.overdue_count() == 2 and line.week == 8


def test_draft_shared_late_then_comments_then_final(
    make: Factory, dbs: Session
) -> None:
    case = make.case(request_date=REQUEST)
    doc = make.advice(case, None, "school_senco", due=date(2026, 10, 13))
    _submitted(dbs, doc, date(2026, 10, 10))
    assert _states(case, dbs, date(2026, 12, 10))["draft_plan"] == "Missed"
    case.status, case.draft_issued_date = "draft_issued", date(2026, 12, 15)
    dbs.commit()
    during = _states(case, dbs, date(2026, 12, 20))
    assert during["draft_plan"] == "Done late"
    assert during["comment_period"] == "Due" and during["advice"] == "Done"
    after = _states(case, dbs, date(2027, 1, 5))
    assert after["comment_period"] == "Done" and after["final_plan"] == "Due"
    assert _states(case, dbs, date(2027, 1, 25))["final_plan"] == "Missed"
    case.status, case.final_issued_date = "final_issued", date(2027, 1, 12)
    dbs.commit()
    issued = _states(case, dbs, date(2027, 1, 25))
    assert issued["final_plan"] == "Done" and "Missed" not in issued.values()


def test_due_this_week_counts_steps_and_advice(make: Factory, dbs: Session) -> None:
    case = make.case(request_date=REQUEST)
    make.advice(case, None, "school_senco", due=date(2026, 10, 16))
    line = timeline.build(case, cases.case_documents(dbs, case), date(2026, 10, 12))
    # The advice and "all advice in" (16 Oct); the decision (13 Oct) is done.
    assert line.due_this_week() == 2 and line.overdue_count() == 0


@pytest.mark.parametrize(
    ("drafted", "due", "refusal", "warning"),
    [
        (None, date(2026, 9, 30), "must be today or later", None),
        (None, date(2026, 12, 9), "after the draft plan date (8 December 2026)", None),
        (
            date(2026, 11, 20),
            date(2026, 11, 25),
            "inside the family's 15 days to comment on the draft plan "
            "(20 November 2026 to 5 December 2026)",
            None,
        ),
        (None, date(2026, 10, 22), None, "This gives the adviser 3 weeks."),
        (None, date(2026, 11, 20), None, None),
    ],
)
def test_due_dates_refused_or_warned_with_the_reason(
    make: Factory,
    drafted: date | None,
    due: date,
    refusal: str | None,
    warning: str | None,
) -> None:
    case = make.case(request_date=REQUEST)
    case.draft_issued_date = drafted
    check = timeline.check_advice_due(case, due, date(2026, 10, 1))
    if refusal is None:
        assert check.refusal is None
    else:
        assert check.refusal is not None and refusal in check.refusal
    if warning is None:
        assert check.warnings == ()
    else:
        assert warning in check.warnings[0]


def _due_form(day: date) -> dict[str, str]:
    return {
        "due-day": str(day.day),
        "due-month": str(day.month),
        "due-year": str(day.year),
    }


def test_caseworker_changes_a_due_date_on_the_case_page(
    browser: Browser, make: Factory, dbs: Session
) -> None:
    today = date.today()
    case = make.case(request_date=today - timedelta(weeks=3))
    doc = make.advice(case, None, "school_senco", due=today + timedelta(weeks=3))
    browser.sign_in(case.memberships[0].person.email)
    page = browser.text(f"/cases/{case.id}")
    assert 'data-step="final_plan" data-state="due"' in page
    assert f"Today is {today.day} {today:%B %Y}: week 3 of 20." in page
    assert "Educational advice (Not yet accepted): due" in page
    url = f"/cases/{case.id}/advice/{doc.id}/due-date"
    late = today + timedelta(weeks=12)  # week 15, after the draft at week 14
    refused = browser.post(url, _due_form(late)).get_data(as_text=True)
    assert "There is a problem" in refused and "after the draft plan date" in refused
    dbs.expire_all()
    assert dbs.get(Document, doc.id).due_date == today + timedelta(weeks=3)
    soon = today + timedelta(weeks=4)
    done = browser.post(url, _due_form(soon), follow_redirects=True).get_data(
        as_text=True
    )
    assert (
        "Educational advice is now due on" in done
        and "gives the adviser 4 weeks" in done
    )
    dbs.expire_all()
    assert dbs.get(Document, doc.id).due_date == soon
    assert dbs.scalar(
        select(AuditEvent).where(AuditEvent.action == "document.due_date_changed")
    )


def test_only_the_caseworker_changes_due_dates(browser: Browser, make: Factory) -> None:
    case = make.case()
    parent = make.member(case, "parent")
    doc = make.advice(case, parent, "parent_carer")
    browser.sign_in(parent.person.email)
    url = f"/cases/{case.id}/advice/{doc.id}/due-date"
    assert browser.post(url, _due_form(date.today())).status_code == 403
    assert "Change<span" not in browser.text(f"/cases/{case.id}")


def test_the_family_reads_the_timeline_in_their_own_words(
    browser: Browser, make: Factory
) -> None:
    case = make.case()
    parent = make.member(case, "parent")
    views = make.advice(case, parent, "parent_carer")
    browser.sign_in(parent.person.email)
    page = browser.text(f"/cases/{case.id}")
    due = views.due_date
    assert (
        f"Parent and carer views ({parent.person.name}): due {due.day} {due:%B %Y}"
        in page
    )
    assert "When each part is due" in page and "Regulation" not in page
    assert "Your 15 days to comment on the draft" in page


def test_dashboard_puts_overdue_then_due_this_week_first_with_counts(
    browser: Browser, make: Factory
) -> None:
    today = date.today()
    cw = make.person("cw@example.org", staff=True, name="Casey Worker")
    calm = make.case(
        cw, child_name="Calm Case", request_date=today - timedelta(weeks=2)
    )
    soon = make.case(
        cw, child_name="Soon Case", request_date=today - timedelta(weeks=3)
    )
    late = make.case(
        cw, child_name="Late Case", request_date=today - timedelta(weeks=4)
    )
    make.advice(calm, None, "school_senco", due=today + timedelta(weeks=5))
    make.advice(soon, None, "school_senco", due=today + timedelta(days=3))
    make.advice(late, None, "school_senco", due=today - timedelta(days=1))
    browser.sign_in("cw@example.org")
    page = browser.text("/")
    assert page.index("Late Case") < page.index("Soon Case") < page.index("Calm Case")
    assert "1 case overdue" in page and "1 case with something due this week" in page
