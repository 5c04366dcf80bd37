"""Section K writes itself: the advice submitted on the case and the advice
the caseworker recorded as received outside the portal, on every page that
shows it, kept current through submission and reopening."""

from __future__ import annotations

import html
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import AuditEvent, Case, Document, ExternalAdvice
from portal.services import section_k
from portal.services.demo import DEMO_PASSWORD
from tests.browserlike import Browser

EXAMPLES = Path(__file__).resolve().parents[3] / "shared" / "examples"
_ITEM = re.compile(r'<li class="app-section-k__item"[^>]*>(.*?)</li>', re.S)
_TAG = re.compile(r"<[^>]+>")


def k_lines(page: str) -> list[str]:
    """The lines of Section K as the page shows them, tags and spacing gone."""
    return [
        " ".join(html.unescape(_TAG.sub("", item)).split())
        for item in _ITEM.findall(page)
    ]


def _doc(dbs: Session, **where: Any) -> Document:
    stmt = select(Document)
    for name, value in where.items():
        stmt = stmt.where(getattr(Document, name) == value)
    return dbs.scalars(stmt).one()


@pytest.fixture
def demo(runner: Any, browser: Browser) -> Browser:
    assert runner.invoke(args=["demo"]).exit_code == 0
    return browser


def _as(browser: Browser, email: str) -> Browser:
    browser.sign_out()
    browser.sign_in(email, DEMO_PASSWORD)
    return browser


def _k_everywhere(browser: Browser, dbs: Session) -> list[list[str]]:
    """Section K on its own page, in the whole plan and on the desk."""
    k = _doc(dbs, kind="plan_section", section="K")
    return [
        k_lines(browser.text(f"/documents/{k.id}")),
        k_lines(browser.text("/cases/1/plan")),
        k_lines(browser.text("/cases/1/desk")),
    ]


def test_section_k_lists_exactly_the_advice_of_the_case_after_a_submission_and_a_reopening(
    demo: Browser, dbs: Session
) -> None:
    today = date.today()
    on = f"{today.day} {today:%B %Y}"
    social = (
        "K1. Social care advice: Tom Brennan, Social worker, "
        f"Eastbridge Children's Disability Team, {on}"
    )
    psychology = (
        "Psychological advice: Dr Martin Hale, Educational psychologist, "
        f"Eastbridge Educational Psychology Service, {on}"
    )
    _as(demo, "caseworker@example.org")
    # The demo loads with only the social worker's advice submitted.
    assert _k_everywhere(demo, dbs) == [[social]] * 3

    ep = _doc(dbs, title="Psychological advice")
    _as(demo, "psychologist@example.org")
    assert demo.post(f"/documents/{ep.id}/submit", {}).status_code == 302
    _as(demo, "caseworker@example.org")
    both = _k_everywhere(demo, dbs)
    assert both == [[social, "K2. " + psychology]] * 3
    # The open desk redraws K from what it polls, in the same words.
    polled = demo.get("/cases/1/provenance").get_json()["section_k"]
    assert [f"K{n}. {k['title']}{k['details']}" for n, k in enumerate(polled, 1)] == [
        social,
        "K2. " + psychology,
    ]
    assert polled[1]["link"] == f"/documents/{ep.id}"

    # Reopened advice is no longer received: it leaves K until submitted again.
    assert demo.post(f"/documents/{ep.id}/reopen", {}).status_code == 302
    assert _k_everywhere(demo, dbs) == [[social]] * 3
    _as(demo, "psychologist@example.org")
    demo.post(f"/documents/{ep.id}/submit", {})
    _as(demo, "caseworker@example.org")
    assert _k_everywhere(demo, dbs) == [[social, "K2. " + psychology]] * 3

    # Nobody types Section K: its page has no editor, for the caseworker too;
    # the API gives the same list as the pages.
    k = _doc(dbs, kind="plan_section", section="K")
    api_text = demo.get(f"/api/documents/{k.id}").get_json()["text"]
    assert api_text.startswith("- K1. Social care advice: Tom Brennan")
    assert "- K2. Psychological advice: Dr Martin Hale" in api_text
    page = demo.text(f"/documents/{k.id}")
    assert 'id="ehcp-editor"' not in page
    assert "The portal writes Section K" in page


def _record(browser: Browser, **fields: str) -> Any:
    received = date.today() - timedelta(days=3)
    form = {
        "from_whom": "Westhaven Children's Services (Front Door team)",
        "discipline": "social_worker",
        "role": "Duty social worker",
        "organisation": "Westhaven Council",
        "received_on-day": str(received.day),
        "received_on-month": str(received.month),
        "received_on-year": str(received.year),
        "note": "Not known to children's social care.",
    }
    form.update(fields)
    return browser.post("/cases/1/advice-received", form)


def test_caseworker_records_and_removes_advice_received_outside_the_portal(
    demo: Browser, dbs: Session
) -> None:
    _as(demo, "caseworker@example.org")
    answer = _record(demo)
    assert answer.status_code == 302
    received = date.today() - timedelta(days=3)
    line = (
        "Social care advice: Westhaven Children's Services (Front Door team), "
        f"Duty social worker, Westhaven Council, {received.day} {received:%B %Y} "
        "(received outside the portal). Not known to children's social care."
    )
    lists = _k_everywhere(demo, dbs)
    assert all(lines[0] == "K1. " + line for lines in lists)  # oldest first
    assert all(len(lines) == 2 for lines in lists)
    # The plan's other readers see it too once the draft is shared.
    [item] = dbs.scalars(select(ExternalAdvice)).all()
    events = dbs.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    recorded = [e for e in events if e.action == "advice.external_recorded"]
    assert len(recorded) == 1 and recorded[0].detail["external_advice"] == item.id

    page = demo.text("/cases/1/advice-received")
    assert 'Remove<span class="govuk-visually-hidden"> the social care advice' in page
    gone = demo.post(f"/cases/1/advice-received/{item.id}/remove", {})
    assert gone.status_code == 302
    assert all(len(lines) == 1 for lines in _k_everywhere(demo, dbs))
    assert dbs.scalars(select(ExternalAdvice)).all() == []
    actions = dbs.scalars(select(AuditEvent.action)).all()
    assert "advice.external_removed" in actions


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"from_whom": " "}, "Enter who the advice is from."),
        ({"discipline": "astrologer"}, "Select what kind of advice it is."),
        (
            {"received_on-year": str(date.today().year + 1)},
            "must be today or in the past",
        ),
        ({"received_on-day": "31", "received_on-month": "2"}, "must be a real date"),
    ],
)
def test_recording_advice_says_what_is_wrong(
    demo: Browser, dbs: Session, fields: dict[str, str], message: str
) -> None:
    _as(demo, "caseworker@example.org")
    answer = _record(demo, **fields)
    assert answer.status_code == 200
    assert message in html.unescape(answer.get_data(as_text=True))
    assert dbs.scalars(select(ExternalAdvice)).all() == []


@pytest.mark.parametrize(
    "email", ["parent@example.org", "young.person@example.org", "senco@example.org"]
)
def test_only_the_caseworker_records_or_removes_advice(
    demo: Browser, dbs: Session, email: str
) -> None:
    _as(demo, "caseworker@example.org")
    _record(demo)
    [item] = dbs.scalars(select(ExternalAdvice)).all()
    _as(demo, email)
    assert demo.get("/cases/1/advice-received").status_code == 403
    assert _record(demo, from_whom="Someone else").status_code == 403
    assert (
        demo.post(f"/cases/1/advice-received/{item.id}/remove", {}).status_code == 403
    )
    dbs.expire_all()
    assert [x.from_whom for x in dbs.scalars(select(ExternalAdvice))] == [
        item.from_whom
    ]


def test_a_folders_advice_listed_only_in_k_is_recorded_as_received_outside(
    runner: Any, dbs: Session
) -> None:
    runner.invoke(args=["demo"])  # for the caseworker account
    result = runner.invoke(args=["import-case", str(EXAMPLES / "example02")])
    assert result.exit_code == 0, result.output
    case = dbs.scalars(select(Case).order_by(Case.id.desc())).first()
    assert case is not None
    [outside] = [e for e in section_k.entries(dbs, case) if e.outside_portal]
    assert outside.who == "letter from Westhaven Children's Services (Front Door team)"
    assert outside.received_on == date(2025, 3, 12)
    assert outside.title == "Social care advice"
    # Every advice file is listed too, on the day its front matter gives.
    entries = section_k.entries(dbs, case)
    assert len(entries) == 7
    assert all(e.received_on.year == 2025 for e in entries)


def test_the_checks_count_advice_recorded_as_received_outside_the_portal(
    app: Any, make: Any
) -> None:
    caseworker = make.person(staff=True)
    case = make.case(caseworker)
    browser = Browser(app.test_client())
    browser.sign_in(caseworker.email)
    social_care = "(Reg 6(1)(e))"  # "Required advice is missing: Social care …"
    before = html.unescape(browser.text(f"/cases/{case.id}"))
    assert social_care in before
    received = date.today()
    answer = browser.post(
        f"/cases/{case.id}/advice-received",
        {
            "from_whom": "Fernhill Children's Services",
            "discipline": "social_worker",
            "received_on-day": str(received.day),
            "received_on-month": str(received.month),
            "received_on-year": str(received.year),
            "note": "Nil return: not known to children's social care.",
        },
    )
    assert answer.status_code == 302
    after = html.unescape(browser.text(f"/cases/{case.id}"))
    assert social_care not in after
    assert "Reg 6(1)(d)" in after  # other advice is still missing
