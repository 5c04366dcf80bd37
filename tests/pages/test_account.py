"""Changing a password, signing out everywhere, and the password rules."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import AuditEvent, SignIn
from realtime.credentials import still_valid
from tests.browserlike import Browser
from tests.factories import PASSWORD, Factory
from tests.pages.test_invitations import _invited_by_a_caseworker

NEW_PASSWORD = "plum kettle orbit lantern"


def _actions(dbs: Session) -> list[str]:
    return list(dbs.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def _change(browser: Browser, current: str, new: str = NEW_PASSWORD) -> str:
    response = browser.post(
        "/account", {"current": current, "password": new, "confirm": new}
    )
    return response.get_data(as_text=True) if response.status_code != 302 else ""


def test_change_needs_the_current_password(
    browser: Browser, make: Factory, dbs: Session
) -> None:
    make.person("ana@example.org")
    browser.sign_in("ana@example.org")
    page = _change(browser, "not my password")
    assert "Your current password is not right" in page
    assert _actions(dbs)[-1] == "person.password_change_failed"
    browser.sign_out()
    assert browser.sign_in("ana@example.org", PASSWORD).status_code == 302


def test_change_ends_the_other_sessions_and_keeps_this_one(
    app: Flask, browser: Browser, make: Factory, dbs: Session
) -> None:
    make.person("ana@example.org")
    other = Browser(app.test_client())
    other.sign_in("ana@example.org")
    browser.sign_in("ana@example.org")
    assert _change(browser, PASSWORD) == ""
    assert "Your password has been changed" in browser.text("/account")
    assert other.get("/").status_code == 302
    assert "person.password_changed" in _actions(dbs)
    browser.sign_out()
    assert browser.sign_in("ana@example.org", NEW_PASSWORD).status_code == 302


def test_change_refuses_a_common_password(browser: Browser, make: Factory) -> None:
    make.person("ana@example.org")
    browser.sign_in("ana@example.org")
    page = _change(browser, PASSWORD, "qwertyuiop")
    assert "one of the most common passwords" in page


def test_sign_out_everywhere_ends_every_session_and_editor(
    app: Flask, browser: Browser, make: Factory, dbs: Session
) -> None:
    make.person("ana@example.org")
    other = Browser(app.test_client())
    other.sign_in("ana@example.org")
    browser.sign_in("ana@example.org")
    ids = set(dbs.scalars(select(SignIn.id)))
    assert len(ids) == 2
    page = browser.text("/account")
    assert "Sign out everywhere" in page and 'href="/account"' in page
    response = browser.post("/sign-out-everywhere", {})
    assert response.status_code == 302
    assert response.headers["Clear-Site-Data"] == '"cache", "storage"'
    assert browser.get("/").status_code == 302
    assert other.get("/").status_code == 302
    assert _actions(dbs)[-1] == "auth.signed_out_everywhere"
    # The realtime layer's periodic check refuses both sign-ins too.
    with app.app_context():
        live, _ = still_valid(dbs, ids, set(), idle=timedelta(hours=1), in_use=set())
    assert live == set()


def test_forgotten_password_without_email_says_so(browser: Browser) -> None:
    page = browser.text("/password/forgotten")
    assert "This portal cannot send email" in page


def test_invitation_refuses_a_common_password(browser: Browser, make: Factory) -> None:
    _, path = _invited_by_a_caseworker(browser, make)
    page = browser.post(
        path,
        {"name": "Dr Ed Psych", "password": "1234567890", "confirm": "1234567890"},
    ).get_data(as_text=True)
    assert "one of the most common passwords" in page
