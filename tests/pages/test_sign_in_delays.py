"""Slowing password guessing (security review): a growing delay per account and
address, and per address, instead of a lock a stranger could put on a parent."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from auth import throttle
from portal.models import AuditEvent
from tests.browserlike import Browser
from tests.factories import Factory

ELSEWHERE = "192.0.2.7"


def _actions(dbs: Session) -> list[str]:
    return list(dbs.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def _age_events(dbs: Session, by: timedelta) -> None:
    """Move every recorded event `by` into the past, as if time had passed."""
    for event in dbs.scalars(select(AuditEvent)):
        event.created_at = event.created_at - by
    dbs.commit()


def _fail(browser: Browser, email: str, times: int) -> None:
    for _ in range(times):
        assert browser.sign_in(email, "wrong password").status_code in (200, 429)


def _add_failures(dbs: Session, email: str, times: int) -> None:
    for _ in range(times):
        dbs.add(
            AuditEvent(
                action="auth.sign_in_failed",
                ip_address="127.0.0.1",
                detail={"email": email},
            )
        )
    dbs.commit()


@pytest.mark.parametrize(
    ("failures", "seconds"),
    [(0, 0), (4, 0), (5, 1), (6, 2), (9, 16), (14, 512), (15, 900), (80, 900)],
)
def test_the_delay_doubles_after_five_failures_up_to_15_minutes(
    failures: int, seconds: int
) -> None:
    assert throttle.delay_after(failures, throttle.FREE_FAILURES) == timedelta(
        seconds=seconds
    )


def test_after_five_failures_the_next_try_waits_and_the_password_is_not_checked(
    browser: Browser, make: Factory, dbs: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    make.person("ana@example.org")
    _fail(browser, "ana@example.org", 5)
    checked: list[str] = []
    monkeypatch.setattr(
        "auth.views.verify_password", lambda h, p: checked.append(p) or True
    )
    response = browser.sign_in("ana@example.org")
    page = response.get_data(as_text=True)
    assert response.status_code == 429 and response.headers["Retry-After"] == "1"
    assert "Wait 1 second, then try again" in page
    assert checked == [] and browser.get("/").status_code == 302
    assert _actions(dbs)[-1] == "auth.sign_in_blocked"


def test_once_the_wait_is_over_the_right_password_works(
    browser: Browser, make: Factory, dbs: Session
) -> None:
    make.person("ana@example.org")
    _fail(browser, "ana@example.org", 7)  # the 6th and 7th are refused unchecked
    assert _actions(dbs).count("auth.sign_in_failed") == 5
    _age_events(dbs, timedelta(seconds=2))
    _fail(browser, "ana@example.org", 1)  # failure 6: now 2 seconds
    response = browser.sign_in("ana@example.org")
    assert response.status_code == 429
    assert "Wait 2 seconds" in response.get_data(as_text=True)
    _age_events(dbs, timedelta(seconds=3))
    assert browser.sign_in("ana@example.org").status_code == 302


def test_a_stranger_cannot_keep_the_owner_out_from_another_address(
    browser: Browser, make: Factory, app: Flask, dbs: Session
) -> None:
    make.person("ana@example.org")
    _add_failures(dbs, "ana@example.org", 12)
    assert browser.sign_in("ana@example.org").status_code == 429
    owner = Browser(app.test_client())
    owner.client.environ_base["REMOTE_ADDR"] = ELSEWHERE
    assert owner.sign_in("ana@example.org").status_code == 302


def test_unknown_accounts_are_delayed_like_real_ones(browser: Browser) -> None:
    """The delay must not tell a guesser which email addresses have accounts."""
    _fail(browser, "nobody@example.org", 5)
    response = browser.sign_in("nobody@example.org")
    assert response.status_code == 429
    assert "Wait 1 second" in response.get_data(as_text=True)


def test_many_failures_from_one_address_slow_every_sign_in_from_it(
    browser: Browser, make: Factory, dbs: Session, app: Flask
) -> None:
    """Password spraying: one guess each against many accounts from one address."""
    make.person("ana@example.org")
    for n in range(throttle.FREE_FAILURES_PER_ADDRESS - 1):
        dbs.add(
            AuditEvent(
                action="auth.sign_in_failed",
                ip_address="127.0.0.1",
                detail={"email": f"someone{n}@example.org"},
            )
        )
    dbs.commit()
    browser.sign_in("nobody@example.org", "Summer2026!")  # the 50th failure
    response = browser.sign_in("ana@example.org")
    assert response.status_code == 429
    page = response.get_data(as_text=True)
    assert "from your network" in page and "Wait 1 second" in page
    assert _actions(dbs)[-1] == "auth.sign_in_blocked"
    elsewhere = Browser(app.test_client())
    elsewhere.client.environ_base["REMOTE_ADDR"] = ELSEWHERE
    assert elsewhere.sign_in("ana@example.org").status_code == 302
    # The wait grows with further failures, and ends.
    _age_events(dbs, timedelta(seconds=2))
    browser.sign_in("nobody@example.org", "Autumn2026!")  # the 51st
    assert "Wait 2 seconds" in browser.sign_in("ana@example.org").get_data(as_text=True)
    _age_events(dbs, timedelta(seconds=3))
    assert browser.sign_in("ana@example.org").status_code == 302


def test_the_caseworker_clears_a_members_delays(
    browser: Browser, make: Factory, dbs: Session
) -> None:
    case = make.case()
    parent = make.member(case, "parent")
    _add_failures(dbs, parent.person.email, 10)
    assert "Wait 32 seconds" in browser.sign_in(parent.person.email).get_data(
        as_text=True
    )
    caseworker = case.memberships[0].person
    browser.sign_in(caseworker.email)
    page = browser.text(f"/cases/{case.id}")
    url = f"/cases/{case.id}/members/{parent.id}/clear-sign-in-delays"
    assert url in page
    done = browser.post(url, {})
    assert done.status_code == 302
    assert "can sign in again" in browser.text(f"/cases/{case.id}")
    event = dbs.scalars(
        select(AuditEvent).where(AuditEvent.action == "person.sign_in_unlocked")
    ).one()
    assert event.actor_id == caseworker.id and event.case_id == case.id
    assert event.detail["person_id"] == parent.person_id
    browser.sign_out()
    assert browser.sign_in(parent.person.email).status_code == 302


def test_only_the_caseworker_clears_delays(browser: Browser, make: Factory) -> None:
    case = make.case()
    parent, other = make.member(case, "parent"), make.member(case, "professional")
    browser.sign_in(other.person.email)
    assert "clear-sign-in-delays" not in browser.text(f"/cases/{case.id}")
    url = f"/cases/{case.id}/members/{parent.id}/clear-sign-in-delays"
    assert browser.post(url, {}).status_code == 403
    # Nor for someone on another case.
    elsewhere = make.case()
    browser.sign_out()
    browser.sign_in(elsewhere.memberships[0].person.email)
    assert (
        browser.post(
            f"/cases/{elsewhere.id}/members/{parent.id}/clear-sign-in-delays", {}
        ).status_code
        == 404
    )


def test_the_policy_lets_only_a_caseworker_clear_delays() -> None:
    from auth import policy

    target = policy.Member("parent", 2)
    assert policy.can_clear_sign_in_delays(policy.Member("caseworker", 1), target)
    for role in ("parent", "young_person", "professional"):
        assert not policy.can_clear_sign_in_delays(policy.Member(role, 3), target)
    assert not policy.can_clear_sign_in_delays(None, target)
