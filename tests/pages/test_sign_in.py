"""Signing in and out, cookies, CSRF and the idle timeout."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from portal.models import AuditEvent, SignIn, utcnow
from tests.browserlike import Browser
from tests.conftest import make_settings
from tests.factories import Factory


def _actions(dbs: Session) -> list[str]:
    return list(dbs.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_signing_in_shows_your_cases_and_is_audited(
    browser: Browser, make: Factory, dbs: Session
) -> None:
    person = make.person("ana@example.org")
    response = browser.sign_in("ANA@example.org")
    assert response.status_code == 302
    assert "Your cases" in browser.text("/")
    assert _actions(dbs)[-1] == "auth.signed_in"
    dbs.refresh(person)
    assert person.last_sign_in_at is not None


@pytest.mark.parametrize(
    ("email", "password", "message"),
    [
        ("", "x", "Enter your email address."),
        ("not-an-email", "x", "Enter an email address in the correct format"),
        ("ana@example.org", "", "Enter your password."),
        (
            "ana@example.org",
            "wrong password",
            "Enter a correct email address and password.",
        ),
        (
            "nobody@example.org",
            "whatever",
            "Enter a correct email address and password.",
        ),
    ],
)
def test_bad_sign_in_gets_an_error_summary(
    browser: Browser, make: Factory, email: str, password: str, message: str
) -> None:
    make.person("ana@example.org")
    page = browser.post("/sign-in", {"email": email, "password": password})
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "govuk-error-summary" in html and message in html
    assert browser.get("/").status_code == 302  # still signed out


def test_failed_sign_in_is_audited_without_the_password(
    browser: Browser, make: Factory, dbs: Session
) -> None:
    make.person("ana@example.org")
    browser.sign_in("ana@example.org", "guess-one-two")
    event = dbs.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert event is not None and event.action == "auth.sign_in_failed"
    assert "guess-one-two" not in str(event.detail)


def test_forms_without_a_csrf_token_are_refused(
    client: FlaskClient, make: Factory
) -> None:
    make.person("ana@example.org")
    response = client.post(
        "/sign-in",
        data={"email": "ana@example.org", "password": "correct horse battery"},
    )
    assert response.status_code == 400
    assert "expired or came from another site" in response.get_data(as_text=True)


def test_session_cookie_is_httponly_lax_and_secure_over_https(
    app: Flask, make: Factory
) -> None:
    make.person("ana@example.org")
    client = app.test_client()
    browser = Browser(client)
    token = browser.csrf_token()
    client.post(
        "/sign-in",
        base_url="https://portal.test",
        headers={"Referer": "https://portal.test/sign-in"},
        data={
            "email": "ana@example.org",
            "password": "correct horse battery",
            "csrf_token": token,
        },
    )
    cookie = client.get_cookie("ehcp_session", domain="portal.test")
    assert cookie is not None
    assert cookie.http_only and cookie.same_site == "Lax" and cookie.secure


def test_cookie_is_not_secure_on_plain_http_for_local_use(
    browser: Browser, make: Factory
) -> None:
    make.person("ana@example.org")
    browser.sign_in("ana@example.org")
    cookie = browser.client.get_cookie("ehcp_session", domain="portal.test")
    assert cookie is not None and not cookie.secure


def _last_used(dbs: Session, minutes_ago: int) -> None:
    """Make every sign-in look last used that long ago."""
    last = utcnow() - timedelta(minutes=minutes_ago)
    dbs.execute(update(SignIn).values(last_seen_at=last))
    dbs.commit()


def test_idle_session_is_signed_out(
    browser: Browser, make: Factory, dbs: Session
) -> None:
    make.person("ana@example.org")
    browser.sign_in("ana@example.org")
    # The server's clock decides, not the cookie: default idle limit is 30 minutes.
    _last_used(dbs, minutes_ago=31)
    response = browser.get("/")
    assert response.status_code == 302 and "/sign-in" in response.location
    assert "had not used the portal for a while" in browser.text("/sign-in")
    assert dbs.scalar(select(SignIn.ended_at)) is not None


def test_using_the_portal_keeps_the_session(
    browser: Browser, make: Factory, dbs: Session
) -> None:
    make.person("ana@example.org")
    browser.sign_in("ana@example.org")
    _last_used(dbs, minutes_ago=29)
    assert browser.get("/").status_code == 200
    dbs.expire_all()
    last_seen = dbs.scalar(select(SignIn.last_seen_at))
    assert last_seen is not None and utcnow() - last_seen < timedelta(minutes=1)


def test_sign_out_ends_the_session(
    browser: Browser, make: Factory, dbs: Session
) -> None:
    make.person("ana@example.org")
    browser.sign_in("ana@example.org")
    browser.sign_out()
    assert browser.get("/").status_code == 302
    assert _actions(dbs)[-1] == "auth.signed_out"


def test_sign_out_tells_the_browser_to_drop_what_it_kept(
    browser: Browser, make: Factory
) -> None:
    """Cached pages and stored documents (IndexedDB copies of unsent edits)
    must not stay for the next person at a shared computer."""
    make.person("ana@example.org")
    browser.sign_in("ana@example.org")
    response = browser.sign_out()
    assert response.status_code == 302
    assert response.headers["Clear-Site-Data"] == '"cache", "storage"'
    # Only signing out clears them: other pages do not.
    assert "Clear-Site-Data" not in browser.get("/sign-in").headers


def test_signed_in_pages_load_the_sign_out_clean_up(
    browser: Browser, make: Factory
) -> None:
    make.person("ana@example.org")
    browser.sign_in("ana@example.org")
    page = browser.text("/")
    assert 'id="sign-out-form"' in page
    assert "/static/sign-out.js" in page
    browser.sign_out()
    assert "/static/sign-out.js" not in browser.text("/sign-in")


def test_signing_in_clears_the_persons_long_finished_sign_ins(
    browser: Browser, make: Factory, dbs: Session
) -> None:
    ana = make.person("ana@example.org")
    long_ago = utcnow() - timedelta(days=40)
    dbs.add_all(
        [
            SignIn(person_id=ana.id, key_hash="a" * 64, ended_at=long_ago),
            SignIn(person_id=ana.id, key_hash="b" * 64, last_seen_at=long_ago),
            SignIn(person_id=ana.id, key_hash="c" * 64, ended_at=utcnow()),
        ]
    )
    dbs.commit()
    browser.sign_in("ana@example.org")
    dbs.expire_all()
    left = set(dbs.scalars(select(SignIn.key_hash)))
    assert "a" * 64 not in left and "b" * 64 not in left
    assert "c" * 64 in left and len(left) == 2  # the recent one and the new one


def test_a_copied_cookie_stops_working_after_sign_out(
    browser: Browser, make: Factory, app: Flask
) -> None:
    """Signing out ends the sign-in on the server, not only in this browser."""
    make.person("ana@example.org")
    browser.sign_in("ana@example.org")
    copied = browser.client.get_cookie("ehcp_session", domain="portal.test")
    assert copied is not None
    assert browser.get("/").status_code == 200
    browser.sign_out()
    thief = app.test_client()
    thief.set_cookie("ehcp_session", copied.value, domain="portal.test")
    response = thief.get("/", base_url="http://portal.test")
    assert response.status_code == 302 and "/sign-in" in response.location


def test_next_parameter_cannot_redirect_off_site(
    browser: Browser, make: Factory
) -> None:
    make.person("ana@example.org")
    response = browser.post(
        "/sign-in?next=//evil.example/x",
        {"email": "ana@example.org", "password": "correct horse battery"},
    )
    assert response.location.endswith("/")
    assert "evil" not in response.location


def test_junk_boolean_settings_are_refused() -> None:
    from portal.config import ConfigError

    with pytest.raises(ConfigError, match="SMTP_USE_TLS must be true or false"):
        make_settings(SMTP_USE_TLS="perhaps")


def test_a_successful_sign_in_resets_the_count(browser: Browser, make: Factory) -> None:
    make.person("ana@example.org")
    for _ in range(4):
        browser.sign_in("ana@example.org", "wrong password")
    assert browser.sign_in("ana@example.org").status_code == 302
    browser.sign_out()
    for _ in range(4):
        browser.sign_in("ana@example.org", "wrong password")
    assert browser.sign_in("ana@example.org").status_code == 302
