"""Password reset by an emailed single-use link, over a real SMTP server
(aiosmtpd on loopback, a test double for the council's mail server)."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import timedelta
from email import message_from_string, policy

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from portal.config import Settings
from portal.models import AuditEvent, PasswordReset, utcnow
from tests.browserlike import Browser
from tests.conftest import make_settings
from tests.factories import PASSWORD, Factory
from tests.pages.test_invitation_email import _free_port, _Inbox

SAME_ANSWER = (
    "If there is an account for that address, we have sent a link to it. "
    "The link works once, for an hour."
)
RESET_PATH = re.compile(r"https://ehcp\.example\.gov\.uk(/password/reset/[\w-]+)")
NEW_PASSWORD = "plum kettle orbit lantern"


@pytest.fixture
def smtp() -> Iterator[tuple[_Inbox, int]]:
    inbox, port = _Inbox(), _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


@pytest.fixture
def settings(smtp: tuple[_Inbox, int]) -> Settings:
    return make_settings(
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=str(smtp[1]),
        PUBLIC_URL="https://ehcp.example.gov.uk",
    )


def _ask_for_link(browser: Browser, email: str) -> str:
    return browser.post("/password/forgotten", {"email": email}).get_data(as_text=True)


def _emailed_path(inbox: _Inbox, count: int = 1) -> str:
    """The reset link's path in the newest of `count` messages."""
    for _ in range(100):
        if len(inbox.messages) >= count:
            break
        time.sleep(0.05)
    recipients, content = inbox.messages[count - 1]
    body = message_from_string(content, policy=policy.default)
    text = body.get_body().get_content()  # type: ignore[union-attr]
    match = RESET_PATH.search(text)
    assert match, text
    return match.group(1)


def _set(browser: Browser, path: str, password: str = NEW_PASSWORD) -> str:
    response = browser.post(path, {"password": password, "confirm": password})
    return response.get_data(as_text=True) if response.status_code != 302 else ""


def _actions(dbs: Session) -> list[str]:
    return list(dbs.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_sign_in_page_links_to_the_reset(browser: Browser) -> None:
    page = browser.text("/sign-in")
    assert 'href="/password/forgotten"' in page and "Forgotten your password?" in page


def test_emailed_link_sets_a_new_password_once_and_signs_out_everywhere(
    app: Flask,
    browser: Browser,
    make: Factory,
    dbs: Session,
    smtp: tuple[_Inbox, int],
) -> None:
    inbox, _ = smtp
    make.person("ana@example.org")
    elsewhere = Browser(app.test_client())
    assert elsewhere.sign_in("ana@example.org").status_code == 302
    assert elsewhere.get("/").status_code == 200

    assert SAME_ANSWER in _ask_for_link(browser, "ANA@example.org")
    path = _emailed_path(inbox)
    assert inbox.messages[0][0] == ["ana@example.org"]
    stored = dbs.scalars(select(PasswordReset.token_hash)).all()
    assert len(stored) == 1 and path.rsplit("/", 1)[1] not in stored[0]

    form = browser.get(path)
    assert form.status_code == 200 and "Set a new password" in form.get_data(
        as_text=True
    )
    assert form.headers["Cache-Control"] == "no-store"
    assert _set(browser, path) == ""

    assert elsewhere.get("/").status_code == 302  # the old cookie is refused
    assert browser.sign_in("ana@example.org", PASSWORD).status_code == 200
    assert browser.sign_in("ana@example.org", NEW_PASSWORD).status_code == 302
    assert "person.password_reset" in _actions(dbs)

    again = browser.get(path)
    assert again.status_code == 410
    assert "already been used" in again.get_data(as_text=True)
    assert "ask for a new one" in _set(browser, path, "another fine password")


def test_unknown_address_gets_the_same_answer_and_no_email(
    browser: Browser, dbs: Session, smtp: tuple[_Inbox, int]
) -> None:
    inbox, _ = smtp
    assert SAME_ANSWER in _ask_for_link(browser, "nobody@example.org")
    time.sleep(0.5)
    assert inbox.messages == []
    assert dbs.scalar(select(PasswordReset)) is None
    event = dbs.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert event is not None and event.action == "auth.password_reset_requested"


def test_expired_link_asks_for_a_new_one(
    browser: Browser, make: Factory, dbs: Session, smtp: tuple[_Inbox, int]
) -> None:
    make.person("ana@example.org")
    _ask_for_link(browser, "ana@example.org")
    path = _emailed_path(smtp[0])
    dbs.execute(
        update(PasswordReset).values(expires_at=utcnow() - timedelta(seconds=1))
    )
    dbs.commit()
    page = browser.get(path)
    assert page.status_code == 410
    text = page.get_data(as_text=True)
    assert "has expired" in text and "Ask for a new link" in text
    assert browser.sign_in("ana@example.org", PASSWORD).status_code == 302


def test_a_new_link_spends_the_older_ones_when_used(
    browser: Browser, make: Factory, smtp: tuple[_Inbox, int]
) -> None:
    make.person("ana@example.org")
    _ask_for_link(browser, "ana@example.org")
    first = _emailed_path(smtp[0])
    _ask_for_link(browser, "ana@example.org")
    second = _emailed_path(smtp[0], 2)
    assert first != second
    assert _set(browser, second) == ""
    assert browser.get(first).status_code == 410


def test_unknown_link_is_refused(browser: Browser) -> None:
    page = browser.get("/password/reset/" + "x" * 43)
    assert page.status_code == 410
    assert "not valid" in page.get_data(as_text=True)


def test_common_or_short_password_is_refused_on_reset(
    browser: Browser, make: Factory, smtp: tuple[_Inbox, int]
) -> None:
    make.person("ana@example.org")
    _ask_for_link(browser, "ana@example.org")
    path = _emailed_path(smtp[0])
    page = _set(browser, path, "Password123")
    assert "govuk-error-summary" in page
    assert "one of the most common passwords" in page
    assert "at least 10 characters" in _set(browser, path, "short")
    assert _set(browser, path) == ""  # the link was not spent by the refusals
