"""Opening cases, the dashboard, the case page, and what other people cannot do."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import AuditEvent, Case, Document, Membership
from tests.browserlike import Browser
from tests.factories import Factory


def _new_case_form(**overrides: str) -> dict[str, str]:
    d = date.today() - timedelta(weeks=8)
    form = {
        "child_name": "Noah Pemberton",
        "dob-day": "4",
        "dob-month": "5",
        "dob-year": "2016",
        "year_group": "4",
        "setting": "Fernhill Primary",
        "la_reference": "EB-1234",
        "request_date-day": str(d.day),
        "request_date-month": str(d.month),
        "request_date-year": str(d.year),
    }
    form.update(overrides)
    return form


def test_caseworker_opens_a_case_with_statutory_dates(
    browser: Browser, make: Factory, dbs: Session
) -> None:
    make.person("cw@example.org", staff=True)
    browser.sign_in("cw@example.org")
    response = browser.post("/cases/new", _new_case_form())
    assert response.status_code == 302
    case = dbs.scalar(select(Case))
    assert case is not None
    sections = dbs.scalars(select(Document.section).where(Document.case_id == case.id))
    assert sorted(sections) == sorted(
        ["A", "B", "C", "D", "E", "F", "G", "H1", "H2", "I", "J", "K"]
    )
    page = browser.text(response.location)
    final = case.request_date + timedelta(weeks=20)
    assert f"{final.day} {final:%B %Y}" in page
    assert "Week 8 of 20" in page


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"child_name": ""}, "Enter the child&#39;s full name."),
        ({"dob-month": "13"}, "The date of birth must be a real date."),
        ({"dob-year": "20"}, "The date of birth must be a real date, like 27 3 2026."),
        (
            {"request_date-year": str(date.today().year + 1)},
            "The date the request was received must be today or in the past.",
        ),
        ({"year_group": ""}, "Select the child&#39;s year group."),
        ({"la_reference": ""}, "Enter the local authority reference."),
    ],
)
def test_case_form_errors_use_the_error_summary(
    browser: Browser,
    make: Factory,
    dbs: Session,
    overrides: dict[str, str],
    message: str,
) -> None:
    make.person("cw@example.org", staff=True)
    browser.sign_in("cw@example.org")
    page = browser.post("/cases/new", _new_case_form(**overrides)).get_data(
        as_text=True
    )
    assert "govuk-error-summary" in page and message in page
    assert "Error: " in page  # the title says so for screen readers
    assert dbs.scalar(select(Case)) is None


def test_only_staff_open_cases(browser: Browser, make: Factory, dbs: Session) -> None:
    make.person("parent@example.org")
    browser.sign_in("parent@example.org")
    assert browser.post("/cases/new", _new_case_form()).status_code == 403
    assert dbs.scalar(select(Case)) is None


def test_dashboard_sorts_by_urgency_and_shows_overdue_advice(
    browser: Browser, make: Factory
) -> None:
    cw = make.person("cw@example.org", staff=True)
    calm = make.case(
        cw, child_name="Calm Case", request_date=date.today() - timedelta(weeks=2)
    )
    urgent = make.case(
        cw, child_name="Urgent Case", request_date=date.today() - timedelta(weeks=15)
    )
    make.advice(urgent, None, "school_senco", due=date.today() - timedelta(days=3))
    make.advice(calm, None, "school_senco", due=date.today() + timedelta(days=30))
    browser.sign_in("cw@example.org")
    page = browser.text("/")
    assert page.index("Urgent Case") < page.index("Calm Case")
    assert "Week 15 of 20" in page and "Week 2 of 20" in page
    assert 'govuk-tag--red">1 overdue' in page
    by_name = browser.text("/?sort=name")
    assert by_name.index("Calm Case") < by_name.index("Urgent Case")


def test_case_page_lists_members_advice_and_sections(
    browser: Browser, make: Factory
) -> None:
    case = make.case()
    parent = make.member(case, "parent")
    make.advice(case, parent, "parent_carer")
    browser.sign_in(case.memberships[0].person.email)
    page = browser.text(f"/cases/{case.id}")
    assert parent.person.name in page and "Parent or carer" in page
    assert "Parent and carer views" in page
    assert "Section F: Special educational provision" in page
    assert "Timeline" in page


def test_parent_sees_section_a_only_until_the_draft_is_shared(
    browser: Browser, make: Factory, dbs: Session
) -> None:
    case = make.case()
    parent = make.member(case, "parent")
    browser.sign_in(parent.person.email)
    page = browser.text(f"/cases/{case.id}")
    assert "Section A:" in page and "Section F:" not in page
    section_f = make.section(case, "F")
    assert browser.get(f"/documents/{section_f.id}").status_code == 403
    case.draft_shared = True
    dbs.commit()
    assert "Section F:" in browser.text(f"/cases/{case.id}")


def test_people_not_on_a_case_get_404_for_all_of_it(
    browser: Browser, make: Factory
) -> None:
    case = make.case()
    advice = make.advice(case, None, "school_senco")
    stranger = make.person(staff=True)
    browser.sign_in(stranger.email)
    for url in [
        f"/cases/{case.id}",
        f"/cases/{case.id}/invite",
        f"/cases/{case.id}/audit",
        f"/documents/{advice.id}",
        f"/documents/{make.section(case, 'A').id}",
    ]:
        assert browser.get(url).status_code == 404, url
    assert browser.post(f"/cases/{case.id}/share", {"shared": "yes"}).status_code == 404
    assert browser.post(f"/documents/{advice.id}/submit", {}).status_code == 404


@pytest.mark.parametrize("role", ["parent", "young_person", "professional"])
def test_contributors_cannot_run_the_case_through_forms(
    browser: Browser, make: Factory, dbs: Session, role: str
) -> None:
    case = make.case()
    me = make.member(
        case, role, discipline="school_senco" if role == "professional" else None
    )
    other = make.member(case, "parent")
    browser.sign_in(me.person.email)
    invite = browser.post(
        f"/cases/{case.id}/invite",
        {
            "email": "friend@example.org",
            "role": "professional",
            "discipline": "school_senco",
            "organisation": "x",
            "job_title": "y",
        },
    )
    assert invite.status_code == 403
    assert browser.post(f"/cases/{case.id}/share", {"shared": "yes"}).status_code == 403
    removal = browser.post(f"/cases/{case.id}/members/{other.id}/remove", {})
    assert removal.status_code == 403
    assert browser.get(f"/cases/{case.id}/audit").status_code == 403
    dbs.expire_all()
    assert not dbs.get(Case, case.id).draft_shared
    assert dbs.get(Membership, other.id) is not None


def test_parent_cannot_open_or_submit_the_psychologists_advice(
    browser: Browser, make: Factory
) -> None:
    case = make.case()
    parent = make.member(case, "parent")
    ep = make.member(case, "professional", discipline="educational_psychologist")
    advice = make.advice(
        case, ep, "educational_psychologist", text="Confidential draft"
    )
    browser.sign_in(parent.person.email)
    response = browser.get(f"/documents/{advice.id}")
    assert response.status_code == 403
    assert "not shared with you" in response.get_data(as_text=True)
    assert "Confidential draft" not in response.get_data(as_text=True)
    assert browser.post(f"/documents/{advice.id}/submit", {}).status_code == 403


def test_caseworker_shares_the_draft_and_removes_a_member_audited(
    browser: Browser, make: Factory, dbs: Session
) -> None:
    case = make.case()
    parent = make.member(case, "parent")
    browser.sign_in(case.memberships[0].person.email)
    browser.post(f"/cases/{case.id}/share", {"shared": "yes"})
    browser.post(f"/cases/{case.id}/members/{parent.id}/remove", {})
    actions = list(
        dbs.scalars(select(AuditEvent.action).where(AuditEvent.case_id == case.id))
    )
    assert "plan.draft_shared" in actions and "membership.removed" in actions
    trail = browser.text(f"/cases/{case.id}/audit")
    assert "Removed a member" in trail and "Shared the draft plan" in trail
    parent_id = parent.id
    dbs.expunge_all()
    assert dbs.get(Membership, parent_id) is None


def test_a_missed_statutory_date_is_shown_as_overdue(
    browser: Browser, make: Factory
) -> None:
    cw = make.person("cw@example.org", staff=True)
    make.case(
        cw, child_name="Late Decision", request_date=date.today() - timedelta(weeks=7)
    )
    browser.sign_in("cw@example.org")
    page = browser.text("/")
    assert "Decide whether to assess" in page
    assert 'govuk-tag--red">Overdue' in page
