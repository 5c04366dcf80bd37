"""Re-authentication ("Confirm it's you") before serious actions.

Accounts that sign in only with single sign-on confirm with a fresh round
trip to a real OpenID provider on loopback (`oidc-provider-mock`, a test
double for the council's provider; see tests/oidc_provider.py).
"""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from auth.reauth import require_recent_auth
from auth.tokens import create_token
from portal.config import Settings
from portal.models import AuditEvent, Person
from tests.browserlike import Browser
from tests.factories import Factory
from tests.oidc_provider import (  # noqa: F401 - fixtures
    COUNCIL,
    Provider,
    provider_fixture,
    provider_server_fixture,
    sso_settings,
)


@pytest.fixture
def settings(provider: Provider) -> Settings:
    return sso_settings(provider)


def _stale(browser: Browser) -> None:
    """As if the person last proved who they are six minutes ago."""
    with browser.client.session_transaction() as session:
        session["auth_at"] = time.time() - 6 * 60


@pytest.fixture
def guarded(app: Flask) -> str:
    """A page behind `require_recent_auth`, as a case erasure would be."""
    app.add_url_rule(
        "/test-only/erase",
        "erase_for_test",
        require_recent_auth(lambda: "Erased"),
        methods=["GET", "POST"],
    )
    return "/test-only/erase"


def test_the_decorator_asks_to_confirm_only_when_it_has_been_a_while(
    guarded: str, browser: Browser, make: Factory, dbs: Session
) -> None:
    person = make.person("dana@example.org")
    assert browser.get(guarded).headers["Location"].startswith("/sign-in?next=")
    browser.sign_in("dana@example.org")
    assert browser.text(guarded) == "Erased"
    _stale(browser)
    asked = browser.post(guarded, {})
    assert asked.headers["Location"] == f"/confirm-its-you?next={guarded}"
    page = browser.text(asked.headers["Location"])
    assert "Confirm it’s you" in page and 'type="password"' in page
    assert f"Sign in again with {COUNCIL}" not in page  # no linked account
    back = browser.post(
        asked.headers["Location"], {"password": "correct horse battery"}
    )
    assert back.headers["Location"] == guarded
    assert browser.text(guarded) == "Erased"
    # A bearer token cannot stand in for the person confirming.
    token = create_token(dbs, person, "integration")
    dbs.commit()
    by_token = browser.client.get(guarded, headers={"Authorization": f"Bearer {token}"})
    assert by_token.status_code == 403


def _sso_only_member(
    browser: Browser, provider: Provider, make: Factory, dbs: Session
) -> Person:
    """Someone whose account has no password, signed in through the provider."""
    person = make.person("grace@northshire.example")
    person.password_hash = None
    dbs.commit()
    provider.add_user("grace-1", email="grace@northshire.example", email_verified=True)
    start = browser.post("/sign-in/sso/council", {})
    assert browser.get(provider.authorize(start.headers["Location"], "grace-1"))
    return person


def test_an_account_without_a_password_confirms_with_a_fresh_sign_in(
    guarded: str, browser: Browser, provider: Provider, make: Factory, dbs: Session
) -> None:
    _sso_only_member(browser, provider, make, dbs)
    assert "Your account has no password" in browser.text("/account")
    _stale(browser)
    page = browser.text(f"/confirm-its-you?next={guarded}")
    assert f"Sign in again with {COUNCIL}" in page and 'type="password"' not in page
    start = browser.post(
        "/sign-in/sso/council", {"purpose": "reauth", "next": guarded}
    ).headers["Location"]
    query = parse_qs(urlsplit(start).query)
    assert query["prompt"] == ["login"] and query["max_age"] == ["0"]
    back = browser.get(provider.authorize(start, "grace-1"))
    assert back.headers["Location"] == guarded
    assert browser.text(guarded) == "Erased"
    actions = dbs.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions[-1] == "auth.reauthenticated"


def test_confirming_as_someone_else_is_refused(
    guarded: str, browser: Browser, provider: Provider, make: Factory, dbs: Session
) -> None:
    _sso_only_member(browser, provider, make, dbs)
    make.person("tom@northshire.example")
    provider.add_user("tom-2", email="tom@northshire.example", email_verified=True)
    _stale(browser)
    start = browser.post(
        "/sign-in/sso/council", {"purpose": "reauth", "next": guarded}
    ).headers["Location"]
    refused = browser.get(provider.authorize(start, "tom-2"))
    assert refused.status_code == 400
    html = refused.get_data(as_text=True)
    assert "We could not confirm it is you" in html and "as someone else" in html
    assert browser.get(guarded).headers["Location"].startswith("/confirm-its-you")
    reasons = [
        e.detail["reason"]
        for e in dbs.scalars(
            select(AuditEvent).where(AuditEvent.action == "auth.sso_refused")
        )
    ]
    assert reasons == ["other_person"]
