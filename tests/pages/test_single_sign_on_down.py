"""A single sign-on provider that cannot be reached: a page saying so, not a 500."""

from __future__ import annotations

import socket

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.config import Settings
from portal.models import AuditEvent, OidcLogin
from tests.browserlike import Browser
from tests.conftest import make_settings


@pytest.fixture
def settings() -> Settings:
    with socket.socket() as s:  # a loopback port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return make_settings(
        OIDC_COUNCIL_ISSUER=f"http://127.0.0.1:{port}",
        OIDC_COUNCIL_CLIENT_ID="ehcp-portal",
        OIDC_COUNCIL_CLIENT_SECRET="not-a-real-secret",
        OIDC_COUNCIL_DISPLAY_NAME="Northshire Council",
    )


def test_provider_down_gives_a_page_and_an_audit_event(
    browser: Browser, dbs: Session
) -> None:
    page = browser.post("/sign-in/sso/council", {})
    assert page.status_code == 502
    html = page.get_data(as_text=True)
    assert "We could not reach Northshire Council just now" in html
    assert "You have not been signed in" in html
    [event] = dbs.scalars(
        select(AuditEvent).where(AuditEvent.action == "auth.sso_refused")
    ).all()
    assert event.detail["reason"] == "unreachable"
    assert dbs.scalars(select(OidcLogin)).all() == []
    assert browser.post("/sign-in/sso/nobody", {}).status_code == 404
