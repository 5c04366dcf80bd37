"""API tokens in the browser: created only after "Confirm it's you", shown
once, working at once on the API, revoked by their owner."""

from __future__ import annotations

import re
import time

from sqlalchemy import select
from sqlalchemy.orm import Session

from auth.tokens import create_token
from portal.models import ApiToken, AuditEvent
from tests.browserlike import Browser
from tests.factories import PASSWORD, Factory

TOKEN = re.compile(r'<code id="token">(ehcp_[A-Za-z0-9_\-]+)</code>')


def _stale(browser: Browser) -> None:
    with browser.client.session_transaction() as session:
        session["auth_at"] = time.time() - 6 * 60


def test_staff_create_a_token_after_confirming_and_revoke_it(
    browser: Browser, make: Factory, dbs: Session
) -> None:
    make.person("dana@example.org", staff=True)
    browser.sign_in("dana@example.org")
    _stale(browser)
    asked = browser.get("/account/tokens/new")
    assert asked.headers["Location"] == "/confirm-its-you?next=/account/tokens/new"
    assert dbs.scalars(select(ApiToken)).all() == []
    confirmed = browser.post(asked.headers["Location"], {"password": PASSWORD})
    assert confirmed.headers["Location"] == "/account/tokens/new"
    blank = browser.post("/account/tokens/new", {"name": " "})
    assert blank.status_code == 400
    assert "Enter what the token is for." in blank.get_data(as_text=True)
    made = browser.post("/account/tokens/new", {"name": "Case system"})
    match = TOKEN.search(made.get_data(as_text=True))
    assert match is not None and made.headers["Cache-Control"] == "no-store"
    token = match.group(1)
    headers = {"Authorization": f"Bearer {token}"}
    assert browser.client.get("/api/cases", headers=headers).status_code == 200
    listing = browser.text("/account/tokens")
    assert "Case system" in listing and token not in listing
    [row] = dbs.scalars(select(ApiToken)).all()
    browser.post(f"/account/tokens/{row.id}/revoke", {})
    assert browser.client.get("/api/cases", headers=headers).status_code == 401
    actions = set(dbs.scalars(select(AuditEvent.action)))
    assert {"token.created", "token.revoked", "auth.reauthenticated"} <= actions


def test_only_staff_create_tokens_and_only_owners_revoke(
    browser: Browser, make: Factory, dbs: Session
) -> None:
    make.person("parent@example.org")
    browser.sign_in("parent@example.org")
    assert browser.get("/account/tokens/new").status_code == 403
    assert "Create a token" not in browser.text("/account/tokens")
    staff = make.person("dana@example.org", staff=True)
    create_token(dbs, staff, "Dana's")
    dbs.commit()
    [row] = dbs.scalars(select(ApiToken)).all()
    assert browser.post(f"/account/tokens/{row.id}/revoke", {}).status_code == 404
    dbs.refresh(row)
    assert row.revoked_at is None
