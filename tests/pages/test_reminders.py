"""Reminders and notifications reach a real SMTP server (aiosmtpd on loopback,
a test double for the council's mail server) exactly once, across two runs on
the same day and a run after missed days."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.config import Settings
from portal.models import Case, Membership, Notification, SentReminder
from tests import mailbox
from tests.browserlike import Browser
from tests.conftest import make_settings
from tests.factories import Factory
from tests.mailbox import Smtp, body

smtp = mailbox.smtp  # the fixture

REQUEST = date(2026, 9, 1)  # week 0; advice below is due on 20 October
ADVICE_DUE = date(2026, 10, 20)
CHILD = "Ruby Ashworth"


@pytest.fixture
def settings(smtp: Smtp) -> Settings:
    return make_settings(
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=str(smtp.port),
        PUBLIC_URL="https://ehcp.example.gov.uk",
    )


def _case_with_advice(make: Factory) -> tuple[Case, Membership]:
    case = make.case(request_date=REQUEST, child_name=CHILD)
    ep = make.member(
        case,
        "professional",
        make.person("ep@example.org", name="Dr Martin Hale"),
        discipline="educational_psychologist",
    )
    make.advice(case, ep, "educational_psychologist", due=ADVICE_DUE)
    return case, ep


def _run(runner: Any, day: str) -> str:
    result = runner.invoke(args=["send-reminders", "--today", day])
    assert result.exit_code == 0, result.output
    return str(result.output)


def test_reminders_go_once_across_two_runs_and_after_missed_days(
    runner: Any,
    make: Factory,
    smtp: Smtp,
    dbs: Session,
) -> None:
    case, _ = _case_with_advice(make)
    caseworker = case.memberships[0].person.email
    first = _run(runner, "2026-10-16")  # 4 days before the advice is due
    assert "Emailed ep@example.org: Advice due soon" in first
    assert "is due in 4 days, on 20 October 2026" in first
    assert (
        _run(runner, "2026-10-16").strip().endswith("0 new reminders, 0 emails sent.")
    )
    to_ep = smtp.inbox.to("ep@example.org")
    assert [m["Subject"] for m in to_ep] == [
        f"Advice due soon: case {case.la_reference}"
    ]
    assert len(smtp.inbox.to(caseworker)) == 1  # "All advice in" is due in 4 days

    # No run on the 17th to the 22nd; the 23rd's run says what is true now.
    later = _run(runner, "2026-10-23")
    assert "was due on 20 October 2026 (3 days ago)" in later
    assert (
        _run(runner, "2026-10-23").strip().endswith("0 new reminders, 0 emails sent.")
    )
    subjects = [m["Subject"] for m in smtp.inbox.to("ep@example.org")]
    assert subjects == [
        f"Advice due soon: case {case.la_reference}",
        f"Advice overdue: case {case.la_reference}",
    ]
    assert len(smtp.inbox.to(caseworker)) == 2
    for content in smtp.inbox.bodies():
        assert "Ashworth" not in content and "Ruby" not in content
        assert "https://ehcp.example.gov.uk/" in content
    assert dbs.scalar(select(func.count()).select_from(SentReminder)) == 4


def test_submitted_advice_is_emailed_once_and_listed_until_seen(
    browser: Browser,
    runner: Any,
    make: Factory,
    smtp: Smtp,
) -> None:
    case = make.case(child_name=CHILD)
    caseworker = case.memberships[0].person
    slt = make.member(
        case,
        "professional",
        make.person("slt@example.org", name="Aisha Rahman"),
        discipline="speech_language_therapist",
    )
    advice = make.advice(case, slt, "speech_language_therapist", text="Six sessions.")
    make.advice(case, None, "school_senco")
    browser.sign_in("slt@example.org")
    assert browser.post(f"/documents/{advice.id}/submit", {}).status_code == 302
    [email] = smtp.inbox.to(caseworker.email)
    text = body(email)
    assert email["Subject"] == f"Advice submitted on case {case.la_reference}"
    assert "Aisha Rahman submitted advice on case" in text
    assert "1 of 2 pieces of advice are now in." in text
    # Health advice: the email does not say which kind; the portal does.
    assert "Speech" not in text and CHILD not in text and "Ruby" not in text
    assert f"https://ehcp.example.gov.uk/documents/{advice.id}" in text
    _run(runner, date.today().isoformat())
    assert len(smtp.inbox.to(caseworker.email)) == 1

    browser.sign_out()
    browser.sign_in(caseworker.email)
    home = browser.text("/")
    assert "Aisha Rahman, Speech and language therapist, submitted Speech" in home
    assert f"for {CHILD}. 1 of 2 pieces of advice are now in." in home
    assert ">New<" in home
    assert ">New<" not in browser.text("/") and "Seen" in browser.text("/")


def test_sharing_and_issuing_tell_the_family_what_to_do(
    browser: Browser,
    runner: Any,
    make: Factory,
    smtp: Smtp,
    dbs: Session,
) -> None:
    from portal.services import plan_stages

    case = make.case(child_name=CHILD)
    caseworker = case.memberships[0].person
    make.member(case, "parent", make.person("mum@example.org"))
    make.member(case, "professional", make.person("senco@example.org"))
    browser.sign_in(caseworker.email)
    browser.post(f"/cases/{case.id}/share", {"shared": "yes"})
    [to_parent] = smtp.inbox.to("mum@example.org")
    text = body(to_parent)
    assert "by " in text and "which school or college" in text and "Ruby" not in text
    assert len(smtp.inbox.to("senco@example.org")) == 1
    assert not smtp.inbox.to(caseworker.email)  # the one who acted

    dbs.expire_all()
    db_case = dbs.get(Case, case.id)
    plan_stages.issue_final(dbs, db_case, caseworker, date.today())
    dbs.commit()
    output = _run(runner, date.today().isoformat())  # emails what is waiting
    assert "Emailed mum@example.org: Final EHC plan issued" in output
    assert len(smtp.inbox.to("mum@example.org")) == 2
    assert _run(runner, date.today().isoformat()).count("Emailed") == 0
    states = dbs.scalars(select(Notification.email_state)).all()
    assert set(states) == {"sent"}


def test_a_comment_needing_the_caseworker_is_listed_and_emailed(
    browser: Browser, runner: Any, make: Factory, smtp: Smtp, dbs: Session
) -> None:
    from portal.services import notify

    case = make.case(child_name=CHILD)
    caseworker = case.memberships[0].person
    parent = make.member(case, "parent", make.person("mum@example.org", name="Sofia"))
    section = make.section(case, "A")
    notify.comment_needs_caseworker(
        dbs, dbs.get(Case, case.id), parent.person, section, proposed_change=True
    )
    dbs.commit()
    assert "Emailed" in _run(runner, date.today().isoformat())
    [email] = smtp.inbox.to(caseworker.email)
    assert email["Subject"] == f"A proposed change needs you: case {case.la_reference}"
    assert "Sofia proposed a change to a document" in body(email)
    assert not smtp.inbox.to("mum@example.org")
    browser.sign_in(caseworker.email)
    home = browser.text("/")
    assert f"Sofia proposed a change to {section.title} for {CHILD}" in home
