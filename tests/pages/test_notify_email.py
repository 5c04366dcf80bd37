"""With NOTIFY_API_KEY set, email goes through GOV.UK Notify (here a local
test double speaking its API, reached by the real notifications client)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from portal.config import Settings
from tests import notify_double
from tests.browserlike import Browser
from tests.conftest import make_settings
from tests.factories import Factory
from tests.notify_double import FakeNotify

fake_notify = notify_double.fake_notify  # the fixture


@pytest.fixture
def settings(fake_notify: FakeNotify) -> Settings:
    return make_settings(
        NOTIFY_API_KEY=notify_double.API_KEY,
        NOTIFY_TEMPLATE_ID=notify_double.TEMPLATE_ID,
        NOTIFY_BASE_URL=fake_notify.url,
        PUBLIC_URL="https://ehcp.example.gov.uk",
    )


def test_reminders_and_invitations_go_through_notify_once(
    browser: Browser, runner: Any, make: Factory, fake_notify: FakeNotify
) -> None:
    case = make.case(request_date=date(2026, 9, 1), child_name="Ruby Ashworth")
    ep = make.member(
        case,
        "professional",
        make.person("ep@example.org"),
        discipline="educational_psychologist",
    )
    make.advice(case, ep, "educational_psychologist", due=date(2026, 10, 20))
    for _ in range(2):
        result = runner.invoke(args=["send-reminders", "--today", "2026-10-22"])
        assert result.exit_code == 0, result.output
    to_ep = [e for e in fake_notify.emails if e["email_address"] == "ep@example.org"]
    assert len(to_ep) == 1
    assert to_ep[0]["template_id"] == notify_double.TEMPLATE_ID
    personal = to_ep[0]["personalisation"]
    assert personal["subject"] == f"Advice overdue: case {case.la_reference}"
    assert "was due on 20 October 2026 (2 days ago)" in personal["body"]
    assert "Ruby" not in personal["body"] and "Ashworth" not in personal["subject"]
    assert not fake_notify.refused

    browser.sign_in(case.memberships[0].person.email)
    page = browser.post(
        f"/cases/{case.id}/invite",
        {
            "email": "senco@example.org",
            "role": "professional",
            "discipline": "school_senco",
            "organisation": "Fernhill",
            "job_title": "SENCo",
        },
    ).get_data(as_text=True)
    assert "We have emailed the link to senco@example.org" in page
    [invite] = [
        e for e in fake_notify.emails if e["email_address"] == "senco@example.org"
    ]
    assert (
        "https://ehcp.example.gov.uk/invitations/" in invite["personalisation"]["body"]
    )


def test_a_refused_notify_email_is_retried_by_the_next_run(
    runner: Any, make: Factory, fake_notify: FakeNotify, app: Any
) -> None:
    case = make.case(request_date=date(2026, 9, 1))
    ep = make.member(
        case,
        "professional",
        make.person("ep@example.org"),
        discipline="educational_psychologist",
    )
    make.advice(case, ep, "educational_psychologist", due=date(2026, 10, 20))
    good = app.config["SETTINGS"]
    from dataclasses import replace

    app.config["SETTINGS"] = replace(good, notify_template_id="not-a-template")
    first = runner.invoke(args=["send-reminders", "--today", "2026-10-22"])
    assert "0 emails sent" in first.output and not fake_notify.emails
    app.config["SETTINGS"] = good
    second = runner.invoke(args=["send-reminders", "--today", "2026-10-22"])
    assert (
        "0 new reminders" in second.output and "Emailed ep@example.org" in second.output
    )
    assert (
        len([e for e in fake_notify.emails if e["email_address"] == "ep@example.org"])
        == 1
    )
